// Held locks per task, and the lock-class graph with the classes of any
// validator report highlighted.

import * as d3 from 'd3';
import type { Edge, State } from '../model';

export function drawHeld(el: HTMLElement, st: State): void {
  const root = d3.select(el);
  root.selectAll('*').remove();
  const tasks = [...st.tasks.values()].sort((a, b) => a.pid - b.pid);
  const holding = tasks.filter((t) => t.held.length > 0);
  root.append('div').attr('class', 'caption').text(`${holding.length} of ${tasks.length} tasks hold locks`);
  for (const t of holding) {
    const div = root.append('div').attr('class', 'task-held').attr('data-pid', t.pid);
    div.append('b').text(`task ${t.pid}${t.comm ? ` (${t.comm})` : ''}`);
    const ol = div.append('ol');
    ol.selectAll('li').data(t.held).join('li')
      .text((h) => `${h.class}${h.sub ? `/${h.sub}` : ''} (${h.mode || 'exclusive'})${h.site ? ` at ${h.site}` : ''}`);
  }
}

/** Where each class is drawn, and the size of the whole drawing. */
interface Layout {
  pos: Map<string, { x: number; y: number; w: number }>;
  back: Set<string>;
  width: number;
  height: number;
}

const CHAR_W = 6.7; // 11px ui-monospace (style.css)
const ROW_H = 22;
const GAP = 40;
const MIN_START_SCALE = 0.5;

/**
 * Lays the lock-order graph out in columns: a class goes one column to
 * the right of every class held when it was taken, so outer locks sit on
 * the left and the innermost on the right, as in the lock-order tree of
 * vfs/doc.go. Edges closing a cycle (what the validator reports) are
 * found by a depth-first search and drawn back as arcs. Within a column,
 * classes are ordered by where their holders sit (one barycentre pass).
 */
function layout(classes: string[], edges: Edge[]): Layout {
  const out = new Map<string, string[]>();
  for (const c of classes) out.set(c, []);
  for (const e of edges) out.get(e.from)!.push(e.to);
  for (const l of out.values()) l.sort();
  // Back edges: to a class still on the search stack.
  const back = new Set<string>();
  const state = new Map<string, 1 | 2>();
  const visit = (c: string) => {
    state.set(c, 1);
    for (const t of out.get(c)!) {
      if (state.get(t) === 1) back.add(`${c}\u0000${t}`);
      else if (!state.has(t)) visit(t);
    }
    state.set(c, 2);
  };
  for (const c of classes) if (!state.has(c)) visit(c);
  // Column: the longest chain of forward edges leading to the class.
  const col = new Map<string, number>();
  const depth = (c: string, seen: Set<string>): number => {
    if (col.has(c)) return col.get(c)!;
    seen.add(c);
    let d = 0;
    for (const e of edges) {
      if (e.to !== c || back.has(`${e.from}\u0000${e.to}`) || seen.has(e.from)) continue;
      d = Math.max(d, depth(e.from, seen) + 1);
    }
    seen.delete(c);
    col.set(c, d);
    return d;
  };
  for (const c of classes) depth(c, new Set());
  const columns: string[][] = [];
  for (const c of classes) (columns[col.get(c)!] ??= []).push(c);
  const pos = new Map<string, { x: number; y: number; w: number }>();
  let x = 10, height = 0;
  for (const column of columns) {
    if (!column) continue;
    const holderY = (c: string) => {
      const ys = edges.filter((e) => e.to === c && pos.has(e.from)).map((e) => pos.get(e.from)!.y);
      return ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : Infinity;
    };
    column.sort((a, b) => holderY(a) - holderY(b) || a.localeCompare(b));
    let w = 0;
    column.forEach((c, i) => {
      const cw = 14 + c.length * CHAR_W;
      pos.set(c, { x, y: 14 + i * ROW_H, w: cw });
      w = Math.max(w, cw);
    });
    height = Math.max(height, 14 + column.length * ROW_H);
    x += w + GAP;
  }
  return { pos, back, width: Math.max(x - GAP + 10, 1), height: Math.max(height, 1) };
}

/** The view's zoom, kept across redraws once the user has zoomed or panned. */
const zoomState = new WeakMap<HTMLElement, d3.ZoomTransform>();

