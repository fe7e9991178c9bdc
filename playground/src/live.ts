// The live backend: a host-side VFS shown over vfscope serve's websocket
// (host/live). Same schema, same views; commands only when the server
// allows them.

import type { Backend, RunResult } from './backend';
import type { Snapshot, TraceEvent } from './schema';
import { SCHEMA } from './schema';

interface Message {
  type: string;
  schema?: string;
  writable?: boolean;
  name?: string;
  snapshot?: Snapshot;
  events?: TraceEvent[];
  id?: number;
  output?: string;
  status?: number;
  error?: string;
  exited?: boolean;
}

export class LiveBackend implements Backend {
  readonly kind = 'live' as const;
  name = 'live';
  writable = false;
  private ws!: WebSocket;
  private listeners = new Set<(events: TraceEvent[], lost: boolean) => void>();
  private pending = new Map<number, { done: (m: Message) => void; fail: (e: Error) => void }>();
  // Snapshot requests by id: the server echoes the id in its reply.
  private snapWaiters = new Map<number, (s: Snapshot) => void>();
  private snapFailed = new Map<number, (e: Error) => void>();
  private nextID = 1;
  private last?: Snapshot;
  /** The seq of the last event delivered (or of the snapshot, if later). */
  private lastSeq = 0;
  // Set once the socket has closed: every request pending then, and any
  // made later, fails with it (they would never be answered).
  private closed?: Error;
  // What the server's last frame said before it closed ("exit").
  private goodbye?: string;
  /** Called with each snapshot the server pushes (after a loss, say). */
  onSnapshot?: (s: Snapshot) => void;
  onClose?: () => void;

  static connect(url: string): Promise<LiveBackend> {
    const b = new LiveBackend();
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      b.ws = ws;
      let hello = false;
      ws.onerror = () => { if (!hello) reject(new Error(`cannot connect to ${url}`)); };
      ws.onclose = (ev?: CloseEvent) => {
        const why = b.goodbye || ev?.reason || (ev?.code ? `code ${ev.code}` : '');
        b.fail(new Error(`the live connection closed${why ? ` (${why})` : ''}`));
        if (!hello) reject(new Error(`${url} closed the connection`)); else b.onClose?.();
      };
      ws.onmessage = (ev) => {
        const m = JSON.parse(String(ev.data)) as Message;
        switch (m.type) {
          case 'hello':
            if (m.schema !== SCHEMA) { reject(new Error(`server speaks ${m.schema}, this page ${SCHEMA}`)); ws.close(); return; }
            b.name = m.name || url;
            b.writable = !!m.writable;
            break;
          case 'snapshot': {
            b.last = m.snapshot!;
            const gap = m.snapshot!.seq - b.lastSeq;
            b.lastSeq = Math.max(b.lastSeq, m.snapshot!.seq);
            // A reply to a request names it; one without an id is the
            // first snapshot, or one pushed after the page lost events.
            const w = m.id !== undefined ? b.snapWaiters.get(m.id) : undefined;
            if (!hello) { hello = true; resolve(b); }
            else if (w) { b.snapWaiters.delete(m.id!); w(m.snapshot!); }
            else if (m.id === undefined) {
              // The server dropped events for this page (it was too slow)
              // and resynchronises it with a snapshot: the events between
              // the last one delivered and the snapshot are lost, and a
              // "lost" event says so, as the in-browser VFS's ring does.
              const lost: TraceEvent = { kind: 'lost', seq: m.snapshot!.seq, lost: Math.max(gap, 1) } as TraceEvent;
              for (const l of b.listeners) l([lost], true);
              b.onSnapshot?.(m.snapshot!);
            }
            break;
          }
          case 'events': {
            const evs = m.events ?? [];
            if (evs.length) b.lastSeq = Math.max(b.lastSeq, evs[evs.length - 1].seq);
            for (const l of b.listeners) l(evs, false);
            break;
          }
          case 'exit':
            // The server's last frame: the VFS has gone (a guest exited).
            b.goodbye = m.error || `exited with status ${m.status ?? 0}`;
            break;
          case 'result':
          case 'error': {
            const f = m.id !== undefined ? b.pending.get(m.id) : undefined;
            if (f) { b.pending.delete(m.id!); f.done(m); }
            const w = m.type === 'error' && m.id !== undefined ? b.snapWaiters.get(m.id) : undefined;
            if (w) { b.snapWaiters.delete(m.id!); b.snapFailed.get(m.id!)?.(new Error(m.error)); }
            if (m.id !== undefined) b.snapFailed.delete(m.id);
            break;
          }
        }
      };
    });
  }

  latest(): Snapshot | undefined { return this.last; }

  /** Fails every pending request, and every later one, with err. */
  private fail(err: Error): void {
    if (this.closed) return;
    this.closed = err;
    const pending = [...this.pending.values()];
    const snaps = [...this.snapFailed.values()];
    this.pending.clear();
    this.snapWaiters.clear();
    this.snapFailed.clear();
    for (const p of pending) p.fail(err);
    for (const f of snaps) f(err);
  }

  run(line: string): Promise<RunResult> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextID++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        done: (m) => {
          if (m.type === 'error') { resolve({ output: `vfscope: ${m.error}\n`, status: 1 }); return; }
          let output = m.output ?? '';
          // The line ended the server's shell: the next runs in a fresh one.
          if (m.exited) output += `vfscope: the shell exited (status ${m.status ?? 0}); the next line runs in a fresh shell\n`;
          resolve({ output, status: m.status ?? 0 });
        },
        fail: reject,
      });
      this.ws.send(JSON.stringify({ type: 'command', id, line }));
    });
  }

  snapshot(): Promise<Snapshot> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextID++;
    return new Promise((resolve, reject) => {
      this.snapWaiters.set(id, (s) => { this.snapFailed.delete(id); resolve(s); });
      this.snapFailed.set(id, reject);
      this.ws.send(JSON.stringify({ type: 'snapshot', id }));
    });
  }

  subscribe(onEvents: (events: TraceEvent[], lost: boolean) => void): () => void {
    this.listeners.add(onEvents);
    return () => this.listeners.delete(onEvents);
  }

  async flush(): Promise<void> {
    // The server sends events every 20 ms; wait for a quiet moment.
    await new Promise((r) => setTimeout(r, 60));
  }
}
