// Guided lessons: each is one click, runs its commands in the terminal
// and leaves the timeline on the step that shows the point.

import type { TraceEvent } from './schema';
import { PG } from './schema';
import { RECLAIM_KEYS } from './views/pages';

export interface Lesson {
  id: string;
  title: string;
  /** What to look at, shown beside the views. */
  text: string;
  commands: string[];
  /** The view to bring forward. */
  view: 'dentries' | 'hash' | 'inodes' | 'pages' | 'locks';
  /** Selects the step to stop on: the first matching event of the last command (else its end). */
  focus?: (e: TraceEvent) => boolean;
  /**
   * The memory budget (bytes) the lesson's VFS is booted with: the app
   * restarts the in-browser VFS with it first. Without it the lesson runs
   * on a VFS with the default budget (restarted if the last lesson
   * shrank it).
   */
  memoryBudget?: number;
  /**
   * Whether the lesson runs on a freshly booted VFS every time: what it
   * shows happens once per VFS (the validator reports each cycle once).
   */
  fresh?: boolean;
  /** The /proc/meminfo lines to plot (default: Cached, Dirty, Writeback). */
  plot?: string[];
}

/** The reclaim lesson's budget: small enough for a 1.5 MiB file to overflow it in a second or two. */
export const RECLAIM_BUDGET = 1 << 20;

