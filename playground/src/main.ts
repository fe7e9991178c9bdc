// The playground: a terminal on a VFS (in the page, or a host's over the
// live websocket), views drawn from its trace, a steppable timeline,
// share links and files, and guided lessons.

import './style.css';
import type { Backend, RunResult } from './backend';
import { LiveBackend } from './live';
import { State } from './model';
import type { Snapshot, TraceEvent } from './schema';
import { describe } from './schema';
import { Term } from './terminal';
import { Timeline, decodeShare, encodeShare, shareOf, withGaps, type Step } from './timeline';
import { lessons, type Lesson } from './lessons';
import { drawDentryTree, drawHashAndLRU } from './views/dentries';
import { drawInodes } from './views/inodes';
import { drawMeminfo, drawPages, MEMINFO_KEYS, type Sample } from './views/pages';
import { drawHeld, drawLockGraph } from './views/locks';

/** The most events one command's record keeps (the rest are counted in a "lost" event). */
const MAX_RECORD_EVENTS = 1 << 18;
/** How often the views are drawn while a command runs. */
const RUNNING_RENDER_MS = 250;
/** How long a command's record waits for the events up to its after-snapshot. */
const CATCH_UP_MS = 3000;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

class App {
  backend!: Backend;
  term: Term;
  timeline = new Timeline();
  /** The selected step; undefined = follow the VFS as it is now. */
  step?: Step;
  /** The VFS as it is now (events applied as they come). */
  live = new State();
  private pending: TraceEvent[] = [];
  /** The highest seq delivered (events, or a lost event's resync). */
  private seenSeq = 0;
  /** Events past MAX_RECORD_EVENTS since the last drain, and the last one's seq. */
  private overflow = 0;
  private overflowSeq = 0;
  /** When the views were last drawn while a command ran. */
  private lastRender = 0;
  /** Whether a command is running (the views are drawn less often then). */
  private running = false;
  /**
   * Whether runLine is running a line, from its before-snapshot to its
   * record: the VFS is not restarted (restartVFS), no lesson starts and
   * no timeline file replaces the timeline meanwhile, so that the record
   * is the command's, on the VFS it ran on.
   */
  private lineRunning = false;
  /** Whether a lesson or a share link is typing its lines (between them too). */
  private scriptRunning = false;
  private dropped = new Map<string, Uint8Array>();
  private busybox?: Uint8Array;
  private renderQueued = false;
  /** Replaying a timeline file: no VFS behind the views. */
  replayOnly = false;
  /** The timeline file's last state: what "now" shows while replaying it. */
  private fileEnd?: State;
  /** A share link opened in live mode, replayed in the page instead. */
  sharedFromLive = false;
  /** The first command run on the VFS there is now (a restart replaces it). */
  private vfsStart = 0;
  /** Which VFS of the page this is (0 the first, +1 per restart): records carry it. */
  private vfsGen = 0;
  /** The /proc/meminfo lines plotted. */
  private plotKeys = MEMINFO_KEYS;
  /** Whether the lesson buttons may start a lesson now. */
  private lessonsOn = false;

  constructor() {
    this.term = new Term($('terminal'));
    this.term.onLine = (line) => this.runLine(line);
    // ^C while a line runs: a guest's ends it (status 130); the shell's
    // own commands run to their end in one call (their output is bounded:
    // RATIONALE.md) and cannot be interrupted.
    this.term.onInterrupt = () => { this.backend?.interrupt?.(); };
  }

