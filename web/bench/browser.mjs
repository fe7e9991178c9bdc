// Runs bench/peers.mjs in headless Chromium (Debian's, through
// playwright-core; no browser is downloaded): bundles bench/browser/ with
// vite, serves it on 127.0.0.1 and prints what the page prints.
//
//   node bench/browser.mjs [WORKLOAD_WASM]      (make bench-web)
//
// vite and playwright-core are the playground workspace's; CHROMIUM names
// the browser (default /usr/bin/chromium).
import { createRequire } from "node:module";
import { createServer } from "node:http";
import { readFile, copyFile, mkdir } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join, extname } from "node:path";

const here = fileURLToPath(new URL(".", import.meta.url));
const fromPlayground = createRequire(join(here, "../../playground/package.json"));
const { build } = await import(pathToFileURL(fromPlayground.resolve("vite")).href);
const { chromium } = fromPlayground("playwright-core");

const outDir = join(here, "browser/dist");
await build({
  root: join(here, "browser"),
  logLevel: "warn",
  build: { outDir, emptyOutDir: true, target: "esnext", assetsInlineLimit: 0 },
});
if (process.argv[2]) await copyFile(process.argv[2], join(outDir, "workload.wasm"));
await mkdir(outDir, { recursive: true });

const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm" };
const server = createServer(async (req, res) => {
  let path = join(outDir, decodeURIComponent(new URL(req.url, "http://x").pathname));
  if (path.endsWith("/")) path = join(path, "index.html");
  try {
    const body = await readFile(path);
    res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" });
    res.end(body);
  } catch {
    res.writeHead(404);
    res.end();
  }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});
let failed = false;
try {
  const page = await browser.newPage();
  page.on("console", (m) => console.log(m.text()));
  page.on("pageerror", (e) => {
    failed = true;
    console.error("page error:", e.message);
  });
  console.log(`headless ${browser.version()}`);
  await page.goto(url);
  await page.waitForSelector("body[data-done]", { timeout: 20 * 60 * 1000 });
  failed ||= (await page.getAttribute("body", "data-done")) !== "ok";
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
