// The state the views draw: built from a snapshot, moved forward by
// events. Stepping the timeline rebuilds it from a command's "before"
// snapshot plus its first k events, so every view follows the step.

import type {
  Counters, DentrySnap, Held, InodeSnap, MountSnap, Snapshot, TaskSnap, TraceEvent, ValidatorReport,
} from './schema';
import { DCACHE_HASHED, DCACHE_LRU_LIST, DCACHE_MOUNTED, PG } from './schema';

export interface Edge { from: string; to: string }

export class State {
  dentries = new Map<number, DentrySnap>();
  inodes = new Map<number, InodeSnap>();
  /** inode id -> page index -> PG_* flags */
  pages = new Map<number, Map<number, number>>();
  tasks = new Map<number, TaskSnap>();
  mounts = new Map<number, MountSnap>();
  reports: ValidatorReport[] = [];
  /** Lock classes seen and the order dependencies between them (held -> acquired). */
  classes = new Set<string>();
  edges = new Map<string, Edge>();
  hashBuckets = 0;
  /** Counters as of the last snapshot; recount() derives the dcache ones. */
  counters: Counters = { nr_dentry: 0, nr_unused: 0, nr_negative: 0, nr_inodes: 0, nr_free_inodes: 0 };
  seq = 0;
  /**
   * Events known lost since the snapshot this state was built from (a
   * "lost" event): the views drawn from it miss what they did, until
   * the next snapshot.
   */
  lost = 0;
  /** The LRU order of each superblock from the snapshot (hottest first); events append. */
  lru = new Map<number, number[]>();

  static fromSnapshot(s: Snapshot, prev?: State): State {
    const st = new State();
    for (const d of s.dentries ?? []) st.dentries.set(d.id, { ...d });
    for (const i of s.inodes ?? []) st.inodes.set(i.id, { ...i });
    for (const m of s.pages ?? []) {
      const pm = new Map<number, number>();
      for (const p of m.pages ?? []) pm.set(p.index, p.flags);
      st.pages.set(m.inode, pm);
    }
    for (const t of s.tasks ?? []) st.tasks.set(t.pid, { ...t, held: [...(t.held ?? [])] });
    for (const m of s.mounts ?? []) st.mounts.set(m.id, { ...m });
    for (const l of s.lru ?? []) st.lru.set(l.dev, [...(l.dentries ?? [])]);
    st.reports = [...(s.reports ?? [])];
    st.hashBuckets = s.hash?.buckets ?? 0;
    st.counters = { ...s.counters, meminfo: { ...(s.counters?.meminfo ?? {}) } };
    st.seq = s.seq;
    // The lock graph is not part of a snapshot: it is learned from the
    // events, so it carries over from the state before.
    if (prev) {
      for (const c of prev.classes) st.classes.add(c);
      for (const [k, e] of prev.edges) st.edges.set(k, e);
    }
    for (const t of st.tasks.values()) for (const h of t.held) st.classes.add(h.class);
    return st;
  }

  clone(): State {
    const st = new State();
    for (const [k, d] of this.dentries) st.dentries.set(k, { ...d });
    for (const [k, i] of this.inodes) st.inodes.set(k, { ...i });
    for (const [k, m] of this.pages) st.pages.set(k, new Map(m));
    for (const [k, t] of this.tasks) st.tasks.set(k, { ...t, held: [...t.held] });
    for (const [k, m] of this.mounts) st.mounts.set(k, { ...m });
    for (const [k, l] of this.lru) st.lru.set(k, [...l]);
    st.reports = [...this.reports];
    st.classes = new Set(this.classes);
    st.edges = new Map(this.edges);
    st.hashBuckets = this.hashBuckets;
    st.counters = { ...this.counters, meminfo: { ...(this.counters.meminfo ?? {}) } };
    st.seq = this.seq;
    return st;
  }

  /** Applies one event (events at or below the state's seq are skipped). */
  apply(e: TraceEvent): void {
    if (e.seq <= this.seq) return;
    this.seq = e.seq;
    const [group] = e.kind.split('.');
    if (group === 'dentry') this.applyDentry(e);
    else if (group === 'inode') this.applyInode(e);
    else if (group === 'page') this.applyPage(e);
    else if (group === 'lock') this.applyLock(e);
    else if (e.kind === 'method.enter' || e.kind === 'method.exit') this.applyMethod(e);
    else if (e.kind === 'report' && e.report) {
      this.reports.push(e.report);
      this.cycleEdge(e.report);
    }
    else if (e.kind === 'lost') this.lost += e.lost && e.lost > 0 ? e.lost : 1;
    else if ((e.kind === 'mount' || e.kind === 'mount.change') && e.mount) {
      // Both carry the mount's whole state after the change (the
      // schema's "Mounts"): mount.change a remount's flags, or the path
      // a rename of a directory above the mount point gave it.
      this.mounts.set(e.mount, {
        id: e.mount, parent: e.parent ?? 0, dev: e.dev ?? 0, fstype: e.op ?? '', source: e.name ?? '',
        root: e.dentry ?? 0, mountpoint: e.target ?? 0, path: e.path ?? '', flags: e.flags ?? 0,
      });
    } else if (e.kind === 'umount' && e.mount) this.mounts.delete(e.mount);
  }