  async boot(): Promise<void> {
    const params = new URLSearchParams(location.search);
    const live = params.get('live');
    let shareError = '';
    const shared = await decodeShare(location.hash).catch((e: Error) => { shareError = e.message; return undefined; });
    // A shared timeline is replayed on a fresh in-browser VFS, never on
    // a live host's: its commands would change the host's files (a
    // server may allow writes), and they would not meet the state they
    // ran on there.
    this.sharedFromLive = live !== null && shared !== undefined;
    if (live !== null && !shared) {
      const url = live || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/live`;
      const lb = await LiveBackend.connect(url);
      lb.onSnapshot = (s) => { this.live = State.fromSnapshot(s, this.live); this.queueRender(); };
      lb.onClose = () => this.term.write('\r\n[live connection closed]\r\n');
      this.backend = lb;
      this.live = State.fromSnapshot(lb.latest()!);
    } else {
      const { WasmBackend } = await import('./wasmbackend');
      this.backend = await WasmBackend.boot();
      this.backend.backlog = () => this.term.backlog();
      this.live = State.fromSnapshot(await this.backend.snapshot());
    }
    this.backend.subscribe((events, lost) => {
      // Dropped events: a snapshot resynchronises. A live server pushes
      // one itself after the loss it reports (onSnapshot); the page's
      // VFS is asked for one.
      if (lost && this.backend.kind !== 'live') {
        this.backend.snapshot().then((s) => { this.live = State.fromSnapshot(s, this.live); this.queueRender(); })
          .catch((e: Error) => this.term.write(`[resync failed: ${e.message ?? e}]\r\n`));
      }
      for (const e of events) {
        if (e.seq > this.seenSeq) this.seenSeq = e.seq;
        this.live.apply(e);
        // A command's record keeps at most MAX_RECORD_EVENTS events; the
        // rest are counted, and the record says so (drain).
        if (this.pending.length < MAX_RECORD_EVENTS) this.pending.push(e);
        else {
          this.overflow += e.kind === 'lost' ? (e.lost ?? 1) : 1;
          this.overflowSeq = e.seq;
        }
      }
      if (this.step === undefined) this.queueRender();
    });
    this.showMode();
    this.term.write(
      `vfscope playground — ${this.backend.name}\r\n` +
      `Type 'help' for the shell's commands; 'busybox ls -l /' runs the busybox guest; drop a .wasm file to run it.\r\n`);
    if (shareError) this.term.write(`[bad share link: ${shareError}]\r\n`);
    if (this.sharedFromLive) {
      this.term.write('[a shared timeline: its commands are replayed on a fresh in-browser VFS, not on the live host; ' +
        'open the page without #share=... to watch the host]\r\n');
    }
    this.term.showPrompt();
    this.wire();
    this.render();
    if (shared) {
      if (shared.mem !== undefined && !await this.restartVFS(shared.mem)) {
        this.term.write(`[the shared commands ran on a VFS with a ${fmtBytes(shared.mem)} budget; this one keeps its own]\r\n`);
      }
      const from = this.timeline.records.length;
      this.setLessonsEnabled(false);
      this.scriptRunning = true;
      if (shared.cmds.length) this.term.write('[replaying the shared commands: ^C stops them]\r\n');
      const whole = await this.term.runLines(shared.cmds).finally(() => { this.scriptRunning = false; });
      this.setLessonsEnabled(true);
      if (!whole) this.term.write(`[^C: ${shared.cmds.length - (this.timeline.records.length - from)} of the ${shared.cmds.length} shared commands not run]\r\n`);
      const failed = this.timeline.records.slice(from).filter((r) => r.status !== 0).length;
      if (failed) this.term.write(`[${failed} of the ${shared.cmds.length} shared commands failed on this VFS]\r\n`);
      if (shared.step && this.timeline.records[shared.step.cmd]) this.select(shared.step);
    }
    document.body.dataset.ready = '1';
  }

  private showMode(): void {
    const b = this.backend;
    const mem = b.memoryBudget ? `, memory budget ${fmtBytes(b.memoryBudget)}` : '';
    const shared = this.sharedFromLive ? ' — a shared timeline replayed here, not on the live host' : '';
    $('mode').textContent = `${b.name}${b.writable ? '' : ' (read-only)'}${mem}${shared}`;
  }

  /**
   * Boots a fresh in-browser VFS with this memory budget (undefined: the
   * default) in place of the one there is: its files are gone, the
   * timeline keeps the commands run on it. False when the backend cannot
   * (a live server's VFS). Throws while a line runs: the command would
   * die with the old VFS, and its record mix the two.
   */
  async restartVFS(memoryBudget?: number): Promise<boolean> {
    const b = this.backend;
    if (!b.restart) return false;
    if (this.lineRunning) throw new Error('a command is running: the VFS is restarted only when it has ended (^C ends a guest)');
    await this.drain();
    await b.restart(memoryBudget);
    this.pending = [];
    this.seenSeq = 0; // the new VFS numbers its events from 1
    this.live = State.fromSnapshot(await b.snapshot());
    this.vfsStart = this.timeline.records.length;
    this.vfsGen++;
    if ('prompt' in b) this.term.prompt = (b as unknown as { prompt: string }).prompt;
    this.showMode();
    this.term.write(`[a new in-browser VFS: memory budget ${memoryBudget ? fmtBytes(memoryBudget) : 'the default'}; the old one's files are gone]\r\n`);
    this.step = undefined;
    this.render();
    return true;
  }

  /** Waits until the events numbered up to seq have been delivered, or CATCH_UP_MS has passed. */
  private async catchUp(seq: number): Promise<void> {
    const until = performance.now() + CATCH_UP_MS;
    await this.backend.flush();
    while (this.seenSeq < seq && performance.now() < until) await this.backend.flush();
  }

  private async drain(): Promise<TraceEvent[]> {
    await this.backend.flush();
    const evs = this.pending;
    this.pending = [];
    if (this.overflow) {
      // The events past the record's bound are lost to it, as the ring's
      // are: a "lost" event says how many (docs/trace-schema.md).
      evs.push({ kind: 'lost', seq: this.overflowSeq, lost: this.overflow } as TraceEvent);
      this.overflow = 0;
    }
    return evs;
  }

  async runLine(line: string): Promise<void> {
    if (this.replayOnly) {
      this.term.write('[replaying a timeline file: reload the page to get a VFS]\r\n');
      return;
    }
    if (line.trim() === 'clear') { this.term.xterm.clear(); return; }
    // No lesson starts while the line runs; a lesson's own lines leave
    // its buttons as the lesson set them.
    const lessonsWere = this.lessonsOn;
    this.setLessonsEnabled(false);
    this.lineRunning = true;
    try {
      await this.recordLine(line);
    } finally {
      this.lineRunning = false;
      this.setLessonsEnabled(lessonsWere);
    }
  }

  /** Runs a line and appends its record to the timeline (runLine). */
  private async recordLine(line: string): Promise<void> {
    await this.drain();
    const before = await this.backend.snapshot();
    const graph = { classes: [...this.live.classes], edges: [...this.live.edges.values()] };
    this.running = true;
    let res: RunResult;
    try {
      res = await this.exec(line);
    } finally {
      this.running = false;
    }
    if (!res.streamed) this.term.write(res.output);
    const got = await this.drain();
    const after = await this.backend.snapshot();
    // The events up to the snapshot after the command may still be on
    // their way (a live server sends them every 20 ms, and a busy one
    // later): wait for them a while; what has not come is recorded as
    // lost (withGaps).
    await this.catchUp(after.seq);
    const drained = [...got, ...await this.drain()];
    const events = withGaps(drained, before.seq, after.seq);
    // Events past the after-snapshot (another client's, on a live host)
    // came while the command's record waited: they are not this
    // command's, but they happened, on top of the snapshot (a snapshot
    // taken while events are emitted is the state before the ones after
    // its seq, vfs/trace/snapshot.go). They are applied to the state
    // that replaces live below and stay pending for the next record.
    const later = drained.filter((e) => e.seq > after.seq);
    this.pending = [...later, ...this.pending];
    this.timeline.records.push({
      line, output: res.output, status: res.status, before, events, after, ...graph,
      mem: this.backend.memoryBudget ?? null, vfs: this.vfsGen,
    });
    const st = new State();
    for (const c of graph.classes) st.classes.add(c);
    for (const e of graph.edges) st.edges.set(`${e.from}\u0000${e.to}`, e);
    const ended = State.fromSnapshot(before, st);
    for (const e of events) ended.apply(e);
    this.live = State.fromSnapshot(after, ended);
    for (const e of later) this.live.apply(e);
    if ('prompt' in this.backend) this.term.prompt = (this.backend as unknown as { prompt: string }).prompt;
    this.step = undefined;
    this.render();
  }

  /**
   * Runs a line: a guest's (busybox, a dropped .wasm, "run NAME.wasm")
   * as the shell parses it, in its working directory with its
   * redirections; anything else by the shell itself.
   */
  private async exec(line: string): Promise<RunResult> {
    const b = this.backend;
    if (!b.split || !b.runGuest) {
      // A live server's shell: it runs no guests of this page's.
      const first = line.trim().split(/\s+/)[0];
      if (first === 'busybox' || first === 'run' || this.dropped.has(first)) {
        return { output: `${first}: guests run only on the in-browser VFS\n`, status: 127 };
      }
      return b.run(line);
    }
    const sp = b.split(line);
    const guests = sp.commands.filter((c) => this.guestOf(c.args));
    if (sp.error || !guests.length) return b.run(line);
    const name = this.guestOf(guests[0].args)!;
    // A line refused here still sets $?, as a command that failed would.
    const refuse = (output: string, status: number) => {
      b.setStatus?.(status);
      return { output, status };
    };
    if (sp.commands.length > 1) {
      return refuse(`${name}: a guest runs as a command line of its own (no ';', '&&', '||' or '|')\n`, 2);
    }
    const [cmd] = sp.commands;
    const args = cmd.args.slice(cmd.args[0] === 'run' ? 2 : 1);
    let bytes = this.dropped.get(name);
    if (name === 'busybox') {
      if (!this.busybox) {
        const r = await fetch(new URL('./busybox.wasm', location.href));
        if (!r.ok) return refuse(`busybox: cannot load busybox.wasm (${r.status})\n`, 127);
        this.busybox = new Uint8Array(await r.arrayBuffer());
      }
      bytes = this.busybox;
    }
    try {
      return await b.runGuest(name, bytes!, args, cmd.redirects, sp.cwd, (out) => this.term.writeBytes(out));
    } catch (e) {
      return { output: `${name}: ${(e as Error).message}\n`, status: 126 };
    }
  }

  /** The guest a command's words name: busybox, a dropped .wasm, or "run" one. */
  private guestOf(args: string[]): string | undefined {
    if (args[0] === 'busybox') return 'busybox';
    const name = args[0] === 'run' ? args[1] : args[0];
    return name !== undefined && this.dropped.has(name) ? name : undefined;
  }

  select(s: Step | undefined): void {
    if (s) {
      // A shared step may point past what a replay produced: clamp it.
      const cmd = Math.max(0, Math.min(s.cmd, this.timeline.records.length - 1));
      const r = this.timeline.records[cmd];
      s = r ? { cmd, ev: Math.max(0, Math.min(s.ev, r.events.length)) } : undefined;
    }
    this.step = s;
    this.render();
  }

  private queueRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    // While a command runs its events come by the thousand: the views
    // are drawn a few times a second then, so that the command (a guest
    // sharing the page's thread) keeps most of it.
    const wait = this.running ? Math.max(0, this.lastRender + RUNNING_RENDER_MS - performance.now()) : 0;
    const draw = () => requestAnimationFrame(() => { this.renderQueued = false; this.lastRender = performance.now(); this.render(); });
    if (wait) setTimeout(draw, wait); else draw();
  }

