// Browser tests of the playground: Debian's chromium driven by
// playwright-core (never a downloaded browser), against `vfscope serve`
// with the app embedded and a live VFS beside it.
//
// Needs VFSCOPE_BIN (a vfscope binary built after `make playground`;
// `make test-browser` sets it) and /usr/bin/chromium (scripts/install-deps
// installs it). Screenshots go to playground/test-artifacts/;
// UPDATE_SCREENSHOT=1 also writes the README's docs/playground.png.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, '..', 'test-artifacts');
mkdirSync(artifacts, { recursive: true });

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const BIN = process.env.VFSCOPE_BIN;

let server, base, context, userDir;

/** Starts vfscope serve on a free port and resolves with its URL. */
function startServer(args) {
  return new Promise((resolve, reject) => {
    if (!BIN) return reject(new Error('VFSCOPE_BIN is not set: run these tests with `make test-browser`'));
    const p = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`vfscope serve printed no URL in 10s: ${out}`)), 10000);
    p.stdout.on('data', (b) => {
      out += b;
      const m = /vfscope playground: (http:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ p, url: m[1] }); }
    });
    p.stderr.on('data', (b) => { out += b; });
    p.on('exit', (code) => { clearTimeout(timer); reject(new Error(`vfscope serve exited ${code}: ${out}`)); });
  });
}

before(async () => {
  const s = await startServer(['--live', '--allow-write']);
  server = s.p;
  base = s.url;
  userDir = mkdtempSync(join(tmpdir(), 'vfscope-chromium-'));
  context = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1500, height: 950 },
  });
});

after(async () => {
  await context?.close();
  server?.kill();
  if (userDir) rmSync(userDir, { recursive: true, force: true });
});

/** Opens the app and waits until it has booted its VFS. */
async function open(path = '') {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(base + path);
  await page.waitForSelector('body[data-ready]', { timeout: 30000 });
  if (await page.getAttribute('body', 'data-ready') !== '1') {
    assert.fail(`the app failed to start: ${errors.join('; ')} ${await terminalText(page)}`);
  }
  page.errors = errors;
  return page;
}

/**
 * Types a command into the terminal and waits until the timeline records
 * it. keys: one key press per character (the first test's way); otherwise
 * the line arrives as one input event, as a paste does, which is quicker.
 */
async function type(page, line, { keys = false } = {}) {
  const n = await page.locator('#commands li').count();
  await page.click('#terminal');
  if (keys) await page.keyboard.type(line);
  else await page.keyboard.insertText(line);
  await page.keyboard.press('Enter');
  await page.waitForFunction((k) => document.querySelectorAll('#commands li').length > k, n, { timeout: 30000 });
}

/** The terminal's buffer (scrollback included), lines the terminal wrapped joined again. */
async function terminalText(page) {
  return page.evaluate(() => {
    const b = window.vfscope.term.xterm.buffer.active;
    let text = '';
    for (let i = 0; i < b.length; i++) {
      const l = b.getLine(i);
      if (!l) continue;
      text += (i > 0 && !l.isWrapped ? '\n' : '') + l.translateToString(true);
    }
    return text;
  });
}

/** Waits until the terminal's text (terminalText) matches re. */
async function waitTerminal(page, re) {
  const deadline = Date.now() + 30000;
  while (!re.test(await terminalText(page))) {
    if (Date.now() > deadline) assert.fail(`the terminal never matched ${re}: ${await terminalText(page)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
}

// The README's picture of the app is the writeback lesson's last screen:
// kept in the artifacts on every run, and written to docs/playground.png
// when UPDATE_SCREENSHOT=1 (`UPDATE_SCREENSHOT=1 make test-browser`).
const README_LESSON = 'writeback';
const README_PNG = join(here, '..', '..', 'docs', 'playground.png');

async function readmeShot(page) {
  // The view as it is, without the mouse pointer's hover or the
  // terminal's cursor blinking into the picture.
  await page.mouse.move(0, 0);
  const png = await page.screenshot({ path: join(artifacts, 'readme.png') });
  assert.ok(png.length > 10000, 'a screenshot of the app');
  if (process.env.UPDATE_SCREENSHOT === '1') writeFileSync(README_PNG, png);
}

test('the page loads, the terminal runs the shell in the browser', async () => {
  const page = await open();
  await type(page, 'mkdir -p /tmp/t1/sub', { keys: true });
  await type(page, 'echo hello > /tmp/t1/sub/f', { keys: true });
  await type(page, 'cat /tmp/t1/sub/f', { keys: true });
  await type(page, 'ls /tmp/t1/missing', { keys: true });
  const text = await terminalText(page);
  assert.match(text, /vfscope:\/# cat \/tmp\/t1\/sub\/f\s*\nhello/);
  assert.match(text, /ls: cannot access '\/tmp\/t1\/missing': No such file or directory/);
  await shot(page, 'terminal');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('/proc and /dev are folded until asked for; a phone gets one column with every view in it', async () => {
  const page = await open();
  const devNull = page.locator('#view-dentries text.name', { hasText: /^null$/ });
  assert.equal(await devNull.count(), 0, '/dev/null drawn while /dev is folded');
  await page.check('#show-proc');
  await devNull.first().waitFor({ timeout: 10000 });
  await page.uncheck('#show-proc');
  await page.setViewportSize({ width: 390, height: 844 });
  const layout = await page.evaluate(() => {
    const v = document.getElementById('views').getBoundingClientRect();
    // What sticks out first, for the message: elements past the edge
    // whose parent is not.
    const right = (e) => e.getBoundingClientRect().right;
    const wide = [...document.querySelectorAll('body *')]
      .filter((e) => right(e) > 391 && !(e.parentElement && right(e.parentElement) > 391))
      .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className?.baseVal ?? e.className} to ${Math.round(right(e))}`);
    return { views: v.width, left: v.left, page: document.documentElement.scrollWidth, wide };
  });
  assert.ok(layout.page <= 390, `the page is ${layout.page} px wide on a 390 px screen (${layout.wide.join('; ')})`);
  assert.ok(layout.views > 300 && layout.left >= 0, `the views are ${layout.views} px wide at x=${layout.left}`);
  await shot(page, 'phone');
  assert.deepEqual(page.errors, []);
  await page.close();
});

/**
 * The line being edited as the terminal shows it: the rows from the last
 * prompt down (those it wrapped joined), and where the cursor is, as a
 * row and column from the prompt's first cell.
 */
async function editorScreen(page) {
  await settled(page);
  return page.evaluate(() => {
    const t = window.vfscope.term, b = t.xterm.buffer.active;
    let top = -1;
    for (let i = b.length - 1; i >= 0 && top < 0; i--) {
      const l = b.getLine(i);
      if (!l.isWrapped && l.translateToString(true).startsWith(t.prompt)) top = i;
    }
    const rows = [];
    for (let i = top; i < b.length; i++) rows.push(b.getLine(i).translateToString(true));
    while (rows.length > 1 && rows[rows.length - 1] === '') rows.pop();
    return { text: rows.join(''), rows: rows.length, row: b.baseY + b.cursorY - top, col: b.cursorX, cols: t.xterm.cols, prompt: t.prompt };
  });
}

/** Waits until the terminal has drawn what it was given to write. */
async function settled(page) {
  await page.evaluate(() => new Promise((r) => window.vfscope.term.xterm.write('', r)));
}

/** Where the cursor belongs after the first i characters of text, on a terminal cols wide. */
function cellOf(text, i, cols) {
  // Two columns: East Asian Wide (CJK, kana, hangul, fullwidth forms) and emoji.
  const width = (ch) => (/[\u1100-\u115f\u2e80-\u303e\u3040-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60\u{1f300}-\u{1f64f}\u{1f680}-\u{1f6ff}\u{1f900}-\u{1f9ff}]/u.test(ch) ? 2 : 1);
  let row = 0, col = 0;
  const chars = [...text];
  for (let k = 0; k < i; k++) {
    const w = width(chars[k]);
    if (col + w > cols) { row++; col = 0; }
    col += w;
  }
  // The next character, if it does not fit, starts the next row; after the
  // last one the cursor waits on the next row when the row is full.
  const next = i < chars.length ? width(chars[i]) : 1;
  if (col + next > cols) { row++; col = 0; }
  return { row, col };
}