  /**
   * Every dentry event carries the dentry's whole state after the change
   * (docs/trace-schema.md, "Dentries"): name, parent, dev, inode and ino
   * when positive, d_flags and d_count (read when the event was numbered,
   * so that the last event of a dentry has its current count even when
   * tasks raced). Each event replaces all of it, dentry.count included:
   * a reference taken by a mount comes with DCACHE_MOUNTED set, a path
   * walk's with DCACHE_REFERENCED, d_alloc_parallel's with
   * DCACHE_PAR_LOOKUP. hashed, lru and mountpoint are what the snapshot
   * derives from d_flags (DCACHE_HASHED, DCACHE_LRU_LIST,
   * DCACHE_MOUNTED), so they follow the flags the same way.
   *
   * dentry.move is about the moved dentry only. In d_exchange (Linux's
   * __d_move with exchange set: swap_names, target->d_parent =
   * old_parent, __d_rehash(target)) the target's new name and parent
   * arrive in its own dentry.hash event, before the move; in d_move the
   * target keeps its name and parent (it is only unhashed, with its own
   * dentry.unhash). Either way the move event leaves the target alone.
   */
  private applyDentry(e: TraceEvent): void {
    const id = e.dentry ?? 0;
    if (e.kind === 'dentry.kill') {
      this.dentries.delete(id);
      this.lruDel(id);
      return;
    }
    let d = this.dentries.get(id);
    if (!d) {
      d = { id, name: '', parent: id, dev: 0, count: 0, flags: 0, hashed: false, lru: false, bucket: 0 };
      this.dentries.set(id, d);
    }
    // Absent fields are zero (the schema): a root's parent is its own id,
    // never absent.
    d.name = e.name ?? '';
    d.parent = e.parent ?? 0;
    d.dev = e.dev ?? 0;
    // dentry.negative names the inode the dentry had; every other event
    // names the one it has, if any.
    if (e.inode && e.kind !== 'dentry.negative') { d.inode = e.inode; d.ino = e.ino; }
    else { d.inode = undefined; d.ino = undefined; }
    d.count = e.count ?? 0;
    d.flags = e.flags ?? 0;
    d.hashed = (d.flags & DCACHE_HASHED) !== 0;
    d.lru = (d.flags & DCACHE_LRU_LIST) !== 0;
    d.mountpoint = (d.flags & DCACHE_MOUNTED) !== 0;
    // dentry.hash and dentry.unhash carry the chain's bucket.
    if (e.bucket !== undefined) d.bucket = e.bucket;
    if (e.kind === 'dentry.lru_add') {
      this.lruDel(id);
      if (!this.lru.has(d.dev)) this.lru.set(d.dev, []);
      this.lru.get(d.dev)!.unshift(id);
    } else if (!d.lru) {
      this.lruDel(id);
    }
  }

  private lruDel(id: number): void {
    for (const l of this.lru.values()) {
      const i = l.indexOf(id);
      if (i >= 0) l.splice(i, 1);
    }
  }

  /**
   * Inode events carry i_count and i_size as at the event (absent: 0),
   * and inode.count and inode.size report each change of them, so the
   * inode table follows every reference and every write that extends or
   * truncates. inode.count's op says when the inode went on the inode
   * LRU ("unused") or came off it ("used").
   */
  private applyInode(e: TraceEvent): void {
    const id = e.inode ?? 0;
    if (e.kind === 'inode.evict') {
      this.inodes.delete(id);
      this.pages.delete(id);
      return;
    }
    let i = this.inodes.get(id);
    if (!i) {
      i = { id, dev: 0, ino: 0, count: 0, nlink: 0, state: 0, size: 0, mode: 0 };
      this.inodes.set(id, i);
    }
    // Every inode event carries all of these (absent: 0), each as it is
    // after the change: the latest event is the truth, not the first.
    i.dev = e.dev ?? 0;
    i.ino = e.ino ?? 0;
    i.mode = e.mode ?? 0;
    i.count = e.count ?? 0;
    i.state = e.flags ?? 0;
    i.nlink = e.nlink ?? 0;
    i.size = e.size ?? 0;
    if (e.kind === 'inode.count') {
      if (e.op === 'unused') i.lru = true;
      else if (e.op === 'used' || i.count > 0) i.lru = false;
    }
  }

