// The peers benchmark in a page: bench/browser.mjs bundles it with vite,
// serves it and reads what it prints from headless Chromium.
import { main } from "../peers.mjs";

const out = document.getElementById("out");
const log = (line) => {
  out.textContent += line + "\n";
  console.log(line);
};
try {
  const resp = await fetch("./workload.wasm");
  const workload = resp.ok ? new Uint8Array(await resp.arrayBuffer()) : undefined;
  await main(log, workload);
  document.body.dataset.done = "ok";
} catch (e) {
  log(`FAILED: ${e?.stack ?? e}`);
  document.body.dataset.done = "error";
}
