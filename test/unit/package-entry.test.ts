import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ConfigError } from '../../src/tooling-errors.js';
import { requireTypeScriptLoader } from '../../src/cli/typescript-loader.js';

const ENTRY = new URL('../../src/index.ts', import.meta.url).href;

/** Hooks that tell the main thread every URL a module import resolves to. */
const RECORDER = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}`;

/**
 * Runs `body` (an ES module's code, with `twistar` bound to the entry's exports) in a new Node process under tsx,
 * and resolves to the packages in node_modules that its imports resolved to.
 */
async function packagesLoadedBy(body: string): Promise<string[]> {
  const script = `
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const urls = [];
port1.on('message', (url) => urls.push(url));
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(RECORDER)}), {
  data: { port: port2 },
  transferList: [port2],
});
const twistar = await import(${JSON.stringify(ENTRY)});
${body}
// The port keeps the order: when the last import's URL arrives, every earlier one has.
const last = 'data:text/javascript,export{}';
await new Promise((done) => { port1.on('message', (url) => url === last && done()); import(last); });
port1.close();
process.stdout.write(JSON.stringify(urls));`;
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--import',
    'tsx',
    '--input-type=module',
    '-e',
    script,
  ]);
  const urls = JSON.parse(stdout) as string[];
  const names = urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []);
  return [...new Set(names)].sort();
}

describe("import 'twistar'", () => {
  it('loads no driver library, nor the command line (commander) or its TypeScript loader (tsx)', async () => {
    assert.deepEqual(await packagesLoadedBy(''), ['inflection']);
  });

  it('loads a driver library the first time a pool of its kind connects', async () => {
    const body = `const pool = twistar.connect('sqlite::memory:'); await pool.runQuery('SELECT 1'); await pool.close();`;
    assert.deepEqual(await packagesLoadedBy(body), ['better-sqlite3', 'inflection']);
  });
});

describe('the CLI’s TypeScript loader', () => {
  it('is a ConfigError saying to install tsx when tsx is not installed', async () => {
    const message = "Cannot find package 'tsx' imported from /app/node_modules/twistar/dist/cli/main.js";
    const missing = () => Promise.reject(Object.assign(new Error(message), { code: 'ERR_MODULE_NOT_FOUND' }));
    await assert.rejects(
      requireTypeScriptLoader('migrations/1_a.ts', missing),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message.includes('migrations/1_a.ts is TypeScript') &&
        error.message.includes('npm install -D tsx'),
    );
  });

  it('registers tsx, found beside Twistar', async () => {
    await requireTypeScriptLoader('twistar.config.ts');
  });
});