  private applyPage(e: TraceEvent): void {
    const id = e.inode ?? 0;
    let pm = this.pages.get(id);
    if (e.kind === 'page.remove') {
      pm?.delete(e.index ?? 0);
      if (pm && pm.size === 0) this.pages.delete(id);
      return;
    }
    if (!pm) { pm = new Map(); this.pages.set(id, pm); }
    pm.set(e.index ?? 0, e.flags ?? 0);
  }

  private applyLock(e: TraceEvent): void {
    const pid = e.task ?? 0;
    const cls = e.class ?? '?';
    this.classes.add(cls);
    let t = this.tasks.get(pid);
    if (!t) { t = { pid, comm: '', held: [] }; this.tasks.set(pid, t); }
    if (e.kind === 'lock.acquire') {
      const top = t.held[t.held.length - 1];
      if (top && top.class !== cls) {
        const k = `${top.class}\u0000${cls}`;
        if (!this.edges.has(k)) this.edges.set(k, { from: top.class, to: cls });
      }
      const h: Held = { class: cls, sub: e.sub, mode: e.lock_mode ?? 'exclusive', lock: e.lock, site: e.site };
      t.held.push(h);
      const i = this.rwsemInode(e);
      if (i) {
        if (h.mode === 'shared') i.rwsem_readers = (i.rwsem_readers ?? 0) + 1;
        else i.rwsem_writer = pid;
      }
    } else if (e.kind === 'lock.release') {
      let k = -1;
      for (let j = t.held.length - 1; j >= 0; j--) {
        const h = t.held[j];
        if ((e.lock && h.lock === e.lock) || (!e.lock && h.class === cls)) { k = j; break; }
      }
      if (k >= 0) {
        const [h] = t.held.splice(k, 1);
        const i = this.rwsemInode(e);
        if (i) {
          if (h.mode === 'shared') i.rwsem_readers = Math.max(0, (i.rwsem_readers ?? 1) - 1);
          else i.rwsem_writer = undefined;
        }
      }
    }
  }

  /** Held stacks saved at method.enter, restored at the matching exit (per task). */
  private saved = new Map<number, Held[][]>();

  /**
   * A method call lists the locks held at the call (outermost first): the
   * task's held stack at that step, and dependencies between them. Lock
   * events, when the trace has them, refine it.
   */
  private applyMethod(e: TraceEvent): void {
    const pid = e.task ?? 0;
    let t = this.tasks.get(pid);
    if (!t) { t = { pid, comm: '', held: [] }; this.tasks.set(pid, t); }
    if (!this.saved.has(pid)) this.saved.set(pid, []);
    const stack = this.saved.get(pid)!;
    if (e.kind === 'method.enter') {
      stack.push(t.held);
      const held = (e.held ?? []).map((h) => ({ ...h }));
      for (let i = 0; i < held.length; i++) {
        this.classes.add(held[i].class);
        if (i > 0 && held[i - 1].class !== held[i].class) {
          const k = `${held[i - 1].class}\u0000${held[i].class}`;
          if (!this.edges.has(k)) this.edges.set(k, { from: held[i - 1].class, to: held[i].class });
        }
      }
      t.held = held;
    } else if (stack.length) {
      t.held = stack.pop()!;
    }
  }

  /**
   * The inode whose i_rwsem an event is about, when it says (inode field).
   * Lock classes carry lockdep's names for i_rwsem: i_mutex_key and
   * i_mutex_dir_key (per filesystem type, "#tmpfs").
   */
  private rwsemInode(e: TraceEvent): InodeSnap | undefined {
    if (!e.inode || !/i_rwsem|i_mutex_(dir_)?key/.test(e.class ?? '')) return undefined;
    return this.inodes.get(e.inode);
  }

  /** The dcache counters derived from the dentries (what dentry-state would say). */
  dcacheCounts(): { dentries: number; unused: number; negative: number; positive: number } {
    let unused = 0, negative = 0, positive = 0;
    for (const d of this.dentries.values()) {
      if (d.inode) positive++;
      else negative++;
      if (d.lru) unused++;
    }
    return { dentries: this.dentries.size, unused, negative, positive };
  }

  /** Page-cache totals in kB from the pages (4 KiB each). */
  pageCounts(): { Cached: number; Dirty: number; Writeback: number } {
    let cached = 0, dirty = 0, wb = 0;
    for (const pm of this.pages.values()) {
      for (const f of pm.values()) {
        cached++;
        if (f & PG.dirty) dirty++;
        if (f & PG.writeback) wb++;
      }
    }
    return { Cached: cached * 4, Dirty: dirty * 4, Writeback: wb * 4 };
  }

