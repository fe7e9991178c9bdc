// The live backend (src/live.ts) matches snapshot replies to requests by
// the id the server echoes (host/live's protocol), not by arrival order:
// requests that arrive together are answered together, and a snapshot
// the server pushes by itself (after a loss) answers no request. Runs
// under `node --test` against a scripted socket that speaks the
// server's side.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
let dir, LiveBackend, SCHEMA;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vfscope-live-'));
  for (const name of ['live', 'schema']) {
    const out = ts.transpileModule(readFileSync(join(src, `${name}.ts`), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText.replace(/from '\.\/(schema|backend)'/g, "from './$1.mjs'");
    writeFileSync(join(dir, `${name}.mjs`), out);
  }
  ({ LiveBackend } = await import(pathToFileURL(join(dir, 'live.mjs')).href));
  ({ SCHEMA } = await import(pathToFileURL(join(dir, 'schema.mjs')).href));
});

after(() => rmSync(dir, { recursive: true, force: true }));

// ServerSocket stands in for the browser's WebSocket: it records what
// the page sends and lets the test deliver the server's messages.
class ServerSocket {
  static last;
  constructor(url) {
    this.url = url;
    this.sent = [];
    ServerSocket.last = this;
    queueMicrotask(() => {
      this.deliver({ type: 'hello', schema: SCHEMA, name: 'test' });
      this.deliver({ type: 'snapshot', snapshot: { schema: SCHEMA, seq: 0 } });
    });
  }
  send(data) { this.sent.push(JSON.parse(data)); }
  close() {}
  deliver(m) { this.onmessage?.({ data: JSON.stringify(m) }); }
}

test('snapshot replies resolve the request whose id they echo', async () => {
  globalThis.WebSocket = ServerSocket;
  const b = await LiveBackend.connect('ws://test/ws');
  const ws = ServerSocket.last;
  const pushed = [];
  b.onSnapshot = (s) => pushed.push(s.seq);
  const cases = [
    // [requests made at once, the order the server answers them in]
    [3, [0, 1, 2]],
    [3, [2, 0, 1]],
    [1, [0]],
  ];
  for (const [n, order] of cases) {
    const waits = Array.from({ length: n }, () => b.snapshot());
    const reqs = ws.sent.splice(0);
    assert.equal(reqs.length, n);
    assert.ok(reqs.every((r) => r.type === 'snapshot' && Number.isInteger(r.id)), 'each request carries an id');
    assert.equal(new Set(reqs.map((r) => r.id)).size, n, 'the ids differ');
    // The server pushes a snapshot of its own first: no request takes it.
    ws.deliver({ type: 'snapshot', snapshot: { schema: SCHEMA, seq: 999 } });
    for (const k of order) ws.deliver({ type: 'snapshot', id: reqs[k].id, snapshot: { schema: SCHEMA, seq: 100 + k } });
    const got = await Promise.all(waits);
    assert.deepEqual(got.map((s) => s.seq), reqs.map((_, k) => 100 + k), `${n} requests answered in order ${order}`);
  }
  assert.deepEqual(pushed, [999, 999, 999], 'pushed snapshots reach onSnapshot');
  // A request the server refuses rejects with its error.
  const refused = b.snapshot();
  const [r] = ws.sent.splice(0);
  ws.deliver({ type: 'error', id: r.id, error: 'too many snapshot requests pending' });
  await assert.rejects(refused, /too many snapshot requests pending/);
  delete globalThis.WebSocket;
});

// settle waits at most ms for p: a request that is never answered shows
// as { settled: false } rather than hanging the test.
const settle = (p, ms = 500) => Promise.race([
  p.then((value) => ({ settled: true, value }), (error) => ({ settled: true, error: String(error) })),
  new Promise((r) => setTimeout(() => r({ settled: false }), ms)),
]);

// GoneSocket is a ServerSocket whose server can go away: like a
// browser's WebSocket, it drops what is sent after the close.
class GoneSocket extends ServerSocket {
  constructor(url) { super(url); this.readyState = 1; }
  send(data) { if (this.readyState === 1) super.send(data); }
  gone(ev = { code: 1006, reason: '' }) { this.readyState = 3; this.onclose?.(ev); }
}

