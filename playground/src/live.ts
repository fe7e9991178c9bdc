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
  private snapWaiters: ((s: Snapshot) => void)[] = [];
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
          case 'snapshot':
            b.last = m.snapshot!;
            if (!hello) { hello = true; resolve(b); }
            else if (b.snapWaiters.length) b.snapWaiters.shift()!(m.snapshot!);
            else { for (const l of b.listeners) l([], true); b.onSnapshot?.(m.snapshot!); }
            break;
          case 'events':
            for (const l of b.listeners) l(m.events ?? [], false);
            break;
          case 'result':
          case 'error': {
            const f = m.id !== undefined ? b.pending.get(m.id) : undefined;
            if (f) { b.pending.delete(m.id!); f(m); }
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
    return new Promise((resolve) => {
      this.snapWaiters.push(resolve);
      this.ws.send(JSON.stringify({ type: 'snapshot' }));
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