export const lessons: Lesson[] = [
  {
    id: 'negative-dentries',
    title: 'Negative dentries and the LRU',
    view: 'dentries',
    text:
      'Looking up a name that does not exist can leave a dentry behind: a negative one, which ' +
      'remembers "no such file" so the next lookup is answered from the cache. tmpfs does not keep ' +
      'them (like Linux, its dentries use always_delete_dentry: the whole tree is in the dcache ' +
      'anyway), so the lesson mounts billyfs, a disk-like filesystem, which keeps them as ext4 does. ' +
      'Once nobody uses a dentry, dput puts it on its superblock\'s LRU of unused dentries, from ' +
      'which memory pressure reclaims the coldest first. Watch "missing" appear negative and go on ' +
      'the LRU; creating the file turns the same dentry positive (d_instantiate); removing it makes ' +
      'it negative again.',
    commands: [
      'stat /tmp/missing',
      'mkdir -p /mnt/disk',
      'mount -t billyfs mem /mnt/disk',
      'stat /mnt/disk/missing',
      'ls /mnt/disk/missing',
      'touch /mnt/disk/missing',
      'rm /mnt/disk/missing',
      'cat /proc/sys/fs/dentry-state',
    ],
    // The negative dentry the failed lookup left, going on the LRU as
    // its last reference is put.
    focus: (e) => e.kind === 'dentry.lru_add' && e.name === 'missing',
  },
  {
    id: 'cross-rename',
    title: 'A cross-directory rename and its lock order',
    view: 'locks',
    text:
      'Renaming between two directories takes s_vfs_rename_mutex first (only one cross-directory ' +
      'rename per filesystem at a time, so the ancestor test stays true), then the two parents\' ' +
      'i_rwsem, ancestor first or else in a fixed order, then the victim and source inodes ' +
      '(directory-locking.rst). Step through the events to see each lock taken, and the held-lock ' +
      'stack of the task at every step.',
    commands: [
      'mkdir -p /tmp/lesson2/a/b /tmp/lesson2/c',
      'echo data > /tmp/lesson2/a/b/f',
      'mv /tmp/lesson2/a/b/f /tmp/lesson2/c/g',
      'ls -l /tmp/lesson2/c',
    ],
    focus: (e) => e.kind === 'method.enter' && (e.op ?? '').includes('rename'),
  },
  {
    id: 'writeback',
    title: 'Write, dirty pages, writeback and sync',
    view: 'pages',
    text:
      'A write copies into page-cache pages and marks them dirty: the data is newer than the ' +
      'backing store. tmpfs has no backing store (its pages are swap-backed and never written back), ' +
      'so the lesson mounts billyfs, a disk-like filesystem on a go-billy store. Dirty in ' +
      '/proc/meminfo (plotted under the page grid) rises with each write: 4 kB for the short file, ' +
      '64 kB more for the copy. sync starts writeback on every dirty page (PG_writeback, Writeback ' +
      'in meminfo), ->writepage writes it to the store, and the page ends clean and uptodate: Dirty ' +
      'falls to 0 while Cached stays, since the data is still in memory. The timeline stops on the ' +
      'first page put under writeback.',
    commands: [
      'mkdir -p /mnt/disk',
      'mount -t billyfs mem /mnt/disk',
      'echo "hello, page cache" > /mnt/disk/f',
      'truncate -s 64K /tmp/zeros',
      'cp /tmp/zeros /mnt/disk/copy',
      'cat /proc/meminfo',
      'sync',
      'cat /proc/meminfo',
    ],
    focus: (e) => e.kind === 'page.flag_set' && ((e.bits ?? 0) & PG.writeback) !== 0,
  },
  {
    id: 'reclaim',
    title: 'Memory pressure and reclaim',
    view: 'pages',
    memoryBudget: RECLAIM_BUDGET,
    plot: RECLAIM_KEYS,
    text:
      'This lesson restarts the in-browser VFS with a memory budget of 1 MiB (MemTotal 1024 kB; the ' +
      'usual one is 256 MiB), so that real memory pressure takes a second. Page-cache pages (4 kB), ' +
      'dentries and inodes are charged against it. The files go on billyfs, whose pages can be written ' +
      'back to its store and then freed (tmpfs pages have nowhere to go and are never reclaimed). ' +
      '"early" is written first and "hot" is read twice, which moves its page from the Inactive to the ' +
      'Active list. Then cp copies a 1.5 MiB file, more than the whole budget: each page read and each ' +
      'page written needs a new page. When MemFree falls below the low watermark (MemTotal/32, 32 kB) ' +
      'kswapd wakes and reclaims until it is above the high one (MemTotal/16, 64 kB), coldest pages ' +
      'first, from the tail of the Inactive list; it ages Active pages to Inactive to keep the lists ' +
      'balanced, and writes the dirty pages it meets back (Dirty, then Writeback, then freed). An ' +
      'allocation that finds no free page reclaims first itself (direct reclaim): it frees clean pages ' +
      'and waits for writeback. In the events, a page.remove by "task 2" (the shell running cp) is ' +
      'direct reclaim; one with no task is kswapd\'s. In the plot, Cached stays under MemTotal and MemFree near ' +
      'the watermarks while 3 MiB passes through. The timeline stops on the first page reclaimed. ' +
      'Last, cat reads "early" again: its page was reclaimed, so it comes back from the store ' +
      '(->read_folio, the page appears in the grid again).',
    commands: [
      'mkdir -p /mnt/disk',
      'mount -t billyfs mem /mnt/disk',
      'echo "early: written first, reclaimed first" > /mnt/disk/early',
      'echo "hot: read twice, so it goes on the active list" > /mnt/disk/hot',
      'cat /mnt/disk/hot /mnt/disk/hot',
      'cat /proc/meminfo',
      'truncate -s 1536K /mnt/disk/zeros',
      'cp /mnt/disk/zeros /mnt/disk/copy',
      'cat /proc/meminfo',
      'cat /mnt/disk/early',
    ],
    // The first page the cp's allocations made reclaim free.
    focus: (e) => e.kind === 'page.remove',
  },
  {
    id: 'abba',
    title: 'An AB-BA lock order bug caught by the validator',
    view: 'locks',
    text:
      'Task 1 takes lock A then B; task 2 takes B then A. Run at the same time they can deadlock, ' +
      'each holding the lock the other waits for. The validator does not need the deadlock to ' +
      'happen: it records that A was taken before B, so when B -> A closes a cycle in the class ' +
      'graph it reports a possible circular locking dependency, with both chains. The two classes ' +
      'are highlighted in the lock graph.',
    // The second run on the same VFS reports nothing (lockdep reports
    // a cycle once): each run gets its own VFS, so it can be repeated.
    fresh: true,
    commands: ['lockdep-abba'],
    focus: (e) => e.kind === 'report',
  },
];