// A line longer than the terminal is wide wraps onto more rows: the
// editor redraws all of them (no copies left on the rows above), and
// its cursor moves across them.
test('the line editor draws a line wider than the terminal once, its cursor where the keys put it', async () => {
  const page = await open();
  const cols = await page.evaluate(() => window.vfscope.term.xterm.cols);
  const prompt = await page.evaluate(() => window.vfscope.term.prompt);
  const fill = cols - prompt.length;
  const cases = [
    // keys: text typed, or a key to press; line: what the editor holds; at: the cursor (characters)
    { name: 'typed past two rows', keys: ['x'.repeat(2 * cols + 5)], line: 'x'.repeat(2 * cols + 5), at: 2 * cols + 5 },
    { name: 'fills the first row exactly', keys: ['y'.repeat(fill)], line: 'y'.repeat(fill), at: fill },
    { name: 'edited mid-line on the second row', keys: ['z'.repeat(cols + 10), ...Array(20).fill('ArrowLeft'), 'Q'], line: 'z'.repeat(cols - 10) + 'Q' + 'z'.repeat(20), at: cols - 9 },
    { name: 'back across a row boundary', keys: ['w'.repeat(fill + 3), ...Array(5).fill('ArrowLeft')], line: 'w'.repeat(fill + 3), at: fill - 2 },
    // Wide (CJK) and astral (emoji) characters: one character each, two columns.
    { name: 'CJK, edited mid-line', keys: ['漢字漢字', 'ArrowLeft', 'ArrowLeft', 'x'], line: '漢字x漢字', at: 3 },
    { name: 'an emoji deleted whole', keys: ['a😀b', 'ArrowLeft', 'Backspace'], line: 'ab', at: 1 },
    { name: 'emoji, cursor moved back', keys: ['x😀y😀z', 'ArrowLeft', 'ArrowLeft', 'ArrowLeft'], line: 'x😀y😀z', at: 2 },
    { name: 'CJK wrapped past a row', keys: ['漢'.repeat(cols), ...Array(3).fill('ArrowLeft')], line: '漢'.repeat(cols), at: cols - 3 },
    { name: 'deleted back onto the first row', keys: ['v'.repeat(fill + 2), 'Backspace', 'Backspace', 'Backspace'], line: 'v'.repeat(fill - 1), at: fill - 1 },
  ];
  await page.click('#terminal');
  for (const c of cases) {
    await settled(page);
    const before = (await terminalText(page)).trimEnd();
    for (const k of c.keys) {
      if (/^(Arrow|Backspace|Enter|Home|End)/.test(k)) await page.keyboard.press(k);
      else await page.keyboard.type(k);
    }
    const got = await page.evaluate(() => window.vfscope.term.pending.line);
    assert.equal(got, c.line, `${c.name}: the line`);
    const sc = await editorScreen(page);
    assert.equal(sc.text, prompt + c.line, `${c.name}: the line's rows`);
    assert.equal((await terminalText(page)).trimEnd(), `${before} ${c.line}`, `${c.name}: the terminal (no copies of the line)`);
    assert.deepEqual({ row: sc.row, col: sc.col }, cellOf(prompt + c.line, prompt.length + c.at, cols), `${c.name}: the cursor`);
    await page.keyboard.press('Control+C');
  }
  // Enter mid-line: the output goes below the whole line.
  const word = 'e'.repeat(cols + 3);
  await page.keyboard.type(`echo ${word}`);
  for (let k = 0; k < 7; k++) await page.keyboard.press('ArrowLeft');
  const n = await page.locator('#commands li').count();
  await page.keyboard.press('Enter');
  await page.waitForFunction((k) => document.querySelectorAll('#commands li').length > k, n);
  const esc = (t) => t.replace(/[/#]/g, '\\$&');
  assert.match(await terminalText(page), new RegExp(`\\n${esc(prompt)}echo ${word}\\n${word}\\n${esc(prompt.trimEnd())}\\s*$`));
  assert.deepEqual(page.errors, []);
  await page.close();
});

// A new width reflows the rows above the terminal's cursor (xterm.js
// joins or splits the wrapped rows of the lines other than the
// cursor's): the line being edited is drawn again for the new width,
// from the prompt's first row as it is now, so the next key neither
// clears the output above the prompt nor leaves a copy of the line.
test('the line editor redraws a wrapped line once after the terminal is resized, the output above it kept', async () => {
  const page = await open();
  const prompt = await page.evaluate(() => window.vfscope.term.prompt);
  const full = await page.evaluate(() => window.vfscope.term.xterm.cols);
  /** Sets the terminal's width (px; '' the page's own) and waits until its columns change. */
  const resize = async (width) => {
    const was = await page.evaluate(() => window.vfscope.term.xterm.cols);
    await page.evaluate((w) => { document.getElementById('terminal').style.width = w; }, width);
    await page.waitForFunction((c) => window.vfscope.term.xterm.cols !== c, was);
    return page.evaluate(() => window.vfscope.term.xterm.cols);
  };
  const narrow = await page.evaluate(() => `${Math.floor(document.getElementById('terminal').clientWidth / 2)}px`);
  const cases = [
    // from/to: the widths before and after; line(cols): the line typed at from's cols; keys: pressed after the resize
    { name: 'a line that fills two rows, widened', from: narrow, to: '', line: (c) => 'a'.repeat(2 * c - prompt.length), keys: ['k'], at: (l) => l.length },
    { name: 'a line past two rows, widened', from: narrow, to: '', line: (c) => 'b'.repeat(2 * c + 5), keys: ['k'], at: (l) => l.length },
    { name: 'a wrapped line, cursor moved back, widened', from: narrow, to: '', line: (c) => 'c'.repeat(2 * c), keys: ['ArrowLeft', 'ArrowLeft', 'k'], at: (l) => l.length - 2 },
    { name: 'a line that fills two rows, narrowed', from: '', to: narrow, line: (c) => 'd'.repeat(2 * c - prompt.length), keys: ['k'], at: (l) => l.length },
    { name: 'a wrapped line, narrowed', from: '', to: narrow, line: (c) => 'e'.repeat(c + 7), keys: ['ArrowLeft', 'k'], at: (l) => l.length - 1 },
  ];
  await page.click('#terminal');
  for (const [i, c] of cases.entries()) {
    const cols = await page.evaluate(() => window.vfscope.term.xterm.cols);
    if ((c.from === '') !== (cols === full)) await resize(c.from);
    const from = await page.evaluate(() => window.vfscope.term.xterm.cols);
    await type(page, `echo out-${i}`);
    await waitTerminal(page, new RegExp(`\nout-${i}\n`));
    const typed = c.line(from);
    await page.keyboard.insertText(typed);
    await settled(page);
    const before = (await terminalText(page)).trimEnd().slice(0, -(prompt.trimEnd().length + 1 + typed.length)).trimEnd();
    const to = await resize(c.to);
    for (const k of c.keys) {
      if (/^Arrow/.test(k)) await page.keyboard.press(k);
      else await page.keyboard.type(k);
    }
    const line = await page.evaluate(() => window.vfscope.term.pending.line);
    const at = c.at(typed);
    assert.equal(line, typed.slice(0, at) + 'k' + typed.slice(at), `${c.name}: the line`);
    const sc = await editorScreen(page);
    assert.equal(sc.text, prompt + line, `${c.name}: the line's rows`);
    assert.equal((await terminalText(page)).trimEnd(), `${before}\n${prompt}${line}`, `${c.name}: the terminal (the output kept, no copies of the line)`);
    assert.deepEqual({ row: sc.row, col: sc.col }, cellOf(prompt + line, prompt.length + at + 1, to), `${c.name}: the cursor`);
    await page.keyboard.press('Control+C');
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

// The views and the timeline, on the in-browser VFS and on the live one
// (the same views from the same schema).
for (const [q, n, where] of [['', '', ''], ['?live', '-live', ' (live)']]) {
test(`the dentry and page views follow the commands${where}`, async () => {
  const page = await open(q);
  // A failed lookup leaves a negative dentry (on billyfs, disk-like:
  // tmpfs does not keep them, as Linux's does not).
  await type(page, `mkdir -p /mnt/t2${n} /tmp/t2${n}`);
  await type(page, `mount -t billyfs mem /mnt/t2${n}`);
  await type(page, `stat /mnt/t2${n}/ghost`);
  await page.waitForSelector('#view-dentries g.dentry.negative[data-name="ghost"]');
  await type(page, `touch /mnt/t2${n}/ghost`);
  await page.waitForSelector('#view-dentries g.dentry.positive[data-name="ghost"]');
  // A write puts pages in the page cache of the file.
  await type(page, `echo data > /tmp/t2${n}/file`);
  await type(page, `truncate -s 12K /tmp/t2${n}/file`);
  const grid = page.locator(`#view-pages .file-pages[data-path="/tmp/t2${n}/file"] .page`);
  assert.equal(await grid.count(), 3, 'a 12 KiB file has 3 pages');
  const states = await grid.evaluateAll((els) => els.map((e) => e.dataset.state));
  assert.notEqual(states[0], 'absent', `page 0 holds the written data: ${states}`);
  await shot(page, `views${n}`);
  await page.close();
});

test(`the timeline steps back and forth and every view follows${where}`, async () => {
  const page = await open(q);
  await type(page, `mkdir /tmp/t3${n}`);
  await type(page, `touch /tmp/t3${n}/a`);
  await page.click('#commands li[data-index="1"]');
  const where = () => page.textContent('#where');
  assert.match(await where(), new RegExp(`command 2/2 "touch /tmp/t3${n}/a": step (\\d+)/\\1`));
  await page.click('#first');
  assert.match(await where(), /step 0\/\d+ — before the command/);
  // Before the touch, "a" does not exist in the tree.
  assert.equal(await page.locator(`#view-dentries g.dentry[data-path="/tmp/t3${n}/a"]`).count(), 0);
  await page.click('#next');
  assert.match(await where(), /step 1\//);
  await page.click('#last');
  await page.waitForSelector(`#view-dentries g.dentry.positive[data-path="/tmp/t3${n}/a"]`);
  await page.click('#prev');
  assert.doesNotMatch(await where(), /step 0\//);
  // A share link replays the commands on a fresh in-browser VFS (even
  // from a live page: never on the host, which already holds their
  // results) and lands on the step; every replayed command succeeds.
  await page.click('#share-link');
  await page.waitForFunction(() => document.querySelector('#share-url').value !== '');
  const link = await page.inputValue('#share-url');
  assert.match(link, /#share=/);
  const sockets = [];
  const watch = (p) => p.on('websocket', (ws) => sockets.push(ws.url()));
  context.on('page', watch);
  const page2 = await open(link.slice(base.length));
  context.off('page', watch);
  await page2.waitForFunction(() => document.querySelectorAll('#commands li').length === 2);
  assert.match(await page2.textContent('#where'), /command 2\/2/);
  const replayed = await records(page2);
  assert.deepEqual(replayed.map((r) => [r.line, r.status, r.output]),
    [[`mkdir /tmp/t3${n}`, 0, ''], [`touch /tmp/t3${n}/a`, 0, '']], 'every replayed command succeeded');
  assert.equal(await page2.evaluate(() => window.vfscope.backend.kind), 'wasm', 'replayed in the browser');
  assert.deepEqual(sockets, [], 'the replay opened no live connection');
  if (n) {
    assert.match(await page2.textContent('#mode'), /in-browser VFS.*replayed here, not on the live host/);
    assert.match(await terminalText(page2), /replayed on a fresh in-browser VFS, not on the live host/);
  }
  assert.doesNotMatch(await terminalText(page2), /File exists|failed on this VFS/);
  await shot(page2, `timeline${n}`);
  await page2.close();
  await page.close();
});

}

/** The timeline's commands with their output and the meminfo counters after each. */
async function records(page) {
  return page.evaluate(() => window.vfscope.timeline.records.map((r) => ({
    line: r.line, output: r.output, status: r.status, meminfo: r.after.counters.meminfo,
  })));
}

/** The record of the last command whose line is line. */
function rec(rs, line) {
  const r = rs.findLast((x) => x.line === line);
  assert.ok(r, `the lesson ran "${line}": ${rs.map((x) => x.line).join('; ')}`);
  return r;
}

/** The kB values of a `cat /proc/meminfo` output. */
function meminfoText(out) {
  const kb = {};
  for (const m of out.matchAll(/^([A-Za-z()_0-9]+):\s+(\d+) kB$/gm)) kb[m[1]] = Number(m[2]);
  assert.ok('Dirty' in kb && 'Cached' in kb, `a /proc/meminfo output: ${out}`);
  return kb;
}

/** The series the meminfo plot draws (one value per command, NaN for a gap). */
async function plotted(page, key) {
  const v = await page.getAttribute(`#view-meminfo path[data-series="${key}"]`, 'data-values');
  return v.split(',').map((x) => (x === '' ? NaN : Number(x)));
}

/**
 * The lock-class graph, with the many classes a lesson teaches, is drawn
 * inside its panel (scaled to fit), and zooms and pans.
 */
async function lockGraphFitsAndZooms(page) {
  const svg = page.locator('#view-lockgraph svg.lockgraph');
  const n = await page.locator('#view-lockgraph g.lockclass').count();
  assert.ok(n >= 15, `many lock classes: ${n}`);
  const box = await svg.boundingBox();
  const panel = await page.locator('.panel[data-view="locks"]').boundingBox();
  assert.ok(box.height <= 421 && box.width <= panel.width, `the graph stays in its panel: ${JSON.stringify(box)} in ${JSON.stringify(panel)}`);
  await page.click('#view-lockgraph button.zoom-fit');
  const inside = async () => (await page.locator('#view-lockgraph g.lockclass circle').evaluateAll((cs, b) => cs.filter((c) => {
    const r = c.getBoundingClientRect();
    return r.left >= b.x - 1 && r.right <= b.x + b.width + 1 && r.top >= b.y - 1 && r.bottom <= b.y + b.height + 1;
  }).length, box));
  assert.equal(await inside(), n, 'every class is drawn inside the fitted view');
  const fitted = Number(await svg.getAttribute('data-scale'));
  await page.click('#view-lockgraph button.zoom-in');
  assert.ok(Number(await svg.getAttribute('data-scale')) > fitted, 'zoomed in');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, 400);
  await page.waitForFunction((k) => Number(document.querySelector('#view-lockgraph svg.lockgraph').dataset.scale) < k * 1.5 - 0.001, fitted);
  await page.click('#view-lockgraph button.zoom-fit');
  assert.equal(Number(await svg.getAttribute('data-scale')), fitted, 'fit returns to the whole graph');
}

// What each lesson must show besides running: the numbers it talks about.
const lessonChecks = {
  async 'negative-dentries'(page) {
    // The timeline stops where the failed lookup on billyfs puts its
    // negative dentry on the LRU: drawn negative, on the LRU list, on
    // the path it names.
    assert.match(await page.textContent('#where'), /"stat \/mnt\/disk\/missing": step [1-9]\d*\/.*dentry\.lru_add "missing"/);
    await page.waitForSelector('#view-dentries g.dentry.negative.lru[data-path="/mnt/disk/missing"]');
    await page.waitForSelector('#view-hash .lru-item.negative:text("missing")');
    // After rm the name is negative again, which dentry-state counts.
    const ds = rec(await records(page), 'cat /proc/sys/fs/dentry-state').output.trim().split(/\s+/).map(Number);
    assert.ok(ds[4] >= 1, `nr_negative counts the removed name: ${ds}`);
  },
  async 'cross-rename'(page) {
    // At ->rename the task holds s_vfs_rename_mutex, then both parents'
    // i_rwsem (I_MUTEX_PARENT, I_MUTEX_PARENT2), as directory-locking.rst says.
    assert.match(await page.textContent('#where'), /"mv [^"]*": step [1-9]\d*\/.*method\.enter inode_operations\.rename/);
    const held = await page.locator('#view-held .task-held li').allTextContents();
    const at = (re) => held.findIndex((h) => re.test(h));
    const rename = at(/s_vfs_rename_key/), p1 = at(/i_mutex_dir_key#tmpfs\/1 /), p2 = at(/i_mutex_dir_key#tmpfs\/5 /);
    assert.ok(rename >= 0 && p1 > rename && p2 > p1, `held in lock order: ${held.join(' | ')}`);
  },
  async writeback(page) {
    const rs = await records(page);
    const mounted = rec(rs, 'mount -t billyfs mem /mnt/disk').meminfo;
    const wrote = rec(rs, 'echo "hello, page cache" > /mnt/disk/f').meminfo;
    const copied = rec(rs, 'cp /tmp/zeros /mnt/disk/copy').meminfo;
    const synced = rec(rs, 'sync').meminfo;
    assert.equal(wrote.Dirty - mounted.Dirty, 4, 'a short write dirties one page');
    assert.equal(copied.Dirty - wrote.Dirty, 64, 'copying 64 KiB dirties 16 pages');
    assert.equal(synced.Dirty, 0, 'sync writes every dirty page back');
    assert.ok(synced.Cached >= copied.Cached, `written-back pages stay cached: ${copied.Cached} -> ${synced.Cached} kB`);
    // What the terminal printed from /proc/meminfo is what the snapshot said.
    const cats = rs.filter((r) => r.line === 'cat /proc/meminfo').slice(-2);
    assert.equal(meminfoText(cats[0].output).Dirty, copied.Dirty);
    assert.equal(meminfoText(cats[1].output).Dirty, 0);
    assert.equal(meminfoText(cats[1].output).Cached, synced.Cached);
    // The plot draws those counters, one point per command.
    assert.deepEqual(await plotted(page, 'Dirty'), rs.map((r) => r.meminfo.Dirty));
    assert.deepEqual(await plotted(page, 'Cached'), rs.map((r) => r.meminfo.Cached));
    // The timeline stops where sync puts a page under writeback.
    assert.match(await page.textContent('#where'), /"sync": step [1-9]\d*\/.*page\.flag_set/);
    assert.ok(await page.locator('#view-pages .file-pages[data-path^="/mnt/disk/"] .page[data-state="writeback"]').count() >= 1,
      'a page of a file on /mnt/disk drawn under writeback');
    // The plot's labels give the counters after the selected command,
    // not after the last one: sync's, then the copy's.
    const label = (k) => page.textContent(`#view-meminfo text.meminfo-label[data-series="${k}"]`);
    assert.equal(await label('Dirty'), `Dirty ${synced.Dirty} kB`);
    const where = await page.textContent('#where'), ev = await page.inputValue('#step');
    const cp = rs.findLastIndex((r) => r.line === 'cp /tmp/zeros /mnt/disk/copy');
    const sync = rs.findLastIndex((r) => r.line === 'sync');
    await page.click(`#commands li[data-index="${cp}"]`);
    assert.equal(await label('Dirty'), `Dirty ${copied.Dirty} kB`);
    assert.equal(await label('Cached'), `Cached ${copied.Cached} kB`);
    assert.match(await page.textContent('#view-meminfo .caption'), new RegExp(`labels after command ${cp + 1}$`));
    // Back to where the lesson stopped (the README's picture is taken there).
    await page.click(`#commands li[data-index="${sync}"]`);
    await page.evaluate((v) => {
      const s = document.querySelector('#step');
      s.value = v;
      s.dispatchEvent(new Event('input'));
    }, ev);
    assert.equal(await page.textContent('#where'), where);
  },
  async reclaim(page) {
    // The lesson booted a VFS with a 1 MiB budget and says so.
    assert.match(await page.textContent('#mode'), /memory budget 1 MiB/);
    assert.match(await terminalText(page), /a new in-browser VFS: memory budget 1 MiB/);
    const rs = await records(page);
    const cp = 'cp /mnt/disk/zeros /mnt/disk/copy';
    const mounted = rec(rs, 'mount -t billyfs mem /mnt/disk').meminfo;
    assert.equal(mounted.MemTotal, 1024, 'MemTotal is the 1 MiB budget');
    // Reading "hot" twice activates its page.
    const read = rec(rs, 'cat /mnt/disk/hot /mnt/disk/hot').meminfo;
    assert.ok(read['Active(file)'] >= 4, `the page read twice is on the active list: ${read['Active(file)']} kB`);
    // The copy pushed more pages through than the budget holds; what the
    // page cache held never went over it, at any event of the copy.
    const c = await page.evaluate((line) => {
      const recs = window.vfscope.timeline.records;
      const r = recs.findLast((x) => x.line === line);
      // By inode number: reclaim may evict the unused inode too, and the
      // lookup by cat then makes a new one.
      const early = recs.find((x) => x.line.endsWith('> /mnt/disk/early')).events.find((e) => e.kind === 'page.add').ino;
      const catEarly = recs.findLast((x) => x.line === 'cat /mnt/disk/early');
      let pages = r.before.counters.meminfo.Cached / 4, max = pages;
      const n = { add: 0, direct: 0, kswapd: 0, wb: 0, earlyOut: 0 };
      for (const e of r.events) {
        if (e.kind === 'page.add') { n.add++; max = Math.max(max, ++pages); }
        if (e.kind === 'page.remove') {
          pages--;
          if (e.task) n.direct++; else n.kswapd++;
          if (e.ino === early) n.earlyOut++;
        }
        if (e.kind === 'writeback.start') n.wb++;
      }
      const earlyIn = catEarly.events.filter((e) => e.kind === 'page.add' && e.ino === early).length;
      return { ...n, max, end: pages, earlyIn, lost: r.events.some((e) => e.kind === 'lost') };
    }, cp);
    assert.equal(c.lost, false, 'no events of the copy were dropped');
    assert.ok(c.add >= 2 * 384, `the copy read 384 pages and wrote 384: ${c.add} pages added`);
    assert.ok(c.max <= 1024 / 4, `the page cache never held more than the budget: at most ${c.max} pages`);
    assert.ok(c.direct + c.kswapd >= c.add - 256, `pages were reclaimed: ${c.direct} by direct reclaim, ${c.kswapd} by kswapd`);
    assert.ok(c.wb >= 1, `dirty pages were written back before being freed: ${c.wb} writeback runs`);
    assert.equal(c.earlyOut, 1, 'the early file\'s page was reclaimed');
    assert.equal(c.earlyIn, 1, 'cat reads the early file back into the page cache');
    // /proc/meminfo, as cat printed it after the copy: the cache within
    // the budget and free memory near the watermarks (budget/32, /16),
    // not the whole budget.
    const after = meminfoText(rs.filter((r) => r.line === 'cat /proc/meminfo').at(-1).output);
    const copied = rec(rs, cp).meminfo;
    assert.equal(after.Cached, copied.Cached);
    assert.ok(after.Cached < after.MemTotal && after.Cached >= 512, `the cache is full, within the budget: Cached ${after.Cached} kB`);
    assert.ok(after.MemFree >= 0 && after.MemFree <= after.MemTotal / 4, `MemFree stays near the watermarks: ${after.MemFree} kB`);
    // The data read back from the store is what was written.
    assert.equal(rec(rs, 'cat /mnt/disk/early').output, 'early: written first, reclaimed first\n');
    // The plot draws free memory and the lists, one point per command.
    for (const k of ['MemFree', 'Cached', 'Dirty', 'Active(file)', 'Inactive(file)']) {
      assert.deepEqual(await plotted(page, k), rs.map((r) => r.meminfo[k]), k);
    }
    assert.match(await page.textContent('#where'), /"cp \/mnt\/disk\/zeros \/mnt\/disk\/copy": step [1-9]\d*\/.*page\.remove/);
    await lockGraphFitsAndZooms(page);
    // A share link carries the budget: the replay boots a 1 MiB VFS and
    // lands on the same step.
    const where = await page.textContent('#where');
    await page.click('#share-link');
    await page.waitForFunction(() => document.querySelector('#share-url').value !== '');
    const page2 = await open((await page.inputValue('#share-url')).slice(base.length));
    await page2.waitForFunction((n) => document.querySelectorAll('#commands li').length === n, rs.length);
    const rs2 = await records(page2);
    assert.deepEqual(rs2.map((r) => r.meminfo.MemTotal), rs.map(() => 1024), 'the replay ran on a 1 MiB VFS');
    assert.deepEqual(rs2.map((r) => [r.line, r.status]), rs.map((r) => [r.line, r.status]), 'each replayed command ended as it did');
    assert.equal(rec(rs2, 'cat /mnt/disk/early').output, 'early: written first, reclaimed first\n');
    // (The number of events may differ: kswapd runs when the scheduler lets it.)
    assert.equal((await page2.textContent('#where')).split(': step')[0], where.split(': step')[0]);
    await page2.close();
  },
  async abba(page) {
    const text = await terminalText(page);
    assert.match(text, /possible circular locking dependency detected/);
    await page.waitForSelector('#view-lockgraph g.lockclass.bad[data-class="lockdep_abba_A"]');
    await page.waitForSelector('#view-lockgraph g.lockclass.bad[data-class="lockdep_abba_B"]');
    // The lesson stops on the report. As in Linux (lock_acquire traces
    // the attempt, then __lock_acquire's validate_chain reports it), the
    // report follows task 2's request of A while it holds B, comes
    // before A is acquired, and its step draws B -> A closing the cycle.
    const around = await page.evaluate(() => {
      const app = window.vfscope;
      const r = app.timeline.records[app.step.cmd];
      return r.events.slice(app.step.ev - 2, app.step.ev + 1).map((e) => `${e.kind} ${e.class ?? ''}`.trim());
    });
    assert.deepEqual(around, ['lock.request lockdep_abba_A', 'report', 'lock.acquire lockdep_abba_A']);
    await page.waitForSelector('#view-lockgraph path.edge[data-from="lockdep_abba_B"][data-to="lockdep_abba_A"]');
    await page.waitForSelector('#view-lockgraph path.edge[data-from="lockdep_abba_A"][data-to="lockdep_abba_B"]');
  },
};

for (const id of ['negative-dentries', 'cross-rename', 'writeback', 'reclaim', 'abba']) {
  test(`lesson ${id} runs in one click`, async () => {
    const page = await open();
    const before = await page.locator('#commands li').count();
    await page.click(`button[data-lesson="${id}"]`);
    await page.waitForSelector(`body[data-lesson-done="${id}"]`, { timeout: 60000 });
    assert.ok(await page.locator('#commands li').count() > before, 'the lesson ran commands');
    assert.notEqual(await page.textContent('#lesson-text'), '');
    await lessonChecks[id]?.(page);
    await shot(page, `lesson-${id}`);
    if (id === README_LESSON) await readmeShot(page);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

test('a lesson after the reclaim lesson gets a VFS with the default budget back', async () => {
  const page = await open();
  for (const id of ['reclaim', 'writeback']) {
    await page.click(`button[data-lesson="${id}"]`);
    await page.waitForSelector(`body[data-lesson-done="${id}"]`, { timeout: 60000 });
  }
  const rs = await records(page);
  assert.equal(rs.find((r) => r.line === 'mount -t billyfs mem /mnt/disk').meminfo.MemTotal, 1024, 'the reclaim lesson ran on 1 MiB');
  assert.equal(rec(rs, 'sync').meminfo.MemTotal, 256 * 1024, 'the default budget is back');
  assert.doesNotMatch(await page.textContent('#mode'), /memory budget/);
  // The plot starts at the restart: one point per command since.
  const since = rs.findLastIndex((r) => r.meminfo.MemTotal === 1024) + 1;
  assert.deepEqual(await plotted(page, 'Cached'), rs.slice(since).map((r) => r.meminfo.Cached));
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the busybox guest runs in the browser on the same VFS', async () => {
  const page = await open();
  await type(page, 'mkdir /tmp/bb');
  await type(page, 'echo from-the-shell > /tmp/bb/f');
  await type(page, 'busybox ls -l /tmp/bb');
  await type(page, 'busybox cp /tmp/bb/f /tmp/bb/g');
  await type(page, 'cat /tmp/bb/g');
  const text = await terminalText(page);
  assert.match(text, /busybox ls -l \/tmp\/bb\s*\ntotal \d+\n.* f\n/);
  assert.match(text, /cat \/tmp\/bb\/g\s*\nfrom-the-shell/);
  // A guest line is the shell's: its working directory, its quoting,
  // its redirections into VFS files.
  await type(page, 'cd /tmp/bb');
  await type(page, 'busybox cat f');
  await type(page, 'busybox echo "hello world" \'a  b\' > out');
  await type(page, "busybox echo 'second line' >> out");
  await type(page, 'cat out');
  await type(page, 'busybox cat < out');
  await type(page, 'busybox cat missing 2> err');
  await type(page, 'cat err');
  await type(page, 'busybox cat missing > both 2>&1');
  await type(page, 'busybox ls > /nonexistent/x');
  await type(page, 'busybox ls && echo x');
  await type(page, 'cd /');
  await type(page, 'busybox cat f');
  const rs = await records(page);
  const out = (line) => rec(rs, line).output;
  assert.equal(rs.findLast((r) => r.line === 'busybox cat f' && r.status === 0)?.output, 'from-the-shell\n', 'relative to the shell\'s cwd');
  assert.equal(out('busybox echo "hello world" \'a  b\' > out'), '', 'redirected, not on the terminal');
  assert.equal(out('cat out'), 'hello world a  b\nsecond line\n', '> then >>, quotes removed');
  assert.equal(out('busybox cat < out'), 'hello world a  b\nsecond line\n', '< is the guest\'s stdin');
  assert.equal(out('busybox cat missing 2> err'), '');
  assert.match(out('cat err'), /missing/);
  assert.match(await page.evaluate(() => window.vfscope.backend.vfs.readFile('/tmp/bb/both', 'utf8')), /missing/, '2>&1 after > f');
  assert.equal(rec(rs, 'busybox ls > /nonexistent/x').status, 1);
  assert.match(out('busybox ls > /nonexistent/x'), /^\/nonexistent\/x: No such file or directory\n$/);
  assert.match(out('busybox ls && echo x'), /a guest runs as a command line of its own/);
  assert.match(rs.at(-1).output, /f: .*no such file/i, 'after cd / the guest looks for f in /');
  assert.equal(rec(rs, 'cat out').status, 0);
  // $? is the guest line's status, as in sh: the guest's exit status, or
  // a redirection's that failed before it started.
  const statuses = [['busybox cat missing', '1'], ['busybox echo ok', '0'], ['busybox nope', '127'],
    ['busybox echo again', '0'], ['busybox ls > /nonexistent/x', '1'], ['busybox true', '0'], ['busybox false', '1'],
    ['busybox true && echo x', '2']];
  for (const [line] of statuses) {
    await type(page, line);
    await type(page, 'echo $?');
  }
  // After su the guest runs as the shell's user: it may not write into
  // a directory only root may write, and what it creates is the user's.
  await type(page, 'mkdir /tmp/rootonly');
  await type(page, 'su 1000');
  await type(page, 'busybox mkdir /tmp/rootonly/x');
  await type(page, 'echo $?');
  await type(page, 'busybox mkdir /tmp/users');
  await type(page, 'su');
  await type(page, 'busybox mkdir /tmp/rootonly/y');
  const rs2 = await records(page);
  const after = (line) => rs2[rs2.findLastIndex((r) => r.line === line) + 1];
  for (const [line, want] of statuses) {
    assert.equal(after(line).line, 'echo $?');
    assert.equal(after(line).output, `${want}\n`, `$? after ${line}`);
  }
  assert.equal(rec(rs2, 'busybox mkdir /tmp/rootonly/x').status, 1);
  assert.equal(rec(rs2, 'busybox mkdir /tmp/rootonly/x').output,
    "mkdir: cannot create directory '/tmp/rootonly/x': Permission denied\n");
  assert.equal(after('busybox mkdir /tmp/rootonly/x').output, '1\n');
  assert.equal(rec(rs2, 'busybox mkdir /tmp/users').status, 0);
  assert.deepEqual(await page.evaluate(() => {
    const v = window.vfscope.backend.vfs;
    return [v.exists('/tmp/rootonly/x'), v.stat('/tmp/users').uid, v.stat('/tmp/rootonly/y').uid];
  }), [false, 1000, 0], 'the user\'s guest made nothing in root\'s directory; root\'s guest after su back did');
  await shot(page, 'busybox');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a dropped .wasm file runs by name, in the shell\'s directory', async () => {
  const page = await open();
  // The busybox guest, dropped under another name, with a file that is not wasm.
  await page.evaluate(async () => {
    const bytes = await (await fetch('./busybox.wasm')).arrayBuffer();
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'bb.wasm', { type: 'application/wasm' }));
    dt.items.add(new File(['just text'], 'notes.txt', { type: 'text/plain' }));
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await waitTerminal(page, /bb\.wasm loaded/);
  const text = await terminalText(page);
  assert.match(text, /\[bb\.wasm loaded: run it with 'bb\.wasm ARGS\.\.\.'\]/);
  assert.match(text, /\[notes\.txt: only \.wasm files run here\]/);
  await type(page, 'mkdir /tmp/dropped');
  await type(page, 'cd /tmp/dropped');
  await type(page, 'bb.wasm echo "from a dropped guest" > g');
  await type(page, 'run bb.wasm cat g');
  await type(page, 'run bb.wasm ls -1');
  await type(page, 'notes.txt');
  const rs = await records(page);
  assert.deepEqual(rs.map((r) => [r.line, r.status]).slice(-4),
    [['bb.wasm echo "from a dropped guest" > g', 0], ['run bb.wasm cat g', 0], ['run bb.wasm ls -1', 0], ['notes.txt', 127]]);
  assert.equal(rec(rs, 'run bb.wasm cat g').output, 'from a dropped guest\n');
  assert.equal(rec(rs, 'run bb.wasm ls -1').output, 'g\n');
  assert.match(rec(rs, 'notes.txt').output, /notes\.txt: command not found/);
  await shot(page, 'dropped-wasm');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a timeline saved as a file opens in another page, "now" is its last state', async () => {
  const page = await open();
  await type(page, 'mkdir /tmp/t5');
  await type(page, 'touch /tmp/t5/kept');
  await type(page, 'ls /tmp/t5');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-file')]);
  assert.equal(download.suggestedFilename(), 'vfscope-timeline.json');
  const dir = mkdtempSync(join(tmpdir(), 'vfscope-timeline-'));
  const file = join(dir, 'vfscope-timeline.json');
  try {
    await download.saveAs(file);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(saved.kind, 'vfscope.timeline/1');
    assert.deepEqual(saved.records.map((r) => [r.line, r.output, r.status]),
      [['mkdir /tmp/t5', '', 0], ['touch /tmp/t5/kept', '', 0], ['ls /tmp/t5', 'kept\n', 0]]);
    // Another page, whose own VFS holds something else.
    const page2 = await open();
    await type(page2, 'mkdir /tmp/elsewhere');
    // Not a timeline: said so, nothing replaced.
    await page2.setInputFiles('#open-file', { name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"kind":"x"}') });
    await waitTerminal(page2, /not a vfscope timeline file/);
    assert.equal(await page2.locator('#commands li').count(), 1);
    await page2.setInputFiles('#open-file', file);
    await page2.waitForFunction(() => document.querySelector('#mode').textContent === 'replaying vfscope-timeline.json');
    assert.deepEqual(await page2.locator('#commands li').allTextContents(),
      saved.records.map((r) => `${r.line}  (${r.events.length} events)`));
    assert.match(await page2.textContent('#where'), /command 3\/3 "ls \/tmp\/t5"/);
    // Stepping works on the file's records.
    await page2.click('#commands li[data-index="1"]');
    await page2.click('#first');
    assert.equal(await page2.locator('#view-dentries g.dentry.positive[data-path="/tmp/t5/kept"]').count(), 0);
    await page2.click('#last');
    await page2.waitForSelector('#view-dentries g.dentry.positive[data-path="/tmp/t5/kept"]');
    // "now" is the end of the file, not this page's VFS.
    await page2.click('#follow');
    assert.match(await page2.textContent('#where'), /the end of the timeline file/);
    await page2.waitForSelector('#view-dentries g.dentry.positive[data-path="/tmp/t5/kept"]');
    assert.equal(await page2.locator('#view-dentries g.dentry[data-path="/tmp/elsewhere"]').count(), 0,
      'the page\'s own VFS is not shown');
    // A replayed file has no VFS to run commands on.
    await page2.click('#terminal');
    await page2.keyboard.insertText('ls /');
    await page2.keyboard.press('Enter');
    await waitTerminal(page2, /replaying a timeline file: reload the page/);
    assert.equal(await page2.locator('#commands li').count(), 3);
    await shot(page2, 'timeline-file');
    assert.deepEqual(page2.errors, []);
    await page2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await page.close();
});

test('a live host VFS over the websocket', async () => {
  const page = await open('?live');
  assert.match(await page.textContent('#mode'), /vfscope serve --live/);
  await type(page, 'mkdir -p /tmp/livedir /mnt/live');
  await type(page, 'mount -t billyfs mem /mnt/live');
  await type(page, 'stat /mnt/live/nothing');
  await page.waitForSelector('#view-dentries g.dentry.positive[data-path="/tmp/livedir"]');
  await page.waitForSelector('#view-dentries g.dentry.negative[data-name="nothing"]');
  // A second viewer sees the same host VFS.
  const page2 = await open('?live');
  await page2.waitForSelector('#view-dentries g.dentry[data-path="/tmp/livedir"]');
  await shot(page, 'live');
  await page2.close();
  await page.close();
});

// Events another client causes just after a command's after-snapshot
// (here: the same backend, as soon as the snapshot resolves) come while
// the record waits for its events: they are past the snapshot, and the
// view shows them on top of it, as it shows any other event.
test('a live view keeps the events that come after a command\'s after-snapshot', async () => {
  const page = await open('?live');
  const cases = [
    { other: 'mkdir /tmp/ghost', path: '/tmp/ghost' },
    { other: 'mkdir /tmp/ghost/inner', path: '/tmp/ghost/inner' },
  ];
  for (const c of cases) {
    const r = await page.evaluate(async (other) => {
      const app = window.vfscope, b = app.backend;
      const snap = b.snapshot, run = b.run.bind(b);
      let n = 0, ran;
      b.snapshot = async () => {
        const s = await snap.call(b);
        if (++n === 2) ran = run(other); // the after-snapshot: the other client's line starts now
        return s;
      };
      try {
        await app.runLine('true');
        await ran;
      } finally {
        b.snapshot = snap;
      }
      await new Promise((r) => setTimeout(r, 500)); // the other line's events have all come by now
      const host = await b.snapshot();
      await b.flush();
      return { live: app.live.seq, host: host.seq };
    }, c.other);
    await page.waitForSelector(`#view-dentries g.dentry.positive[data-path="${c.path}"]`, { timeout: 3000 });
    assert.ok(r.live >= r.host, `${c.other}: the view is at seq ${r.live}, the host at ${r.host}`);
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

// After a loss the views resynchronise from a snapshot: the page asks
// its own VFS for one (and says so when that fails), while a live
// server pushes one itself and is not asked for another.
test('a loss resynchronises from one snapshot, and a failed resync says so', async () => {
  const cases = [
    { q: '', fail: true, requests: 1, text: /\[resync failed: the snapshot failed\]/ },
    { q: '', fail: false, requests: 1 },
    { q: '?live', fail: false, requests: 0 },
  ];
  for (const c of cases) {
    const page = await open(c.q);
    const requests = await page.evaluate(async ({ live, fail }) => {
      const b = window.vfscope.backend, snap = b.snapshot;
      let n = 0;
      b.snapshot = () => { n++; return fail ? Promise.reject(new Error('the snapshot failed')) : snap.call(b); };
      if (live) {
        // What the server sends when it dropped this page's events.
        b.ws.onmessage({ data: JSON.stringify({ type: 'snapshot', snapshot: b.latest() }) });
      } else {
        const listen = [...b.listeners.keys()][0];
        listen([{ kind: 'lost', seq: window.vfscope.live.seq + 1, lost: 1 }], true);
      }
      await new Promise((r) => setTimeout(r, 300));
      b.snapshot = snap;
      return n;
    }, { live: c.q === '?live', fail: c.fail });
    assert.equal(requests, c.requests, `${c.q} fail=${c.fail}: snapshot requests`);
    if (c.text) await waitTerminal(page, c.text);
    assert.deepEqual(page.errors, [], `${c.q} fail=${c.fail}`);
    await page.close();
  }
});

// Between a gap and its resync the dentries' parents can make a cycle
// (an event that moved one lost): no root reaches them, and the tree
// draws them anyway, each once.
test('dentries whose parents make a cycle are drawn, each once', async () => {
  const page = await open();
  const cases = [
    { dirs: '/tmp/cyc2/ca/cb', names: ['ca', 'cb'], top: 'ca', under: 'cb' },
    { dirs: '/tmp/cyc3/cp/cq/cr', names: ['cp', 'cq', 'cr'], top: 'cp', under: 'cr' },
  ];
  for (const c of cases) {
    await type(page, `mkdir -p ${c.dirs}`);
    await page.evaluate(({ top, under }) => {
      const app = window.vfscope, ds = [...app.live.dentries.values()];
      const t = ds.find((d) => d.name === top), u = ds.find((d) => d.name === under);
      app.live.dentries.set(t.id, { ...t, parent: u.id });
      app.render();
    }, c);
    for (const name of c.names) {
      assert.equal(await page.locator(`#view-dentries g.dentry[data-name="${name}"]`).count(), 1, `${c.dirs}: ${name}`);
    }
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

/** Whether the page's main thread answers within ms (a guest running must not hold it). */
async function answers(page, ms = 3000) {
  return Promise.race([page.evaluate(() => true), new Promise((r) => setTimeout(() => r(false), ms))]);
}

/** Types a line and presses Enter without waiting for its record. */
async function start(page, line) {
  await page.click('#terminal');
  await page.keyboard.insertText(line);
  await page.keyboard.press('Enter');
}

test('a guest that writes without end: ENOSPC in a full tmpfs, ^C on the terminal, the page answers meanwhile', async () => {
  const page = await open();
  // A small VFS, so that its tmpfs fills in a moment: write(2) then
  // fails with ENOSPC (mm/shmem.c) and cat exits 1, as on Linux.
  await page.evaluate(() => window.vfscope.restartVFS(4 << 20));
  await type(page, 'busybox cat /dev/zero > /tmp/z');
  let rs = await records(page);
  assert.equal(rec(rs, 'busybox cat /dev/zero > /tmp/z').status, 1);
  assert.match(rec(rs, 'busybox cat /dev/zero > /tmp/z').output, /No space left on device/);
  const size = await page.evaluate(() => window.vfscope.backend.vfs.stat('/tmp/z').size);
  assert.ok(size > 0 && size <= 4 << 20, `the file holds what fitted: ${size} bytes`);
  // To the terminal it never ends: the page keeps answering, and ^C
  // ends it with 128 + SIGINT.
  await start(page, 'busybox cat /dev/zero');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await answers(page), true, 'the page answers while the guest runs');
  assert.equal(await page.locator('#commands li').count(), rs.length, 'still running');
  await page.keyboard.press('Control+C');
  await page.waitForFunction((n) => document.querySelectorAll('#commands li').length > n, rs.length, { timeout: 10000 });
  rs = await records(page);
  assert.equal(rec(rs, 'busybox cat /dev/zero').status, 130);
  assert.ok(rec(rs, 'busybox cat /dev/zero').output.length <= (1 << 20) + 100, 'the record keeps at most 1 MiB of it');
  await waitTerminal(page, /\^C\n/);
  await type(page, 'echo $?');
  assert.equal(rec(await records(page), 'echo $?').output, '130\n');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a share link whose command never ends does not wedge the page: ^C stops the replay', async () => {
  const page = await open();
  const frag = await page.evaluate(async () => {
    const json = JSON.stringify({ v: 1, cmds: ['echo first', 'busybox cat /dev/zero', 'echo never'] });
    const st = new Blob([new TextEncoder().encode(json)]).stream().pipeThrough(new CompressionStream('deflate-raw'));
    const b = new Uint8Array(await new Response(st).arrayBuffer());
    let t = '';
    for (const c of b) t += String.fromCharCode(c);
    return 'share=' + btoa(t).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  });
  await page.close();
  const p = await context.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(`${base}#${frag}`);
  await p.waitForFunction(() => window.vfscope?.timeline.records.length === 1, null, { timeout: 30000 });
  await waitTerminal(p, /replaying the shared commands: \^C stops them/);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(await answers(p), true, 'the page answers while the replayed guest runs');
  await p.click('#terminal');
  await p.keyboard.press('Control+C');
  await p.waitForSelector('body[data-ready="1"]', { timeout: 10000 });
  const rs = await records(p);
  assert.deepEqual(rs.map((r) => [r.line, r.status]), [['echo first', 0], ['busybox cat /dev/zero', 130]]);
  await waitTerminal(p, /\^C: 1 of the 3 shared commands not run/);
  assert.deepEqual(errors, []);
  await p.close();
});

test('arrow keys step the timeline once on the slider, and not at all in the share-link box', async () => {
  const page = await open();
  await type(page, 'mkdir -p /tmp/arrows');
  await page.click('#commands li[data-index="0"]');
  await page.click('#first');
  const step = async () => Number(/step (\d+)\//.exec(await page.textContent('#where'))[1]);
  const cases = [
    { name: 'the page', focus: 'body', key: 'ArrowRight', moves: 1 },
    { name: 'the slider', focus: '#step', key: 'ArrowRight', moves: 1 },
    { name: 'the slider, back', focus: '#step', key: 'ArrowLeft', moves: -1 },
    { name: 'the share-link box', focus: '#share-url', key: 'ArrowLeft', moves: 0 },
    { name: 'the terminal', focus: '#terminal', key: 'ArrowRight', moves: 0 },
  ];
  await page.click('#next');
  await page.click('#next');
  for (const c of cases) {
    if (c.focus === 'body') await page.evaluate(() => document.activeElement?.blur());
    else if (c.focus === '#terminal') await page.click('#terminal');
    else await page.focus(c.focus);
    const before = await step();
    await page.keyboard.press(c.key);
    assert.equal(await step() - before, c.moves, c.name);
  }
  await page.close();
});

test('lessons: a double-click runs one, and none runs on a timeline file; its share link carries its budget', async () => {
  const page = await open();
  await page.dblclick('button[data-lesson="cross-rename"]');
  await page.waitForSelector('body[data-lesson-done="cross-rename"]');
  await new Promise((r) => setTimeout(r, 300));
  const lines = (await records(page)).map((r) => r.line);
  assert.equal(lines.filter((l) => l === 'mv /tmp/lesson2/a/b/f /tmp/lesson2/c/g').length, 1, `ran once: ${lines.join('; ')}`);
  // A timeline of two VFSes: the default one, then a 2 MiB one.
  await page.evaluate(() => window.vfscope.restartVFS(2 << 20));
  await type(page, 'echo small > /tmp/s');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-file')]);
  const dir = mkdtempSync(join(tmpdir(), 'vfscope-timeline-'));
  const file = join(dir, 'two-vfses.json');
  try {
    await download.saveAs(file);
    const page2 = await open();
    await page2.setInputFiles('#open-file', file);
    await page2.waitForFunction(() => document.querySelector('#mode').textContent === 'replaying two-vfses.json');
    assert.deepEqual(await page2.$$eval('#lessons button', (bs) => bs.map((b) => b.disabled)), [true, true, true, true, true],
      'no lesson on a timeline file');
    await page2.click('#share-link');
    await page2.waitForFunction(() => document.querySelector('#share-url').value !== '');
    const link = await page2.inputValue('#share-url');
    const shared = await page2.evaluate(async (u) => {
      const m = /share=([A-Za-z0-9_-]+)/.exec(u);
      const bin = atob(m[1].replace(/-/g, '+').replace(/_/g, '/'));
      const st = new Blob([Uint8Array.from(bin, (c) => c.charCodeAt(0))]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
      return JSON.parse(await new Response(st).text());
    }, link);
    assert.deepEqual(shared.cmds, ['echo small > /tmp/s'], 'the commands of the file\'s last VFS');
    assert.equal(shared.mem, 2 << 20, 'and its budget');
    await page2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a record with lost events says so at the steps past them, and its end is exact', async () => {
  const page = await open();
  await type(page, 'mkdir -p /tmp/gap/a/b');
  await type(page, 'echo x > /tmp/gap/a/b/f');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-file')]);
  const dir = mkdtempSync(join(tmpdir(), 'vfscope-timeline-'));
  const file = join(dir, 'gap.json');
  try {
    await download.saveAs(file);
    // What a page gets when the live server dropped events of a busy
    // command: a "lost" event where they went missing (withGaps, or
    // the resync's), the events on either side kept.
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    const r = saved.records[1];
    const cut = r.events.splice(5, 10);
    r.events.splice(5, 0, { seq: cut.at(-1).seq, time: cut.at(-1).time, kind: 'lost', lost: cut.length });
    writeFileSync(file, JSON.stringify(saved));
    await page.setInputFiles('#open-file', file);
    await page.waitForFunction(() => document.querySelector('#mode').textContent === 'replaying gap.json');
    await page.click('#commands li[data-index="1"]');
    const cases = [
      { ev: 5, lost: '0' }, // before the gap: whole
      { ev: 6, lost: '10' }, // the lost event: the views miss 10 events
      { ev: 7, lost: '10' }, // and every step after it
      { ev: r.events.length, lost: '0' }, // the end: the after-snapshot, exact
    ];
    for (const c of cases) {
      await page.evaluate((ev) => window.vfscope.select({ cmd: 1, ev }), c.ev);
      assert.equal(await page.getAttribute('body', 'data-lost'), c.lost, `step ${c.ev}`);
      const banner = await page.textContent('#lost');
      if (c.lost === '0') assert.equal(banner, '', `step ${c.ev}`);
      else assert.match(banner, /10 events were lost before this point/, `step ${c.ev}`);
    }
    await page.evaluate(() => window.vfscope.select({ cmd: 1, ev: 6 }));
    assert.match(await page.textContent('#events li.current'), /10 events lost here/, 'the event list shows the loss');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});

// While a command runs, nothing replaces what its record belongs to: no
// lesson restarts the VFS under it (the guest would die with the old
// VFS, and its record mix two), and no timeline file replaces the
// timeline it goes into. Both are refused, saying why; after the
// command ends they work again.
test('while a command runs, no lesson starts, the VFS is not restarted and no timeline file opens', async () => {
  const page = await open();
  await type(page, 'echo before > /tmp/before');
  const file = await page.evaluate(() => window.vfscope.timeline.toFile());
  const lessonsDisabled = () => page.$$eval('#lessons button', (bs) => bs.map((b) => b.disabled));
  assert.deepEqual(await lessonsDisabled(), [false, false, false, false, false], 'lessons offered while nothing runs');
  await start(page, 'busybox cat /dev/zero');
  await page.waitForFunction(() => document.querySelectorAll('#lessons button:disabled').length === 5, null, { timeout: 10000 });
  await new Promise((r) => setTimeout(r, 500));
  const cases = [
    {
      name: 'the reclaim lesson\'s button',
      act: () => page.click('button[data-lesson="reclaim"]', { force: true }),
    },
    {
      name: 'a restart',
      act: async () => assert.match(await page.evaluate(() => window.vfscope.restartVFS(1 << 20).then(() => 'restarted', (e) => e.message)),
        /a command is running: the VFS is restarted only when it has ended/),
    },
    {
      name: 'a timeline file',
      act: async () => {
        await page.setInputFiles('#open-file', { name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(file) });
        await waitTerminal(page, /mine\.json not opened: a command is running/);
      },
    },
  ];
  for (const c of cases) {
    await c.act();
    assert.equal(await page.locator('#commands li').count(), 1, `${c.name}: still running, nothing recorded`);
    assert.doesNotMatch(await page.textContent('#mode'), /memory budget|replaying/, c.name);
  }
  await page.click('#terminal');
  await page.keyboard.press('Control+C');
  await page.waitForFunction(() => document.querySelectorAll('#commands li').length === 2, null, { timeout: 10000 });
  const r = await page.evaluate(() => {
    const x = window.vfscope.timeline.records[1];
    return { line: x.line, status: x.status, vfs: x.vfs, mem: x.mem };
  });
  assert.deepEqual(r, { line: 'busybox cat /dev/zero', status: 130, vfs: 0, mem: null }, 'the guest ran to its ^C on the VFS it started on');
  assert.deepEqual(await lessonsDisabled(), [false, false, false, false, false], 'lessons offered again');
  // The same file opens now.
  await page.setInputFiles('#open-file', { name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(file) });
  await page.waitForFunction(() => document.querySelector('#mode').textContent === 'replaying mine.json');
  assert.deepEqual(await page.locator('#commands li').allTextContents(),
    [`echo before > /tmp/before  (${JSON.parse(file).records[0].events.length} events)`]);
  assert.deepEqual(page.errors, []);
  await page.close();
});

// A file the page cannot show is refused before the page switches to
// it: fromFile names a field of the wrong type, and a view that fails to
// draw the file puts the session back. Either way the page stays on its
// own VFS, runs commands and offers lessons.
test('a timeline file that cannot be shown is not opened, and the page stays on its VFS', async () => {
  const page = await open();
  await type(page, 'mkdir /tmp/stay');
  const good = JSON.parse(await page.evaluate(() => window.vfscope.timeline.toFile()));
  const tampered = structuredClone(good);
  tampered.records[0].after.dentries[0].name = 42;
  const cases = [
    { name: 'a dentry name a number', text: JSON.stringify(tampered), want: /t\.json not opened: record 1 of 1 \("mkdir \/tmp\/stay"\): after\.dentries\[0\]\.name is not a string/ },
    { name: 'a view that cannot draw it', text: JSON.stringify(good), breakView: true, want: /t\.json not opened: its views cannot be drawn: no view/ },
  ];
  for (const c of cases) {
    if (c.breakView) {
      await page.evaluate(() => {
        const app = window.vfscope;
        app.select = () => { delete app.select; throw new Error('no view'); };
      });
    }
    await page.setInputFiles('#open-file', { name: 't.json', mimeType: 'application/json', buffer: Buffer.from(c.text) });
    await waitTerminal(page, c.want);
    assert.doesNotMatch(await page.textContent('#mode'), /replaying/, c.name);
    assert.equal(await page.evaluate(() => window.vfscope.replayOnly), false, c.name);
    assert.deepEqual(await page.$$eval('#lessons button', (bs) => bs.map((b) => b.disabled)), [false, false, false, false, false], c.name);
    await page.waitForSelector('#view-dentries g.dentry[data-path="/tmp/stay"]');
    await page.evaluate(() => window.vfscope.term.xterm.clear());
  }
  await type(page, 'mkdir /tmp/still-live');
  assert.deepEqual((await records(page)).map((r) => [r.line, r.status]), [['mkdir /tmp/stay', 0], ['mkdir /tmp/still-live', 0]]);
  await page.waitForSelector('#view-dentries g.dentry[data-path="/tmp/still-live"]');
  assert.deepEqual(page.errors, []);
  await page.close();
});

// The validator reports a cycle once per VFS: the AB-BA lesson gets a
// fresh VFS each run, so a second run stops on its report too.
test('the AB-BA lesson stops on the validator\'s report every time it runs', async () => {
  const page = await open();
  for (const run of [1, 2]) {
    await page.evaluate(() => { document.body.dataset.lessonDone = ''; });
    await page.click('button[data-lesson="abba"]');
    await page.waitForSelector('body[data-lesson-done="abba"]', { timeout: 60000 });
    const at = await page.evaluate(() => {
      const app = window.vfscope;
      const r = app.timeline.records[app.step.cmd];
      return { line: r.line, kind: r.events[app.step.ev - 1]?.kind, vfs: r.vfs };
    });
    assert.deepEqual(at, { line: 'lockdep-abba', kind: 'report', vfs: run }, `run ${run}`);
    await page.waitForSelector('#view-lockgraph g.lockclass.bad[data-class="lockdep_abba_A"]');
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});