  /**
   * The /proc/meminfo counters after each command, as the VFS reported
   * them in the command's after-snapshot (the same counters
   * meminfo_proc_show prints). A snapshot without them (a timeline file
   * from a server that did not send them) leaves a gap, not a guess.
   */
  private samples(): Sample[] {
    const from = Math.min(this.vfsStart, Math.max(0, this.timeline.records.length - 1));
    return this.timeline.records.slice(from).map((r, i) => {
      const mi = r.after.counters?.meminfo;
      const values: Record<string, number> = {};
      if (mi) for (const k of this.plotKeys) if (typeof mi[k] === 'number') values[k] = mi[k];
      return { t: from + i, values };
    });
  }

  render(): void {
    const st = this.step ? this.timeline.stateAt(this.step) : this.fileEnd ?? this.live;
    const hideProc = !($('show-proc') as HTMLInputElement).checked;
    drawDentryTree($('view-dentries'), st, hideProc);
    drawHashAndLRU($('view-hash'), st);
    drawInodes($('view-inodes'), st);
    drawPages($('view-pages'), st);
    drawMeminfo($('view-meminfo'), this.samples(), this.step?.cmd, this.plotKeys);
    drawHeld($('view-held'), st);
    drawLockGraph($('view-lockgraph'), st);
    const c = st.dcacheCounts();
    // A state past a "lost" event misses what those events did: say so
    // rather than draw it as if it were whole.
    document.body.dataset.lost = String(st.lost);
    $('lost').textContent = st.lost
      ? `${st.lost} events were lost before this point: the views miss what they did (the end of the command is exact again)` : '';
    $('counters').textContent =
      `dentries ${c.dentries} (positive ${c.positive}, negative ${c.negative}, on LRU ${c.unused}) · inodes ${st.inodes.size} · ` +
      `page cache ${st.pageCounts().Cached} kB · reports ${st.reports.length}`;
    this.renderTimeline();
  }

