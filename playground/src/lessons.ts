// Guided lessons: each is one click, runs its commands in the terminal
// and leaves the timeline on the step that shows the point.

import type { TraceEvent } from './schema';

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
}

export const lessons: Lesson[] = [
  {
    id: 'negative-dentries',
    title: 'Negative dentries and the LRU',
    view: 'dentries',
    text:
      'Looking up a name that does not exist can leave a dentry behind: a negative one, which ' +
      'remembers "no such file" so the next lookup is answered from the cache. Plain tmpfs does not ' +
      'keep them (like Linux, its dentries use always_delete_dentry: the whole tree is in the dcache ' +
      'anyway), so the lesson mounts a casefolded tmpfs, which does. Once nobody uses a dentry, dput ' +
      'puts it on its superblock\'s LRU of unused dentries, from which memory pressure reclaims the ' +
      'coldest first. Watch "missing" appear negative and go on the LRU; creating the file turns the ' +
      'same dentry positive (d_instantiate); removing it makes it negative again.',
    commands: [
      'stat /tmp/missing',
      'mkdir -p /mnt/ci',
      'mount -t tmpfs -o casefold none /mnt/ci',
      'stat /mnt/ci/missing',
      'ls /mnt/ci/missing',
      'touch /mnt/ci/missing',
      'rm /mnt/ci/missing',
      'cat /proc/sys/fs/dentry-state',
    ],
    focus: (e) => e.kind === 'dentry.negative',
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
      'so the lesson mounts billyfs, a disk-like filesystem on a go-billy store. Writeback starts on ' +
      'the dirty pages (PG_writeback), ->writepage writes them to the store, and they end clean and ' +
      'uptodate. sync asks for that writeback now and waits for it (WB_SYNC_ALL). Watch the page grid ' +
      'go from dirty to writeback to uptodate.',
    commands: [
      'mkdir -p /mnt/disk',
      'mount -t billyfs mem /mnt/disk',
      'echo "hello, page cache" > /mnt/disk/f',
      'truncate -s 20K /mnt/disk/f',
      'cp /mnt/disk/f /mnt/disk/copy',
      'cat /proc/meminfo',
      'sync',
      'cat /proc/meminfo',
    ],
    focus: (e) => e.kind === 'writeback.start' || e.kind === 'page.flag_set',
  },
  {
    id: 'reclaim',
    title: 'Memory pressure and reclaim',
    view: 'dentries',
    text:
      'Unused dentries and inodes and clean pages are caches: reclaim shrinks them when memory ' +
      'is short. drop_caches runs the same shrinkers on demand: writing 2 frees the unused dentries ' +
      'and inodes from the LRUs, 1 the clean page cache, 3 both. Dirty pages cannot be dropped ' +
      'until written back, so sync comes first. Compare dentry-state before and after.',
    commands: [
      'mkdir -p /tmp/lesson4/d1 /tmp/lesson4/d2',
      'touch /tmp/lesson4/d1/a /tmp/lesson4/d1/b /tmp/lesson4/d2/c',
      'ls /tmp/lesson4/d1 /tmp/lesson4/d2 /tmp/lesson4/nope1 /tmp/lesson4/nope2',
      'cat /proc/sys/fs/dentry-state',
      'sync',
      'echo 3 > /proc/sys/vm/drop_caches',
      'cat /proc/sys/fs/dentry-state',
    ],
    focus: (e) => e.kind === 'dentry.kill',
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
    commands: ['lockdep-abba'],
    focus: (e) => e.kind === 'report',
  },
];
