import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The global names a TypeScript project may see, for src/schema/global-names.ts: every value, type and namespace
 * in scope in a module compiled with the newest ECMAScript lib, the DOM, web workers and @types/node, that starts
 * with a capital (model classes always do). Run this file with `--write` to rewrite the list:
 *   node --import tsx test/support/global-names.ts --write
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const GLOBAL_NAMES_FILE = join(ROOT, 'src/schema/global-names.ts');

export function typescriptGlobalNames(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'twistar-globals-'));
  try {
    const probe = join(dir, 'probe.ts');
    writeFileSync(probe, 'export {};\n');
    const program = ts.createProgram([probe], {
      target: ts.ScriptTarget.ESNext,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.esnext.full.d.ts', 'lib.webworker.d.ts'],
      types: ['node'],
      typeRoots: [join(ROOT, 'node_modules/@types')],
      noEmit: true,
    });
    const source = program.getSourceFile(probe);
    if (source === undefined) throw new Error('the probe file did not load');
    const symbols = program
      .getTypeChecker()
      .getSymbolsInScope(source, ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace);
    return [...new Set(symbols.map((symbol) => symbol.name))].filter((name) => /^[A-Z]/.test(name)).sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The text of src/schema/global-names.ts for `names`: the words wrapped at 110 columns. */
export function globalNamesSource(names: readonly string[]): string {
  const lines: string[] = [];
  let line = '';
  for (const name of names) {
    if (line !== '' && line.length + 1 + name.length > 110) {
      lines.push(line);
      line = name;
    } else line = line === '' ? name : `${line} ${name}`;
  }
  if (line !== '') lines.push(line);
  const template = readFileSync(GLOBAL_NAMES_FILE, 'utf8');
  const start = template.indexOf('const TYPESCRIPT_GLOBALS = `');
  const end = template.indexOf('`', start + 'const TYPESCRIPT_GLOBALS = `'.length);
  return `${template.slice(0, start)}const TYPESCRIPT_GLOBALS = \`\n${lines.join('\n')}\n${template.slice(end)}`;
}

if (process.argv.includes('--write')) {
  writeFileSync(GLOBAL_NAMES_FILE, globalNamesSource(typescriptGlobalNames()));
  console.log(`wrote ${GLOBAL_NAMES_FILE}`);
}