  private renderTimeline(): void {
    const list = $('commands');
    list.replaceChildren();
    this.timeline.records.forEach((r, i) => {
      const li = document.createElement('li');
      li.textContent = `${r.line}  (${r.events.length} events${r.status ? `, status ${r.status}` : ''})`;
      li.dataset.index = String(i);
      if (this.step?.cmd === i) li.className = 'selected';
      li.onclick = () => this.select({ cmd: i, ev: r.events.length });
      list.append(li);
    });
    const slider = $<HTMLInputElement>('step');
    const where = $('where');
    const evList = $('events');
    evList.replaceChildren();
    if (!this.step) {
      slider.disabled = true;
      slider.value = '0';
      where.textContent = this.replayOnly ? 'the end of the timeline file (pick a command to step through its events)'
        : this.timeline.records.length ? 'following the VFS (pick a command to step through its events)' : 'no command yet';
      return;
    }
    const r = this.timeline.records[this.step.cmd];
    slider.disabled = false;
    slider.max = String(r.events.length);
    slider.value = String(this.step.ev);
    where.textContent = `command ${this.step.cmd + 1}/${this.timeline.records.length} "${r.line}": step ${this.step.ev}/${r.events.length}` +
      (this.step.ev > 0 ? ` — ${describe(r.events[this.step.ev - 1])}` : ' — before the command');
    const lo = Math.max(0, this.step.ev - 8), hi = Math.min(r.events.length, this.step.ev + 8);
    for (let i = lo; i < hi; i++) {
      const li = document.createElement('li');
      li.textContent = `${i + 1}. ${describe(r.events[i])}`;
      if (i === this.step.ev - 1) li.className = 'current';
      li.onclick = () => this.select({ cmd: this.step!.cmd, ev: i + 1 });
      evList.append(li);
    }
  }