export function drawLockGraph(el: HTMLElement, st: State): void {
  const root = d3.select(el);
  root.selectAll('*').remove();
  const bad = st.reportedClasses();
  const caption = root.append('div').attr('class', 'caption')
    .text(`${st.classes.size} lock classes, ${st.edges.size} dependencies (held → taken inside)`);
  if (st.reports.length) caption.append('span').attr('class', 'report-count').text(` · ${st.reports.length} validator report(s)`);
  const classes = [...st.classes].sort();
  const edges = [...st.edges.values()].filter((e) => st.classes.has(e.from) && st.classes.has(e.to));
  const lay = layout(classes, edges);
  // The panel shows the whole graph when it fits; past 420 px it keeps
  // that height and the drawing is scaled to fit, zoomable (wheel, pinch)
  // and pannable (drag), with a button back to the fitted view.
  const w = Math.max(el.clientWidth, 300);
  const h = Math.max(60, Math.min(lay.height, 420));
  const k = Math.min(1, w / lay.width, h / lay.height);
  const fit = d3.zoomIdentity.translate(Math.max(0, (w - lay.width * k) / 2), 0).scale(k);
  // Labels stay legible at first: below half size, the view starts on
  // the outer locks (the left columns) at half size, and "fit" shows all.
  const start = k >= MIN_START_SCALE ? fit : d3.zoomIdentity.scale(MIN_START_SCALE);
  const bar = root.append('div').attr('class', 'zoom-bar');
  const svg = root.append('svg').attr('class', 'lockgraph').attr('width', w).attr('height', h)
    .attr('data-content-width', Math.round(lay.width)).attr('data-content-height', Math.round(lay.height));
  svg.append('defs').append('marker').attr('id', 'arrow').attr('viewBox', '0 -4 8 8').attr('refX', 8).attr('markerWidth', 6)
    .attr('markerHeight', 6).attr('orient', 'auto').append('path').attr('d', 'M0,-4L8,0L0,4').attr('fill', '#999');
  const content = svg.append('g').attr('class', 'content');
  const zoom = d3.zoom<SVGSVGElement, unknown>().scaleExtent([0.1, 4])
    .on('zoom', (ev: d3.D3ZoomEvent<SVGSVGElement, unknown>) => {
      content.attr('transform', ev.transform.toString());
      svg.attr('data-scale', ev.transform.k.toFixed(3));
      if (ev.sourceEvent) zoomState.set(el, ev.transform);
    });
  svg.call(zoom).on('dblclick.zoom', null);
  bar.append('button').attr('class', 'zoom-fit').attr('title', 'show the whole graph').text('fit')
    .on('click', () => { zoomState.delete(el); svg.call(zoom.transform, fit); });
  bar.append('button').attr('class', 'zoom-in').attr('title', 'zoom in (or the mouse wheel)').text('+')
    .on('click', () => { svg.call(zoom.scaleBy, 1.5); zoomState.set(el, d3.zoomTransform(svg.node()!)); });
  bar.append('button').attr('class', 'zoom-out').attr('title', 'zoom out').text('−')
    .on('click', () => { svg.call(zoom.scaleBy, 1 / 1.5); zoomState.set(el, d3.zoomTransform(svg.node()!)); });
  bar.append('span').attr('class', 'caption').text(' drag to pan, wheel to zoom');

  const P = (c: string) => lay.pos.get(c)!;
  const links = edges.map((e) => ({ ...e, bad: bad.has(e.from) && bad.has(e.to), back: lay.back.has(`${e.from}\u0000${e.to}`) }));
  content.append('g').selectAll('path').data(links).join('path')
    .attr('class', (l) => `edge${l.bad ? ' bad' : ''}${l.back ? ' back' : ''}`)
    .attr('data-from', (l) => l.from).attr('data-to', (l) => l.to)
    .attr('fill', 'none')
    .attr('d', (l) => {
      const a = P(l.from), b = P(l.to);
      if (l.back) {
        // Back to a column on the left: an arc below both.
        const y = Math.max(a.y, b.y) + ROW_H;
        return `M${a.x},${a.y + 6} C${a.x},${y + ROW_H} ${b.x},${y + ROW_H} ${b.x},${b.y + 7}`;
      }
      const x1 = a.x + a.w, x2 = b.x - 7, mx = (x1 + x2) / 2;
      return `M${x1},${a.y} C${mx},${a.y} ${mx},${b.y} ${x2},${b.y}`;
    })
    .attr('marker-end', 'url(#arrow)');
  const g = content.append('g').selectAll('g').data(classes).join('g')
    .attr('class', (c) => (bad.has(c) ? 'lockclass bad' : 'lockclass'))
    .attr('data-class', (c) => c)
    .attr('transform', (c) => `translate(${P(c).x},${P(c).y})`);
  g.append('circle').attr('r', 5);
  g.append('text').attr('x', 9).attr('dy', '0.32em').text((c) => c);
  g.append('title').text((c) => {
    const held = edges.filter((e) => e.to === c).map((e) => e.from);
    const inner = edges.filter((e) => e.from === c).map((e) => e.to);
    return `${c}\ntaken while holding: ${held.join(', ') || '—'}\nholding it, took: ${inner.join(', ') || '—'}`;
  });
  svg.call(zoom.transform, zoomState.get(el) ?? start);
  if (st.reports.length) {
    root.append('pre').attr('class', 'report').text(st.reports[st.reports.length - 1].text);
  }
}
