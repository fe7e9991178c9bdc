// loadView compiles one of src/views/*.ts (and src/schema.ts, which the
// views import) with TypeScript's transpiler into a temporary directory
// and imports it under node, d3 resolved from the workspace: the views'
// pure helpers are then tested without a browser. It returns the module
// and a function that removes the directory.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

export async function loadView(name) {
  const dir = mkdtempSync(join(tmpdir(), `vfscope-${name}-`));
  const compile = (file) => ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  writeFileSync(join(dir, 'schema.mjs'), compile(join(src, 'schema.ts')));
  writeFileSync(join(dir, `${name}.mjs`), compile(join(src, 'views', `${name}.ts`))
    .replace(/from 'd3'/, `from '${import.meta.resolve('d3')}'`)
    .replace(/from '\.\.\/schema'/, "from './schema.mjs'"));
  const mod = await import(pathToFileURL(join(dir, `${name}.mjs`)).href);
  return { mod, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
