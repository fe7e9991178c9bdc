// The page cache of each file as a grid of pages coloured by state, and
// the /proc/meminfo counters plotted over time.

import * as d3 from 'd3';
import type { State } from '../model';
import { pageState } from '../schema';

export const PAGE_COLORS: Record<string, string> = {
  absent: '#f2f2f2',
  cached: '#b9d7f0',
  uptodate: '#5aa55a',
  dirty: '#e8a33d',
  writeback: '#8e5bd0',
  locked: '#d04545',
};

export function drawPages(el: HTMLElement, st: State): void {
  const root = d3.select(el);
  root.selectAll('*').remove();
  const legend = root.append('div').attr('class', 'legend');
  for (const [k, c] of Object.entries(PAGE_COLORS)) {
    legend.append('span').attr('class', 'swatch').style('background', c);
    legend.append('span').text(k + ' ');
  }
  const files = [...st.inodes.values()]
    .filter((i) => (i.mode & 0o170000) === 0o100000 && (st.pages.has(i.id) || i.size > 0))
    .sort((a, b) => a.id - b.id);
  if (files.length === 0) root.append('div').attr('class', 'caption').text('no regular file in memory yet: write one (echo hi > /tmp/f)');
  const pathOf = new Map<number, string>();
  for (const d of st.dentries.values()) if (d.inode && !pathOf.has(d.inode)) pathOf.set(d.inode, st.path(d.id));
  for (const f of files) {
    const pm = st.pages.get(f.id) ?? new Map<number, number>();
    const g = pageGrid(f.size, pm);
    const n = g.shown;
    const row = root.append('div').attr('class', 'file-pages').attr('data-ino', f.ino).attr('data-path', pathOf.get(f.id) ?? '')
      .attr('data-pages', g.pages).attr('data-shown', g.shown);
    row.append('div').attr('class', 'caption').text(`${pathOf.get(f.id) ?? `inode ${f.id}`} (ino ${f.ino}, ${f.size} bytes, ${g.caption})`);
    const grid = row.append('div').attr('class', 'page-grid');
    grid.selectAll('div.page').data(d3.range(n)).join('div')
      .attr('class', (i) => `page ${pageState(pm.get(i))}`)
      .attr('data-state', (i) => pageState(pm.get(i)))
      .attr('data-flags', (i) => pm.get(i) ?? null)
      .attr('title', (i) => `page ${i}: ${pageState(pm.get(i))} (flags ${pm.get(i) ?? '—'})`)
      .style('background', (i) => PAGE_COLORS[pageState(pm.get(i))]);
  }
}

/** The most pages of one file the grid draws (one cell each). */
export const GRID_MAX_PAGES = 512;

/**
 * A file's page grid: how many pages the file spans (its size in pages,
 * or past it to the last page cached), how many cells are drawn (the
 * first GRID_MAX_PAGES), and the caption, which says when the grid shows
 * only the first of them.
 */
export function pageGrid(size: number, cached: Map<number, number>): { pages: number; shown: number; caption: string } {
  let last = -1;
  for (const k of cached.keys()) if (k > last) last = k;
  const pages = Math.max(Math.ceil(size / 4096), last + 1);
  const shown = Math.min(pages, GRID_MAX_PAGES);
  let caption = `${cached.size} of ${pages} pages cached`;
  if (shown < pages) {
    let inGrid = 0;
    for (const k of cached.keys()) if (k < shown) inGrid++;
    caption += `; the grid shows the first ${shown} pages (${inGrid} of them cached)`;
  }
  return { pages, shown, caption };
}

/** The counters (kB) after one command; a key is absent when the snapshot did not carry it. */
export interface Sample { t: number; values: Record<string, number> }

/** The /proc/meminfo lines plotted, as the snapshot's counters name them. */
export const MEMINFO_KEYS = ['Cached', 'Dirty', 'Writeback'];

/**
 * The lines a lesson on reclaim plots: free memory against what the page
 * cache holds, and the two LRU lists reclaim moves pages between.
 */
export const RECLAIM_KEYS = ['MemFree', 'Cached', 'Dirty', 'Writeback', 'Active(file)', 'Inactive(file)'];

