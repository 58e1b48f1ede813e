/**
 * Checks the published type declarations (dist/**\/*.d.ts, or the folder given): they must type-check in a
 * project that installed Twistar and no driver library, and need @types/node only for the Node types that are
 * part of the API. Exits 1, listing every problem, otherwise.
 *
 *   node --import tsx .ci/check-declarations.ts [dist folder]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** The modules a declaration may import besides its own files: the pool is an EventEmitter. */
const ALLOWED_MODULES = new Set(['node:events']);

/** What a project without @types/node misses, and why each is part of the API. */
const NODE_TYPES_IN_API = [
  /^Cannot find module 'node:events'/, // ConnectionPool extends EventEmitter
  /^Cannot find name 'Buffer'/, // binary column values (SqlValue, Row values)
];

const folder = resolve(process.argv[2] ?? 'dist');
const problems: string[] = [];

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return declarationFiles(path);
    return entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The diagnostics of compiling `files` as a strict project whose installed @types are `types`. */
function compile(files: readonly string[], types: string[]): readonly ts.Diagnostic[] {
  const program = ts.createProgram(files, {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2023.d.ts'],
    strict: true,
    noEmit: true,
    types,
  });
  return ts.getPreEmitDiagnostics(program);
}

function describe(diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
  if (diagnostic.file === undefined || diagnostic.start === undefined) return message;
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${relative(folder, diagnostic.file.fileName)}:${line + 1}: ${message}`;
}

const files = declarationFiles(folder);
if (files.length === 0) problems.push(`no .d.ts files in ${folder}: build first`);

for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const name = relative(folder, file);
  const info = ts.preProcessFile(text, true, true);
  for (const imported of info.importedFiles) {
    if (!imported.fileName.startsWith('.') && !ALLOWED_MODULES.has(imported.fileName))
      problems.push(`${name} imports '${imported.fileName}'`);
  }
  for (const directive of [...info.typeReferenceDirectives, ...info.libReferenceDirectives])
    problems.push(`${name} references types "${directive.fileName}"`);
  if (/\bNodeJS\./.test(text)) problems.push(`${name} names the NodeJS namespace (from @types/node)`);
  // stripInternal removes what is marked; a marker left over sits where it cannot (not on a declaration).
  if (text.includes('@internal')) problems.push(`${name} still says @internal`);
}

const withoutNode = compile(files, []).map(describe);
for (const line of withoutNode) {
  const message = line.replace(/^[^:]+:\d+: /, '');
  if (!NODE_TYPES_IN_API.some((allowed) => allowed.test(message)))
    problems.push(`without @types/node: ${line}`);
}
for (const line of compile(files, ['node']).map(describe)) problems.push(`with @types/node: ${line}`);

if (problems.length > 0) {
  console.error(`check-declarations: ${problems.length} problem(s) in ${folder}:`);
  for (const problem of problems) console.error(`  ${problem}`);
  process.exit(1);
}
const needed = [...new Set(withoutNode)].map((line) => `    ${line}`).join('\n');
console.log(
  `check-declarations: ${files.length} .d.ts files type-check with @types/node and without any driver's types;` +
    ` without @types/node only these are missing (Node types of the API):\n${needed}`,
);
