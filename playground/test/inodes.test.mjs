// The inode table's i_rwsem column (src/views/inodes.ts rwsemHolders):
// a writer's pid, a writer that is no task (-1, docs/trace-schema.md),
// or the readers. Under node, with the view's module compiled by
// TypeScript's transpiler.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadView } from './view_module.mjs';

let remove, rwsemHolders;

before(async () => {
  let mod;
  ({ mod, remove } = await loadView('inodes'));
  ({ rwsemHolders } = mod);
});

after(() => remove());

test('the i_rwsem column says who holds it: a task, no task, or readers', () => {
  const inode = { id: 9, dev: 33, ino: 4, count: 1, nlink: 1, state: 0, size: 0, mode: 0o100644 };
  const cases = [
    { name: 'unheld', i: inode, want: '' },
    { name: 'written by task 2', i: { ...inode, rwsem_writer: 2 }, want: 'task 2 (write)' },
    { name: 'written by no task (-1)', i: { ...inode, rwsem_writer: -1 }, want: 'write (no task)' },
    { name: 'three readers', i: { ...inode, rwsem_readers: 3 }, want: '3 reader(s)' },
  ];
  for (const c of cases) assert.equal(rwsemHolders(c.i), c.want, c.name);
});
