// Held locks per task, and the lock-class graph with the classes of any
// validator report highlighted.

import * as d3 from 'd3';
import type { State } from '../model';

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

export function drawLockGraph(el: HTMLElement, st: State): void {
  const root = d3.select(el);
  root.selectAll('*').remove();
  const bad = st.reportedClasses();
  const caption = root.append('div').attr('class', 'caption')
    .text(`${st.classes.size} lock classes, ${st.edges.size} dependencies (held → taken inside)`);
  if (st.reports.length) caption.append('span').attr('class', 'report-count').text(` · ${st.reports.length} validator report(s)`);
  const w = Math.max(el.clientWidth, 300), h = 300;
  const svg = root.append('svg').attr('width', w).attr('height', h);
  svg.append('defs').append('marker').attr('id', 'arrow').attr('viewBox', '0 -4 8 8').attr('refX', 14).attr('markerWidth', 6)
    .attr('markerHeight', 6).attr('orient', 'auto').append('path').attr('d', 'M0,-4L8,0L0,4').attr('fill', '#999');
  type N = d3.SimulationNodeDatum & { id: string };
  const nodes: N[] = [...st.classes].sort().map((id) => ({ id }));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const links = [...st.edges.values()].filter((e) => byId.has(e.from) && byId.has(e.to))
    .map((e) => ({ source: byId.get(e.from)!, target: byId.get(e.to)!, bad: bad.has(e.from) && bad.has(e.to) }));
  const sim = d3.forceSimulation(nodes)
    .force('link', d3.forceLink(links).distance(70))
    .force('charge', d3.forceManyBody().strength(-160))
    .force('center', d3.forceCenter(w / 2, h / 2))
    .force('collide', d3.forceCollide(18))
    .stop();
  for (let i = 0; i < 200; i++) sim.tick();
  for (const n of nodes) { n.x = Math.max(10, Math.min(w - 10, n.x!)); n.y = Math.max(10, Math.min(h - 10, n.y!)); }
  svg.append('g').selectAll('line').data(links).join('line')
    .attr('class', (l) => (l.bad ? 'edge bad' : 'edge'))
    .attr('x1', (l) => l.source.x!).attr('y1', (l) => l.source.y!)
    .attr('x2', (l) => l.target.x!).attr('y2', (l) => l.target.y!)
    .attr('marker-end', 'url(#arrow)');
  const g = svg.append('g').selectAll('g').data(nodes).join('g')
    .attr('class', (n) => (bad.has(n.id) ? 'lockclass bad' : 'lockclass'))
    .attr('data-class', (n) => n.id)
    .attr('transform', (n) => `translate(${n.x},${n.y})`);
  g.append('circle').attr('r', 6);
  g.append('text').attr('x', 8).attr('dy', '0.32em').text((n) => n.id);
  if (st.reports.length) {
    root.append('pre').attr('class', 'report').text(st.reports[st.reports.length - 1].text);
  }
}
