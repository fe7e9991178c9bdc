// The timeline: the events of each command, steppable back and forth.
// Each record keeps the snapshot before the command, its events, and the
// snapshot after, so any step can be rebuilt exactly; the whole thing is
// shareable as a link (the commands, replayed on a fresh VFS) or a file
// (everything, replayed without a VFS).

import { State, type Edge } from './model';
import type { Snapshot, TraceEvent } from './schema';
import { SCHEMA } from './schema';

export interface CommandRecord {
  line: string;
  output: string;
  status: number;
  before: Snapshot;
  events: TraceEvent[];
  after: Snapshot;
  /** The lock graph learned before this command (snapshots do not carry it). */
  classes: string[];
  edges: Edge[];
  /**
   * The memory budget (bytes) of the VFS the command ran on; null for
   * the default. Absent in files written before it was recorded.
   */
  mem?: number | null;
  /** Which VFS of the page the command ran on (0 the first, +1 per restart). Absent in older files. */
  vfs?: number;
}

/**
 * A command's events as its record keeps them: those numbered after the
 * snapshot before it (from) up to the one after it (to), in order, with a
 * "lost" event wherever numbers are missing. Every event the VFS emits
 * takes the next number (vfs/trace's Bus), so a gap is events the page
 * never got (a ring or the live server dropped them, or they had not
 * arrived): the record says so where it happened, with how many, and
 * stepping does not draw the events on either side as if continuous. A
 * "lost" event already there (seq: the last one dropped) covers its gap.
 */
export function withGaps(events: TraceEvent[], from: number, to: number): TraceEvent[] {
  const out: TraceEvent[] = [];
  let prev = from;
  const gap = (end: number, time: number) => {
    if (end > prev) out.push({ kind: 'lost', seq: end, time, lost: end - prev } as TraceEvent);
  };
  for (const e of events) {
    if (e.seq <= from || e.seq > to) continue;
    if (e.kind === 'lost') {
      out.push(e);
      prev = Math.max(prev, e.seq);
      continue;
    }
    if (e.seq <= prev) continue;
    gap(e.seq - 1, e.time);
    out.push(e);
    prev = e.seq;
  }
  gap(to, out.length ? out[out.length - 1].time : 0);
  return out;
}

/** What a share link carries: the commands to replay on a fresh VFS, its budget, the step. */
export interface ShareOf { cmds: string[]; mem?: number; step?: Step }

/**
 * The share link of a timeline's last VFS: the commands run on it from
 * its boot, with its memory budget, so that replaying them on a fresh VFS
 * rebuilds the same state; step is kept when it is one of them. Records
 * without vfs (older files) start a new VFS where the seq numbers start
 * again; without mem, the budget is read from /proc/meminfo's MemTotal
 * (kB) of the last snapshot, when it has one.
 */
export function shareOf(records: CommandRecord[], step?: Step): ShareOf {
  if (!records.length) return { cmds: [] };
  let from = records.length - 1;
  while (from > 0) {
    const a = records[from - 1], b = records[from];
    const same = a.vfs !== undefined && b.vfs !== undefined ? a.vfs === b.vfs : b.before.seq >= a.after.seq;
    if (!same) break;
    from--;
  }
  const last = records[records.length - 1];
  let mem: number | undefined;
  if (last.mem !== undefined) mem = last.mem ?? undefined;
  else {
    const kb = last.after.counters?.meminfo?.MemTotal;
    if (typeof kb === 'number' && kb > 0) mem = kb * 1024;
  }
  const out: ShareOf = { cmds: records.slice(from).map((r) => r.line), mem };
  if (step && step.cmd >= from) out.step = { cmd: step.cmd - from, ev: step.ev };
  return out;
}

/** A position: command index, and how many of its events are applied (events.length = the end). */
export interface Step { cmd: number; ev: number }

export class Timeline {
  records: CommandRecord[] = [];

  /** The state at a step. */
  stateAt(s: Step): State {
    const r = this.records[s.cmd];
    const prev = new State();
    for (const c of r.classes) prev.classes.add(c);
    for (const e of r.edges) prev.edges.set(`${e.from}\u0000${e.to}`, e);
    const st = State.fromSnapshot(r.before, prev);
    const n = Math.min(s.ev, r.events.length);
    for (let i = 0; i < n; i++) st.apply(r.events[i]);
    if (n === r.events.length) {
      // The end of a command is its after-snapshot, exact (events do not
      // carry every counter), with the lock graph the events taught.
      return State.fromSnapshot(r.after, st);
    }
    return st;
  }

  last(): Step | undefined {
    if (!this.records.length) return undefined;
    const c = this.records.length - 1;
    return { cmd: c, ev: this.records[c].events.length };
  }

  next(s: Step): Step {
    const r = this.records[s.cmd];
    if (s.ev < r.events.length) return { cmd: s.cmd, ev: s.ev + 1 };
    if (s.cmd + 1 < this.records.length) return { cmd: s.cmd + 1, ev: 0 };
    return s;
  }

  prev(s: Step): Step {
    if (s.ev > 0) return { cmd: s.cmd, ev: s.ev - 1 };
    if (s.cmd > 0) return { cmd: s.cmd - 1, ev: this.records[s.cmd - 1].events.length };
    return s;
  }

