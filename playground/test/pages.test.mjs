// The page-cache grid's arithmetic (src/views/pages.ts pageGrid): how
// many pages a file spans, how many cells are drawn, and a caption that
// says when the grid shows only the first of them. Under node, with the
// view's module compiled by TypeScript's transpiler.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadView } from './view_module.mjs';

let remove, pageGrid, GRID_MAX_PAGES;

before(async () => {
  let mod;
  ({ mod, remove } = await loadView('pages'));
  ({ pageGrid, GRID_MAX_PAGES } = mod);
});

after(() => remove());

test('the page grid counts every page of the file and says when it shows only the first', () => {
  const cached = (...idx) => new Map(idx.map((i) => [i, 0x4]));
  const range = (n) => Array.from({ length: n }, (_, i) => i);
  assert.equal(GRID_MAX_PAGES, 512);
  const cases = [
    { name: 'small file', size: 10000, pm: cached(0, 2), want: { pages: 3, shown: 3, caption: '2 of 3 pages cached' } },
    { name: 'a page cached past the size', size: 4096, pm: cached(0, 5), want: { pages: 6, shown: 6, caption: '2 of 6 pages cached' } },
    { name: 'exactly the grid', size: 512 * 4096, pm: cached(...range(512)), want: { pages: 512, shown: 512, caption: '512 of 512 pages cached' } },
    {
      name: '4 MiB, all cached', size: 1024 * 4096, pm: cached(...range(1024)),
      want: { pages: 1024, shown: 512, caption: '1024 of 1024 pages cached; the grid shows the first 512 pages (512 of them cached)' },
    },
    {
      name: '4 MiB, the tail cached', size: 1024 * 4096, pm: cached(1000, 1001),
      want: { pages: 1024, shown: 512, caption: '2 of 1024 pages cached; the grid shows the first 512 pages (0 of them cached)' },
    },
    { name: 'empty', size: 0, pm: cached(), want: { pages: 0, shown: 0, caption: '0 of 0 pages cached' } },
  ];
  for (const c of cases) assert.deepEqual(pageGrid(c.size, c.pm), c.want, c.name);
});
