// The inode table: i_count, nlink, state, size and who holds i_rwsem.

import * as d3 from 'd3';
import type { State } from '../model';
import type { InodeSnap } from '../schema';
import { fileType, inodeStateNames } from '../schema';

export function drawInodes(el: HTMLElement, st: State): void {
  const inodes = [...st.inodes.values()].sort((a, b) => a.dev - b.dev || a.ino - b.ino);
  const procDevs = new Set([...st.mounts.values()].filter((m) => m.fstype === 'proc').map((m) => m.dev));
  const shown = inodes.filter((i) => !procDevs.has(i.dev));
  const root = d3.select(el);
  root.selectAll('*').remove();
  root.append('div').attr('class', 'caption')
    .text(`${inodes.length} inodes in memory (${inodes.length - shown.length} of procfs not listed)`);
  const table = root.append('table').attr('class', 'inodes');
  table.append('thead').append('tr').selectAll('th')
    .data(['id', 'dev', 'ino', 'type', 'i_count', 'nlink', 'size', 'i_state', 'i_rwsem'])
    .join('th').text((d) => d);
  const tr = table.append('tbody').selectAll('tr').data(shown).join('tr')
    .attr('data-ino', (i) => i.ino)
    .attr('class', (i) => (i.count === 0 ? 'unused' : ''));
  tr.selectAll('td').data((i) => [
    i.id, i.dev, i.ino, fileType(i.mode), i.count, i.nlink, i.size,
    inodeStateNames(i.state).join(' ') || '—',
    rwsemHolders(i),
  ]).join('td').text((v) => String(v));
}

/**
 * Who holds an inode's i_rwsem: the writer's pid, or its readers. A
 * writer of -1 is a holder that is no task (docs/trace-schema.md,
 * vfs/trace/snapshot.go's RwsemWriter).
 */
export function rwsemHolders(i: InodeSnap): string {
  if (i.rwsem_writer === -1) return 'write (no task)';
  if (i.rwsem_writer) return `task ${i.rwsem_writer} (write)`;
  return i.rwsem_readers ? `${i.rwsem_readers} reader(s)` : '';
}
