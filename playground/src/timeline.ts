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

  static fromFile(text: string): Timeline {
    const o = JSON.parse(text);
    if (o?.kind !== 'vfscope.timeline/1' || o.schema !== SCHEMA || !Array.isArray(o.records)) {
      throw new Error(`not a vfscope timeline file (want kind vfscope.timeline/1, schema ${SCHEMA})`);
    }
    const t = new Timeline();
    t.records = o.records;
    return t;
  }
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
