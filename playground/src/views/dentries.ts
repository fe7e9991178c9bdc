// The dentry tree (positive, negative, counts, on the LRU, mountpoints),
// the dcache hash table and the LRU list.

import * as d3 from 'd3';
import type { State } from '../model';
import type { DentrySnap } from '../schema';
import { DCACHE_MOUNTED } from '../schema';

interface Node { d: DentrySnap; children: Node[] }

/**
 * The trees of the state's dentries, one per superblock root, and then
 * one for each group no root reaches: dentries whose parents make a
 * cycle (the state between a gap and its resync can have one), each
 * group drawn from a dentry of its cycle.
 */
function forest(st: State, hideProc: boolean): Node[] {
  const nodes = new Map<number, Node>();
  for (const d of st.dentries.values()) nodes.set(d.id, { d, children: [] });
  const roots: Node[] = [];
  for (const n of nodes.values()) {
    const p = n.d.parent !== n.d.id ? nodes.get(n.d.parent) : undefined;
    if (p) p.children.push(n);
    else roots.push(n);
  }
  for (const n of nodes.values()) n.children.sort((a, b) => a.d.name.localeCompare(b.d.name));
  // The namespace root first; procfs and devices are many dentries that
  // teach little: folded unless asked for (the devices: what is mounted
  // on /dev).
  const procDevs = new Set([...st.mounts.values()].filter((m) => m.fstype === 'proc' || m.path === '/dev').map((m) => m.dev));
  const shown = (n: Node) => !(hideProc && procDevs.has(n.d.dev));
  const out = roots.filter(shown).sort((a, b) => a.d.id - b.d.id);
  const reached = new Set<Node>();
  const reach = (n: Node) => {
    const stack = [n];
    while (stack.length) {
      const x = stack.pop()!;
      if (reached.has(x)) continue;
      reached.add(x);
      stack.push(...x.children);
    }
  };
  for (const r of roots) reach(r);
  for (const n of [...nodes.values()].sort((a, b) => a.d.id - b.d.id)) {
    if (reached.has(n)) continue;
    // Up its parents to the cycle they end in: the group is drawn from there.
    let c = n;
    const up = new Set<Node>();
    while (!up.has(c)) {
      up.add(c);
      const p = nodes.get(c.d.parent);
      if (!p || p === c) break;
      c = p;
    }
    reach(c);
    if (shown(c)) out.push(c);
  }
  return out;
}

export function drawDentryTree(el: HTMLElement, st: State, hideProc = true): void {
  const roots = forest(st, hideProc);
  const rowH = 18;
  const rows: { n: Node; depth: number }[] = [];
  // Each dentry once: a cycle of parents is drawn round once, not forever.
  const drawn = new Set<Node>();
  const walk = (n: Node, depth: number) => {
    if (drawn.has(n)) return;
    drawn.add(n);
    rows.push({ n, depth });
    for (const c of n.children) walk(c, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  const width = Math.max(el.clientWidth, 320);
  const svg = d3.select(el).selectAll<SVGSVGElement, null>('svg').data([null]).join('svg')
    .attr('width', width).attr('height', rows.length * rowH + 8);
  const g = svg.selectAll<SVGGElement, { n: Node; depth: number }>('g.dentry')
    .data(rows, (r) => String(r.n.d.id))
    .join((enter) => {
      const e = enter.append('g').attr('class', 'dentry');
      e.append('line').attr('class', 'link');
      e.append('circle').attr('r', 5);
      e.append('text').attr('class', 'name').attr('dy', '0.32em');
      e.append('text').attr('class', 'meta').attr('dy', '0.32em');
      return e;
    });
  g.attr('transform', (_r, i) => `translate(0,${i * rowH + 12})`)
    .attr('data-name', (r) => r.n.d.name)
    .attr('data-path', (r) => st.path(r.n.d.id))
    .attr('data-state', (r) => (r.n.d.inode ? 'positive' : 'negative'))
    .attr('data-lru', (r) => (r.n.d.lru ? '1' : '0'))
    .attr('class', (r) => `dentry ${r.n.d.inode ? 'positive' : 'negative'}${r.n.d.lru ? ' lru' : ''}${r.n.d.mountpoint || r.n.d.flags & DCACHE_MOUNTED ? ' mountpoint' : ''}`);
  g.select('line.link')
    .attr('x1', (r) => 8 + r.depth * 16 - 10).attr('x2', (r) => 8 + r.depth * 16 - 5)
    .attr('y1', 0).attr('y2', 0);
  g.select('circle').attr('cx', (r) => 8 + r.depth * 16);
  const label = (d: DentrySnap) => (d.parent === d.id ? `${d.name || '/'} (dev ${d.dev})` : d.name);
  g.select('text.name').attr('x', (r) => 16 + r.depth * 16).text((r) => label(r.n.d));
  g.select('text.meta').attr('x', (r) => 24 + r.depth * 16 + 7.5 * Math.max(label(r.n.d).length, 2))
    .text((r) => {
      const d = r.n.d;
      const parts = [`d_count ${d.count}`];
      if (d.inode) parts.push(`inode ${d.inode}`);
      else parts.push('negative');
      if (d.lru) parts.push('LRU');
      if (d.mountpoint || d.flags & DCACHE_MOUNTED) parts.push('mountpoint');
      if (!d.hashed && d.parent !== d.id) parts.push('unhashed');
      return parts.join(' · ');
    });
}

export function drawHashAndLRU(el: HTMLElement, st: State): void {
  const chains = new Map<number, DentrySnap[]>();
  for (const d of st.dentries.values()) {
    if (!d.hashed) continue;
    if (!chains.has(d.bucket)) chains.set(d.bucket, []);
    chains.get(d.bucket)!.push(d);
  }
  const buckets = [...chains.keys()].sort((a, b) => a - b);
  const lru = [...st.lru.entries()];
  const root = d3.select(el);
  root.selectAll('*').remove();
  root.append('div').attr('class', 'caption')
    .text(`dcache hash table: ${buckets.length} of ${st.hashBuckets || '?'} buckets occupied (${[...chains.values()].reduce((n, c) => n + c.length, 0)} hashed dentries)`);
  const grid = root.append('div').attr('class', 'hash-grid');
  const cell = grid.selectAll('div.bucket').data(buckets).join('div')
    .attr('class', (b) => `bucket${chains.get(b)!.length > 1 ? ' collision' : ''}`)
    .attr('title', (b) => `bucket ${b}: ${chains.get(b)!.map((d) => st.path(d.id)).join(', ')}`);
  cell.append('span').attr('class', 'idx').text((b) => b);
  cell.append('span').text((b) => chains.get(b)!.map((d) => (d.inode ? d.name : `${d.name}∅`)).join(' → '));
  root.append('div').attr('class', 'caption').text('LRU of unused dentries (hottest first)');
  const lists = root.append('div').attr('class', 'lru-lists');
  for (const [dev, ids] of lru) {
    if (ids.length === 0) continue;
    const row = lists.append('div').attr('class', 'lru-row');
    row.append('span').attr('class', 'idx').text(`dev ${dev}:`);
    row.selectAll('span.lru-item').data(ids).join('span')
      .attr('class', (id) => `lru-item ${st.dentries.get(id)?.inode ? 'positive' : 'negative'}`)
      .attr('data-name', (id) => st.dentries.get(id)?.name ?? '')
      .text((id) => st.dentries.get(id)?.name ?? `#${id}`);
  }
}