test('requests fail once the socket has closed, pending or made later', async () => {
  globalThis.WebSocket = GoneSocket;
  const cases = [
    { name: 'a command in flight', before: (b) => [b.run('ls /')], after: () => [] },
    { name: 'a snapshot in flight', before: (b) => [b.snapshot()], after: () => [] },
    { name: 'both in flight', before: (b) => [b.run('ls'), b.snapshot(), b.run('pwd')], after: () => [] },
    { name: 'made after the close', before: () => [], after: (b) => [b.run('ls /'), b.snapshot()] },
  ];
  for (const c of cases) {
    const b = await LiveBackend.connect('ws://test/live');
    let closed = 0;
    b.onClose = () => closed++;
    const reqs = c.before(b);
    GoneSocket.last.gone();
    reqs.push(...c.after(b));
    for (const r of await Promise.all(reqs.map((p) => settle(p)))) {
      assert.equal(r.settled, true, `${c.name}: a request never settled`);
      assert.match(r.error ?? '', /the live connection closed \(code 1006\)/, `${c.name}: ${JSON.stringify(r)}`);
    }
    assert.equal(closed, 1, `${c.name}: onClose`);
  }
});

test("the server's exit frame says why later requests fail", async () => {
  globalThis.WebSocket = GoneSocket;
  const b = await LiveBackend.connect('ws://test/live');
  GoneSocket.last.deliver({ type: 'exit', status: 3, error: 'app.wasm has exited (status 3)' });
  GoneSocket.last.gone({ code: 1000, reason: 'app.wasm has exited (status 3)' });
  const r = await settle(b.run('ls'));
  assert.match(r.error ?? '', /the live connection closed \(app\.wasm has exited \(status 3\)\)/);
});

test('a result that ended the shell says so', async () => {
  globalThis.WebSocket = GoneSocket;
  const b = await LiveBackend.connect('ws://test/live');
  const ws = GoneSocket.last;
  const cases = [
    { line: 'exit 3', reply: { status: 3, exited: true }, want: { output: 'vfscope: the shell exited (status 3); the next line runs in a fresh shell\n', status: 3 } },
    { line: 'echo hi', reply: { output: 'hi\n' }, want: { output: 'hi\n', status: 0 } },
  ];
  for (const c of cases) {
    const p = b.run(c.line);
    const sent = ws.sent.at(-1);
    assert.equal(sent.line, c.line);
    ws.deliver({ type: 'result', id: sent.id, ...c.reply });
    assert.deepEqual(await p, c.want);
  }
});

// host/live drops a slow viewer's frames and sends it a snapshot without
// an id instead: the events between the last one the page got and that
// snapshot are lost, and the page's record must say so with a "lost"
// event (the schema's, as the in-browser VFS's ring sends), not stitch
// the events on either side together as if continuous.
test('a snapshot pushed after dropped frames is a lost event with the gap', async () => {
  globalThis.WebSocket = ServerSocket;
  const cases = [
    { name: 'events then a gap', events: [1, 2, 3], pushed: 40, want: { kind: 'lost', seq: 40, lost: 37 } },
    { name: 'a gap right after the first snapshot', events: [], pushed: 9, want: { kind: 'lost', seq: 9, lost: 9 } },
    { name: 'a push with no events missing still says events were lost', events: [1, 2], pushed: 2, want: { kind: 'lost', seq: 2, lost: 1 } },
  ];
  for (const c of cases) {
    const b = await LiveBackend.connect('ws://test/ws');
    const ws = ServerSocket.last;
    const got = [];
    b.subscribe((evs, lost) => got.push({ evs, lost }));
    if (c.events.length) ws.deliver({ type: 'events', events: c.events.map((seq) => ({ seq, time: seq, kind: 'dentry.add' })) });
    ws.deliver({ type: 'snapshot', snapshot: { schema: SCHEMA, seq: c.pushed } });
    const last = got.at(-1);
    assert.equal(last.lost, true, `${c.name}: the batch says events were lost`);
    assert.deepEqual(last.evs, [c.want], c.name);
  }
});
