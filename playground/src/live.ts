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
}

export class LiveBackend implements Backend {
  readonly kind = 'live' as const;
  name = 'live';
  writable = false;
  private ws!: WebSocket;
  private listeners = new Set<(events: TraceEvent[], lost: boolean) => void>();
  private pending = new Map<number, (m: Message) => void>();
  // Snapshot requests by id: the server echoes the id in its reply.
  private snapWaiters = new Map<number, (s: Snapshot) => void>();
  private snapFailed = new Map<number, (e: Error) => void>();
  private nextID = 1;
  private last?: Snapshot;
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
      ws.onclose = () => { if (!hello) reject(new Error(`${url} closed the connection`)); else b.onClose?.(); };
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
            // A reply to a request names it; one without an id is the
            // first snapshot, or one pushed after the page lost events.
            const w = m.id !== undefined ? b.snapWaiters.get(m.id) : undefined;
            if (!hello) { hello = true; resolve(b); }
            else if (w) { b.snapWaiters.delete(m.id!); w(m.snapshot!); }
            else if (m.id === undefined) { for (const l of b.listeners) l([], true); b.onSnapshot?.(m.snapshot!); }
            break;
          }
          case 'events':
            for (const l of b.listeners) l(m.events ?? [], false);
            break;
          case 'result':
          case 'error': {
            const f = m.id !== undefined ? b.pending.get(m.id) : undefined;
            if (f) { b.pending.delete(m.id!); f(m); }
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

  run(line: string): Promise<RunResult> {
    const id = this.nextID++;
    return new Promise((resolve) => {
      this.pending.set(id, (m) => {
        if (m.type === 'error') resolve({ output: `vfscope: ${m.error}\n`, status: 1 });
        else resolve({ output: m.output ?? '', status: m.status ?? 0 });
      });
      this.ws.send(JSON.stringify({ type: 'command', id, line }));
    });
  }

  snapshot(): Promise<Snapshot> {
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
