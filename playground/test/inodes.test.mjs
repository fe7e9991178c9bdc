// The inode table's i_rwsem column (src/views/inodes.ts rwsemHolders):
// a writer's pid, a writer that is no task (-1, docs/trace-schema.md),
// or the readers. Under node, with the view's module compiled by
// TypeScript's transpiler.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
let dir, rwsemHolders;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vfscope-inodes-'));
  const compile = (file) => ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  writeFileSync(join(dir, 'schema.mjs'), compile(join(src, 'schema.ts')));
  writeFileSync(join(dir, 'inodes.mjs'), compile(join(src, 'views', 'inodes.ts'))
    .replace(/from 'd3'/, `from '${import.meta.resolve('d3')}'`)
    .replace(/from '\.\.\/schema'/, "from './schema.mjs'"));
  ({ rwsemHolders } = await import(pathToFileURL(join(dir, 'inodes.mjs')).href));
});

after(() => rmSync(dir, { recursive: true, force: true }));

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