  private wire(): void {
    const go = (f: (s: Step) => Step) => {
      const s = this.step ?? this.timeline.last();
      if (s) this.select(f(s));
    };
    $('first').onclick = () => go((s) => ({ cmd: s.cmd, ev: 0 }));
    $('prev').onclick = () => go((s) => this.timeline.prev(s));
    $('next').onclick = () => go((s) => this.timeline.next(s));
    $('last').onclick = () => go((s) => ({ cmd: s.cmd, ev: this.timeline.records[s.cmd].events.length }));
    $('follow').onclick = () => this.select(undefined);
    $<HTMLInputElement>('step').oninput = (e) => {
      if (this.step) this.select({ cmd: this.step.cmd, ev: Number((e.target as HTMLInputElement).value) });
    };
    $('show-proc').onchange = () => this.render();
    $('share-link').onclick = async () => {
      // The commands run on the VFS there is now, from its boot (a
      // restart replaced the one before), and its budget; for a timeline
      // file, its last VFS's, as its records say.
      let link;
      if (this.replayOnly) link = shareOf(this.timeline.records, this.step);
      else {
        const from = this.vfsStart;
        const step = this.step && this.step.cmd >= from ? { cmd: this.step.cmd - from, ev: this.step.ev } : undefined;
        link = { cmds: this.timeline.records.slice(from).map((r) => r.line), step, mem: this.backend.memoryBudget };
      }
      const frag = await encodeShare({ v: 1, ...link });
      history.replaceState(null, '', '#' + frag);
      $<HTMLInputElement>('share-url').value = location.href;
      try { await navigator.clipboard.writeText(location.href); } catch { /* not allowed: the box shows it */ }
    };
    $('save-file').onclick = () => {
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([this.timeline.toFile()], { type: 'application/json' }));
      a.download = 'vfscope-timeline.json';
      a.click();
    };
    $<HTMLInputElement>('open-file').onchange = async (e) => {
      const input = e.target as HTMLInputElement;
      const f = input.files?.[0];
      // The same file may be picked again (after a refusal, say).
      input.value = '';
      if (!f) return;
      try {
        // A command's record goes into the timeline it started with:
        // replacing the timeline under a running command (or a lesson's
        // or share link's next one) would mix it into the file's.
        if (this.lineRunning || this.scriptRunning) {
          throw new Error('a command is running: open the file when it has ended (^C ends a guest)');
        }
        // The file is checked and its states built before anything of
        // the session changes: a bad file leaves it as it was.
        const t = Timeline.fromFile(await f.text());
        if (this.lineRunning || this.scriptRunning) {
          throw new Error('a command started while the file was read: open it when it has ended');
        }
        this.openTimeline(t, f.name);
      } catch (err) {
        this.term.write(`\r\n[${f.name} not opened: ${(err as Error).message}]\r\n`);
        this.term.showPrompt();
      }
    };
    document.addEventListener('keydown', (e) => {
      // Arrows step the timeline only when no control takes them itself:
      // the terminal, a text box (the share link) and the slider (which
      // steps on its own) keep theirs.
      if (!stepsOnArrows(e.target)) return;
      if (e.key === 'ArrowLeft') $('prev').click();
      if (e.key === 'ArrowRight') $('next').click();
    });
    // Lessons.
    const box = $('lessons');
    for (const l of lessons) {
      const b = document.createElement('button');
      b.textContent = l.title;
      b.dataset.lesson = l.id;
      // The second click of a double-click (detail 2) does not run the
      // lesson again: a short lesson is over by then.
      b.onclick = (e) => { if (e.detail <= 1) void this.runLesson(l); };
      box.append(b);
    }
    this.setLessonsEnabled(true);
    // Dropping a .wasm file makes it runnable by name.
    document.addEventListener('dragover', (e) => e.preventDefault());
    document.addEventListener('drop', async (e) => {
      e.preventDefault();
      for (const f of Array.from(e.dataTransfer?.files ?? [])) {
        if (!f.name.endsWith('.wasm')) {
          this.term.write(`\r\n[${f.name}: only .wasm files run here]\r\n`);
          continue;
        }
        this.dropped.set(f.name, new Uint8Array(await f.arrayBuffer()));
        this.term.write(`\r\n[${f.name} loaded: run it with '${f.name} ARGS...']\r\n`);
        this.term.showPrompt();
      }
    });
  }

  /**
   * Replays a timeline file in place of the session: "now" is where the
   * file ends, not the page's own VFS; the plot is the file's from its
   * first command. The views are drawn from it before the page commits
   * to it: if one cannot draw it, the session is put back as it was and
   * the error thrown.
   */
  private openTimeline(t: Timeline, name: string): void {
    const end = t.last();
    if (!end) throw new Error(`${name} holds no commands`);
    const fileEnd = t.stateAt(end);
    const was = { timeline: this.timeline, replayOnly: this.replayOnly, fileEnd: this.fileEnd, vfsStart: this.vfsStart, step: this.step };
    this.timeline = t;
    this.replayOnly = true;
    this.fileEnd = fileEnd;
    this.vfsStart = 0;
    try {
      this.select(end);
    } catch (err) {
      Object.assign(this, was);
      this.render();
      throw new Error(`its views cannot be drawn: ${(err as Error).message}`);
    }
    this.setLessonsEnabled(false);
    $('mode').textContent = `replaying ${name}`;
    this.term.write(`\r\n[${name}: ${t.records.length} commands, stepped through without a VFS]\r\n`);
    for (const r of t.records) this.term.write(`${r.line}\r\n${r.output}`);
    this.term.showPrompt();
  }

  /** Lessons are offered only when the page has a VFS and nothing runs on it for them. */
  private setLessonsEnabled(on: boolean): void {
    this.lessonsOn = on;
    for (const b of document.querySelectorAll<HTMLButtonElement>('#lessons button')) {
      b.disabled = !on || this.replayOnly;
      b.title = this.replayOnly ? 'replaying a timeline file: reload the page to get a VFS' : '';
    }
  }

  async runLesson(l: Lesson): Promise<void> {
    // One lesson at a time, and none on a timeline file (there is no VFS).
    if (!this.lessonsOn || this.replayOnly) return;
    this.setLessonsEnabled(false);
    this.scriptRunning = true;
    try {
      await this.lesson(l);
    } finally {
      this.scriptRunning = false;
      this.setLessonsEnabled(true);
    }
  }

  private async lesson(l: Lesson): Promise<void> {
    document.body.dataset.lessonDone = '';
    $('lesson-title').textContent = l.title;
    $('lesson-text').textContent = l.text;
    document.querySelector(`[data-view="${l.view}"]`)?.scrollIntoView({ block: 'nearest' });
    // A lesson that needs a memory budget gets a VFS booted with it; the
    // others get the default one back; a fresh lesson a new VFS each run.
    if ((l.fresh || l.memoryBudget !== this.backend.memoryBudget) && this.backend.restart) {
      await this.restartVFS(l.memoryBudget);
    } else if (l.memoryBudget && !this.backend.restart) {
      this.term.write(`[this lesson needs a VFS with a ${fmtBytes(l.memoryBudget)} budget: run it on the in-browser VFS]\r\n`);
    } else if (l.fresh && !this.backend.restart) {
      this.term.write('[this lesson shows its point once per VFS: run again here, it shows nothing new; the in-browser VFS gives it a fresh one each run]\r\n');
    }
    this.plotKeys = l.plot ?? MEMINFO_KEYS;
    const first = this.timeline.records.length;
    if (!await this.term.runLines(l.commands)) {
      this.term.write('[^C: the lesson stopped]\r\n');
      this.select(this.timeline.last());
      return;
    }
    // Stop on the step that shows the point: the first matching event of
    // the lesson's commands, else the end.
    let target = this.timeline.last();
    if (l.focus) {
      outer: for (let i = first; i < this.timeline.records.length; i++) {
        const evs = this.timeline.records[i].events;
        for (let j = 0; j < evs.length; j++) {
          if (l.focus(evs[j])) { target = { cmd: i, ev: j + 1 }; break outer; }
        }
      }
    }
    this.select(target);
    document.body.dataset.lessonDone = l.id;
  }
}

/**
 * Whether a key on this target may step the timeline: not when the
 * terminal, a text field, a select or an editable element has focus, nor
 * the slider (a range input steps itself on arrows).
 */
export function stepsOnArrows(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || typeof el.closest !== 'function') return true;
  if (el.closest('#terminal')) return false;
  const tag = el.tagName;
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return false;
  return !el.isContentEditable;
}

/** 1 MiB, 512 KiB, 6000 bytes. */
function fmtBytes(n: number): string {
  if (n % (1 << 20) === 0) return `${n >> 20} MiB`;
  if (n % 1024 === 0) return `${n >> 10} KiB`;
  return `${n} bytes`;
}

const app = new App();
(window as unknown as { vfscope: App }).vfscope = app;
app.boot().catch((e: Error) => {
  $('mode').textContent = 'failed to start';
  app.term.write(`\r\n[the VFS did not start: ${e.message}]\r\n`);
  document.body.dataset.ready = 'error';
  console.error(e);
});

export type { Snapshot };