const SERIES_COLORS: Record<string, string> = {
  Cached: PAGE_COLORS.uptodate,
  Dirty: PAGE_COLORS.dirty,
  Writeback: PAGE_COLORS.writeback,
  MemFree: '#2a9d8f',
  'Active(file)': '#e76f51',
  'Inactive(file)': '#8d99ae',
};

/**
 * Plots the counters after each command; each series' path carries its
 * values (data-values, comma-separated, empty for a gap) so what is drawn
 * can be read back.
 */
export function drawMeminfo(el: HTMLElement, samples: Sample[], marker?: number, keys: string[] = MEMINFO_KEYS): void {
  const root = d3.select(el);
  root.selectAll('*').remove();
  if (samples.length === 0) return;
  const has = (s: Sample, k: string) => typeof s.values[k] === 'number';
  // The labels give the values after the marked command when a step of
  // the timeline is selected, else after the last command.
  const at = (marker !== undefined ? samples.find((s) => s.t === marker) : undefined) ?? samples[samples.length - 1];
  root.append('div').attr('class', 'caption').text(samples.some((s) => keys.some((k) => has(s, k)))
    ? `/proc/meminfo (kB) after each command; labels after command ${at.t + 1}`
    : '/proc/meminfo: these snapshots carry no meminfo counters');
  // Room on the right for the longest label ("Inactive(file) 1024 kB").
  const right = Math.max(110, 7 * Math.max(...keys.map((k) => k.length + 9)));
  const w = Math.max(el.clientWidth, 300), h = 120, m = { l: 48, r: right, t: 8, b: 18 };
  const svg = root.append('svg').attr('width', w).attr('height', h);
  // t is the command's index in the timeline: the samples may start past
  // 0 (those of the VFS a restart replaced are left out).
  const t0 = samples[0].t, t1 = Math.max(t0 + 1, samples[samples.length - 1].t);
  const x = d3.scaleLinear().domain([t0, t1]).range([m.l, w - m.r]);
  const max = d3.max(samples, (s) => d3.max(keys, (k) => s.values[k] ?? 0)) ?? 0;
  const y = d3.scaleLinear().domain([0, Math.max(4, max)]).nice().range([h - m.b, m.t]);
  svg.append('g').attr('transform', `translate(0,${h - m.b})`)
    .call(d3.axisBottom(x).ticks(Math.min(5, t1 - t0)).tickFormat((v) => (Number.isInteger(v) ? String(Number(v) + 1) : '')));
  svg.append('g').attr('transform', `translate(${m.l},0)`).call(d3.axisLeft(y).ticks(4));
  const color = (k: string) => SERIES_COLORS[k] ?? '#555';
  // Labels beside the plot, 13 px apart (in the order of their points),
  // kept inside it.
  const order = keys.map((k, i) => ({ i, y: y(at.values[k] ?? 0) })).sort((a, b) => a.y - b.y);
  for (let j = 1; j < order.length; j++) order[j].y = Math.max(order[j].y, order[j - 1].y + 13);
  for (let j = order.length - 1; j >= 0; j--) order[j].y = Math.min(order[j].y, j === order.length - 1 ? h - m.b : order[j + 1].y - 13);
  const ys: number[] = [];
  for (const o of order) ys[o.i] = o.y;
  for (const [i, k] of keys.entries()) {
    const line = d3.line<Sample>().defined((s) => has(s, k)).x((s) => x(s.t)).y((s) => y(s.values[k]));
    svg.append('path').datum(samples).attr('class', 'meminfo-series').attr('data-series', k)
      .attr('data-values', samples.map((s) => (has(s, k) ? String(s.values[k]) : '')).join(','))
      .attr('fill', 'none').attr('stroke', color(k)).attr('stroke-width', 2).attr('d', line);
    svg.append('text').attr('x', w - m.r + 4).attr('y', ys[i]).attr('dy', '0.32em').attr('fill', color(k))
      .attr('class', 'meminfo-label').attr('data-series', k)
      .text(has(at, k) ? `${k} ${at.values[k]} kB` : `${k} —`);
  }
  if (marker !== undefined && marker >= t0) {
    svg.append('line').attr('x1', x(marker)).attr('x2', x(marker)).attr('y1', m.t).attr('y2', h - m.b).attr('stroke', '#888').attr('stroke-dasharray', '3,3');
  }
}