  /**
   * A circular-dependency report is about an attempt: the task holds one
   * class and is trying to take another, and that dependency (held ->
   * wanted) is the edge that closes the cycle. Linux's lockdep reports it
   * inside the attempt (__lock_acquire -> validate_chain ->
   * check_noncircular -> print_circular_bug), before the lock is taken,
   * so the edge is added here: the step that shows the report draws the
   * cycle. The report's text names both ("is trying to acquire lock:" /
   * "but task already holds lock:", print_circular_bug_header).
   */
  private cycleEdge(r: ValidatorReport): void {
    if (!/circular locking dependency/.test(r.type)) return;
    const m = /is trying to acquire lock:\n\s*(\S+)[^\n]*\n\s*\nbut task already holds lock:\n\s*(\S+)/.exec(r.text);
    if (!m) return;
    const cls = (name: string) => (this.classes.has(name) ? name : name.replace(/\/\d+$/, ''));
    const to = cls(m[1]), from = cls(m[2]);
    if (from === to) return;
    this.classes.add(from);
    this.classes.add(to);
    const k = `${from}\u0000${to}`;
    if (!this.edges.has(k)) this.edges.set(k, { from, to });
  }

  /**
   * The classes the validator's reports name (to highlight in the lock
   * graph), whole (a subclass "/N" is its class's), as vfs/lock/report.go
   * writes them: a cycle's, those its dependency chain names ("-> #N
   * (class):" and "while holding class taken at", print_circular_bug's
   * lines), not the held-locks list; recursive locking's, the lock being
   * taken and the one held ("is trying to acquire lock:" / "but task is
   * already holding lock:"); sleeping in atomic context's, the lock
   * being taken ("sleeping: acquiring") and the one that made the task
   * atomic ("atomic because holding <kind> <class>"); a bad unlock's,
   * the lock released; an invalid subclass's, its class; locks held on
   * return or at exit, the held-locks list.
   */
  reportedClasses(): Set<string> {
    const out = new Set<string>();
    const add = (name: string) => {
      const c = this.classes.has(name) ? name : name.replace(/\/\d+$/, '');
      if (this.classes.has(c)) out.add(c);
    };
    /** A held lock as Held.String writes it: the class, its mode in brackets, and where it was taken. */
    const held = (line: string) => /^(.+?) \([^()]*\)(?: at .*)?$/.exec(line)?.[1];
    const each = (text: string, re: RegExp) => { for (const m of text.matchAll(re)) { const c = held(m[1]); if (c) add(c); } };
    for (const r of this.reports) {
      if (/circular locking dependency/.test(r.type)) {
        const chain = /the existing dependency chain[^\n]*\n([\s\S]*?)\n\n(?:other info|$)/.exec(r.text)?.[1] ?? '';
        for (const m of chain.matchAll(/^-> #\d+ \((.+)\):$/gm)) add(m[1]);
        for (const m of chain.matchAll(/^\s*while holding (.+?) taken at /gm)) add(m[1]);
      } else if (/recursive locking/.test(r.type)) {
        each(r.text, /is trying to acquire lock:\n {2}([^\n]+)/g);
        each(r.text, /but task is already holding lock:\n {2}([^\n]+)/g);
      } else if (/sleeping function called/.test(r.type)) {
        for (const m of r.text.matchAll(/^sleeping: acquiring (.+)$/gm)) add(m[1]);
        each(r.text, /^atomic because holding \S+ (.+)$/gm);
      } else if (/bad unlock/.test(r.type)) {
        for (const m of r.text.matchAll(/is trying to release lock \((.+?)\) \S+ at:$/gm)) add(m[1]);
      } else if (/invalid subclass/.test(r.type)) {
        for (const m of r.text.matchAll(/^lock class (.+?) \(subclasses /gm)) add(m[1]);
      } else {
        each(r.text, /^ #\d+: (.+)$/gm);
      }
    }
    return out;
  }

  /**
   * The path of a dentry as a task at / sees it: up to its superblock's
   * root, then on through the mount point of the first mount of that
   * superblock (a bind mount elsewhere is not followed).
   */
  path(id: number): string {
    const parts: string[] = [];
    let d = this.dentries.get(id);
    for (let n = 0; d && n < 64; n++) {
      if (d.parent === d.id) {
        const dev = d.dev;
        let first: MountSnap | undefined;
        for (const m of this.mounts.values()) if (m.dev === dev && (!first || m.id < first.id)) first = m;
        if (first && first.path && first.path !== '/') parts.unshift(first.path.replace(/^\/+|\/+$/g, ''));
        break;
      }
      parts.unshift(d.name);
      d = this.dentries.get(d.parent);
    }
    return '/' + parts.join('/');
  }
}
