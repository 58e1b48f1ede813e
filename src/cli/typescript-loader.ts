import { fileURLToPath } from 'node:url';
import { ConfigError } from '../tooling-errors.js';

/** The files only a TypeScript loader can import. */
const TYPESCRIPT = /\.[cm]?ts$/;

/** What tsx's `tsx/esm/api` and `tsx/cjs/api` both export. */
interface LoaderApi {
  register(): unknown;
}

/** Imports a module by its specifier, from this file (where Node finds Twistar's peers). */
export type Importer = (specifier: string) => Promise<unknown>;

let registering: Promise<void> | undefined;

/**
 * Registers tsx for ES modules and CommonJS, the first time a TypeScript file (`file`) is to be imported;
 * ConfigError when tsx is not installed. tsx is an optional peer of Twistar: Node finds it where the project
 * installed it, and a project of `.sql` and `.js` files never needs it.
 */
export function requireTypeScriptLoader(
  file: string,
  load: Importer = (name) => import(name),
): Promise<void> {
  registering ??= register(file, load).catch((error: unknown) => {
    registering = undefined;
    throw error;
  });
  return registering;
}

async function register(file: string, load: Importer): Promise<void> {
  let apis: LoaderApi[];
  try {
    apis = (await Promise.all([load('tsx/esm/api'), load('tsx/cjs/api')])) as LoaderApi[];
  } catch (error) {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (code === 'ERR_MODULE_NOT_FOUND' && String(message).includes("'tsx'")) {
      throw new ConfigError(
        `${file} is TypeScript, and the twistar command found no TypeScript loader to import it: install tsx ` +
          'in the project (npm install -D tsx), or write the file in JavaScript.',
        { cause: error },
      );
    }
    throw new ConfigError(`Could not load tsx to import ${file}: ${String(message)}`, { cause: error });
  }
  // Both: a .ts file is an ES module in a "type": "module" package, CommonJS otherwise.
  for (const api of apis) api.register();
}

/** Imports a module file (a file: URL), registering a TypeScript loader first when the file is TypeScript. */
export async function importFile(url: string): Promise<unknown> {
  const path = fileURLToPath(url);
  if (TYPESCRIPT.test(path)) await requireTypeScriptLoader(path);
  return import(url);
}
