import { execFile, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The checkout, the built `twistar` binary the CLI suites run, and the TypeScript compiler. */
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const BIN = join(ROOT, 'dist/cli/main.js');
export const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
export const run = promisify(execFile);

/** Builds dist/ (the binary under test is the built one). */
export async function buildCli(): Promise<void> {
  await run(process.execPath, [TSC, '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT });
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `twistar --url url args…` in `cwd`, feeding `input` to its standard input, with `env` added. */
export function twistar(
  cwd: string,
  url: string,
  args: readonly string[],
  input = '',
  env: Record<string, string> = {},
): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, '--url', url, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', DATABASE_URL: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The tsconfig of a scratch project that type-checks its `src/` as a user's strict project would. */
export const STRICT_TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  },
  include: ['src/**/*.ts'],
});
