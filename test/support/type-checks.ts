import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/* What the compile-time tests share: type equality checked by `npm run typecheck`, and a consumer compiled apart. */

/** Compile-time equality of two types. */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** Whether A is assignable to B. */
export type Extends<A, B> = [A] extends [B] ? true : false;

/** Fails the type check unless its type argument is `true` (`expectType<Equal<typeof x, User>>(true)`). */
export function expectType<T extends true>(_: T): void {}

/** The TypeScript errors of `source`, type-checked as a strict project importing twistar from src/. */
export function typeErrors(source: string, options: ts.CompilerOptions): string[] {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'twistar-consumer-types-'));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const file = join(dir, 'consumer.ts');
    writeFileSync(file, source);
    const program = ts.createProgram([file], {
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2023.d.ts'],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      skipLibCheck: true,
      noEmit: true,
      types: ['node'],
      typeRoots: [join(root, 'node_modules/@types')],
      paths: { twistar: [join(root, 'src/index.ts')] },
      ...options,
    });
    // The consumer's errors only: src/ is type-checked under its own settings.
    return ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file?.fileName === file)
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
