import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { definitionForUrl } from '../dialects/dialect-registry.js';
import { ConfigError, Registry, connect, type ConnectionPool } from '../index.js';
import { resolveConfig, type ConfigFlags, type ResolvedConfig } from './config.js';
import { importFile } from './typescript-loader.js';

/** What a command works with: the settings in effect and the pool of the configured database. */
export interface Session {
  readonly config: ResolvedConfig;
  readonly pool: ConnectionPool;
}

/**
 * How a command opens an SQLite file: `create` as migrations do (a new file, in WAL mode), `existing` for the
 * console (the file must exist), `read` for the commands that only read (read-only: the file is never changed).
 */
export type FileAccess = 'create' | 'existing' | 'read';

/** The connect options for `access`: none for a server, whose databases are never created by connecting. */
function accessOptions(url: string, access: FileAccess): { driverOptions?: object } {
  if (access === 'create') return {};
  const definition = definitionForUrl(url);
  const { filename } = definition.parseUrl(url);
  const driverOptions =
    filename === undefined ? undefined : definition.existingFileOptions?.(filename, access === 'read');
  return driverOptions === undefined ? {} : { driverOptions };
}

/** Opens the configured database for one command and closes it afterwards. */
export async function withDatabase<T>(
  flags: ConfigFlags,
  work: (session: Session) => Promise<T>,
  access: FileAccess = 'create',
): Promise<T> {
  const config = await resolveConfig(flags);
  const pool = connect(config.url, accessOptions(config.url, access));
  Registry.DBPOOL = pool;
  try {
    // Connections open lazily: the console would start on a file that does not exist, and fail at its first query.
    if (access !== 'create') await pool.runQuery('SELECT 1');
    return await work({ config, pool });
  } finally {
    Registry.DBPOOL = null;
    await pool.close();
  }
}

/**
 * Imports every model file in the models folder (each registers its classes); resolves to how many. With
 * `required`, a missing folder, or one that registers no model, is a ConfigError: a wrong `--models` must not
 * pass `check` as "0 models agree".
 */
export async function loadModels(folder: string, required = false): Promise<number> {
  const where = `${folder} (set by --models or the config's models)`;
  if (!existsSync(folder)) {
    if (required) throw new ConfigError(`The models folder ${where} does not exist.`);
    return 0;
  }
  const files = readdirSync(folder)
    .filter((name) => /\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts'))
    .sort();
  for (const name of files) await importFile(pathToFileURL(join(folder, name)).href);
  if (required && Registry.registeredClasses().length === 0) {
    throw new ConfigError(
      files.length === 0
        ? `The models folder ${where} holds no model files (.ts, .mts, .js, .mjs).`
        : `The ${files.length} file(s) in the models folder ${where} register no model (Registry.register).`,
    );
  }
  return files.length;
}