  toFile(): string {
    return JSON.stringify({ schema: SCHEMA, kind: 'vfscope.timeline/1', records: this.records });
  }

  /**
   * Reads a file toFile wrote. The whole file is checked, and every
   * record's states built (its before-snapshot, each event, its
   * after-snapshot), before the timeline is returned: a file that fails
   * throws an Error naming the record and what is wrong, and a caller
   * that replaces its timeline only with the result keeps its own.
   */
  static fromFile(text: string): Timeline {
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch (err) {
      throw new Error(`not a vfscope timeline file: ${(err as Error).message}`);
    }
    const f = o as { kind?: unknown; schema?: unknown; records?: unknown } | null;
    if (!isObject(f) || f.kind !== 'vfscope.timeline/1' || f.schema !== SCHEMA || !Array.isArray(f.records)) {
      throw new Error(`not a vfscope timeline file (want kind vfscope.timeline/1, schema ${SCHEMA})`);
    }
    const t = new Timeline();
    f.records.forEach((r, i) => checkRecord(r, `record ${i + 1} of ${(f.records as unknown[]).length}`));
    t.records = f.records as CommandRecord[];
    t.records.forEach((r, i) => {
      try {
        t.stateAt({ cmd: i, ev: 0 });
        t.stateAt({ cmd: i, ev: r.events.length });
      } catch (err) {
        throw new Error(`record ${i + 1} ("${r.line}"): its states cannot be built: ${(err as Error).message}`);
      }
    });
    return t;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The type a field must have: a '?' after the name means it may be
 * absent (the schema's omitempty fields), else it must be there.
 */
type Fields = Record<string, 'number' | 'string' | 'boolean'>;

/**
 * checkFields checks the fields the model and the views read of one
 * object of a file (a dentry's name is sorted with localeCompare, a lock
 * class too, ids index maps): a file that gives them another type is
 * refused here, naming the field, rather than breaking a view later.
 */
function checkFields(x: Record<string, unknown>, what: string, fields: Fields): void {
  for (const [k, type] of Object.entries(fields)) {
    const optional = k.endsWith('?');
    const name = optional ? k.slice(0, -1) : k;
    const v = x[name];
    if (v === undefined && optional) continue;
    if (typeof v !== type) throw new Error(`${what}.${name} is not a ${type}`);
  }
}

// The fields of each kind of object, as vfs/trace writes them
// (docs/trace-schema.md; the types in web/src/trace.ts).
const DENTRY: Fields = {
  id: 'number', name: 'string', parent: 'number', dev: 'number', count: 'number',
  'inode?': 'number', 'ino?': 'number', 'flags?': 'number', 'bucket?': 'number', 'hashed?': 'boolean', 'lru?': 'boolean',
  'mountpoint?': 'boolean',
};
const INODE: Fields = {
  id: 'number', dev: 'number', ino: 'number', count: 'number', nlink: 'number', state: 'number', size: 'number', mode: 'number',
  'rwsem_writer?': 'number', 'rwsem_readers?': 'number', 'lru?': 'boolean',
};
const MAPPING: Fields = { inode: 'number', 'dev?': 'number', 'ino?': 'number' };
const PAGE: Fields = { index: 'number', flags: 'number' };
const TASK: Fields = { pid: 'number', 'comm?': 'string' };
const HELD: Fields = { class: 'string', 'sub?': 'number', 'mode?': 'string', 'lock?': 'number', 'site?': 'string', 'try?': 'boolean' };
const MOUNT: Fields = {
  id: 'number', dev: 'number', 'parent?': 'number', 'fstype?': 'string', 'source?': 'string', 'root?': 'number',
  'mountpoint?': 'number', 'path?': 'string', 'flags?': 'number',
};
const LRU: Fields = { dev: 'number' };
const REPORT: Fields = { type: 'string', text: 'string', 'task?': 'string' };
const EDGE: Fields = { from: 'string', to: 'string' };
const EVENT: Fields = {
  seq: 'number', kind: 'string', 'time?': 'number', 'task?': 'number', 'dentry?': 'number', 'parent?': 'number',
  'target?': 'number', 'name?': 'string', 'bucket?': 'number', 'inode?': 'number', 'ino?': 'number', 'dev?': 'number',
  'mode?': 'number', 'nlink?': 'number', 'size?': 'number', 'index?': 'number', 'flags?': 'number', 'bits?': 'number',
  'count?': 'number', 'class?': 'string', 'sub?': 'number', 'lock_mode?': 'string', 'lock?': 'number', 'site?': 'string',
  'op?': 'string', 'path?': 'string', 'mount?': 'number', 'err?': 'number', 'lost?': 'number',
};

/**
 * checkList checks that v, if present, is an array of objects with these
 * fields, and that their nested lists (each a list of objects with its
 * own fields) are well formed too.
 */
function checkList(v: unknown, what: string, fields: Fields, nested: Record<string, Fields> = {}): void {
  if (v === undefined) return;
  if (!Array.isArray(v)) throw new Error(`${what} is not a list`);
  v.forEach((x, i) => {
    if (!isObject(x)) throw new Error(`${what}[${i}] is not an object`);
    checkFields(x, `${what}[${i}]`, fields);
    for (const [n, f] of Object.entries(nested)) checkList(x[n], `${what}[${i}].${n}`, f);
  });
}

/** checkIds checks that v, if present, is a list of numbers (dentry ids). */
function checkIds(v: unknown, what: string): void {
  if (v !== undefined && (!Array.isArray(v) || !v.every((x) => typeof x === 'number'))) {
    throw new Error(`${what} is not a list of numbers`);
  }
}

function checkSnapshot(v: unknown, what: string): void {
  if (!isObject(v)) throw new Error(`${what} is not a snapshot object`);
  checkList(v.dentries, `${what}.dentries`, DENTRY);
  checkList(v.inodes, `${what}.inodes`, INODE);
  checkList(v.pages, `${what}.pages`, MAPPING, { pages: PAGE });
  checkList(v.tasks, `${what}.tasks`, TASK, { held: HELD });
  checkList(v.mounts, `${what}.mounts`, MOUNT);
  checkList(v.lru, `${what}.lru`, LRU);
  if (Array.isArray(v.lru)) v.lru.forEach((l, i) => checkIds((l as Record<string, unknown>).dentries, `${what}.lru[${i}].dentries`));
  checkList(v.reports, `${what}.reports`, REPORT);
  for (const k of ['hash', 'counters'] as const) {
    if (v[k] !== undefined && !isObject(v[k])) throw new Error(`${what}.${k} is not an object`);
  }
  if (isObject(v.hash)) checkFields(v.hash, `${what}.hash`, { 'buckets?': 'number' });
  if (v.seq !== undefined && typeof v.seq !== 'number') throw new Error(`${what}.seq is not a number`);
}

function checkRecord(r: unknown, what: string): void {
  if (!isObject(r)) throw new Error(`${what} is not an object`);
  if (typeof r.line !== 'string') throw new Error(`${what}: line is not a string`);
  const w = `${what} ("${r.line}")`;
  if (typeof r.output !== 'string') throw new Error(`${w}: output is not a string`);
  if (typeof r.status !== 'number') throw new Error(`${w}: status is not a number`);
  checkSnapshot(r.before, `${w}: before`);
  if (r.mem !== undefined && r.mem !== null && (!Number.isSafeInteger(r.mem) || (r.mem as number) <= 0)) {
    throw new Error(`${w}: mem is not a positive whole number of bytes`);
  }
  if (r.vfs !== undefined && !Number.isSafeInteger(r.vfs)) throw new Error(`${w}: vfs is not a whole number`);
  checkSnapshot(r.after, `${w}: after`);
  if (!Array.isArray(r.events)) throw new Error(`${w}: events is not a list`);
  r.events.forEach((e, i) => {
    const ev = `${w}: event ${i + 1}`;
    if (!isObject(e)) throw new Error(`${ev} is not an object`);
    if (typeof e.kind !== 'string') throw new Error(`${ev} has no kind`);
    if (typeof e.seq !== 'number') throw new Error(`${ev} has no seq`);
    checkFields(e, ev, EVENT);
    checkList(e.held, `${ev}.held`, HELD);
    if (e.report !== undefined) {
      if (!isObject(e.report)) throw new Error(`${ev}.report is not an object`);
      checkFields(e.report, `${ev}.report`, REPORT);
    }
  });
  if (!Array.isArray(r.classes) || !r.classes.every((c) => typeof c === 'string')) {
    throw new Error(`${w}: classes is not a list of names`);
  }
  if (!Array.isArray(r.edges) || !r.edges.every(isObject)) throw new Error(`${w}: edges is not a list of objects`);
  checkList(r.edges, `${w}: edges`, EDGE);
}

// Share links carry the commands and the step in the URL fragment:
// #share=<base64url of deflate-raw of JSON {v:1, cmds, step, mem}>.

/**
 * mem: the memory budget (bytes) of the VFS the commands ran on, when
 * not the default; the replay boots one with it.
 */
export interface Shared { v: 1; cmds: string[]; step?: Step; mem?: number }

async function pipe(data: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([data as BlobPart]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

function b64url(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function unb64url(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export async function encodeShare(sh: Shared): Promise<string> {
  const z = await pipe(new TextEncoder().encode(JSON.stringify(sh)), new CompressionStream('deflate-raw'));
  return 'share=' + b64url(z);
}

export async function decodeShare(fragment: string): Promise<Shared | undefined> {
  const m = /(?:^#?|&)share=([A-Za-z0-9_-]+)/.exec(fragment);
  if (!m) return undefined;
  const json = new TextDecoder().decode(await pipe(unb64url(m[1]), new DecompressionStream('deflate-raw')));
  const o = JSON.parse(json) as Shared;
  if (o.v !== 1 || !Array.isArray(o.cmds)) throw new Error('unknown share link version');
  if (o.mem !== undefined && !(Number.isSafeInteger(o.mem) && o.mem > 0)) throw new Error(`bad memory budget ${o.mem}`);
  return o;
}
