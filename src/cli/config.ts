import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConnectionError } from '../errors.js';

/** What `twistar.config.ts` (or `.js`, `.mjs`, `.json`) may say; every field is optional. */
export interface TwistarConfig {
  /** The database URL (`sqlite:app.db`, `postgres://…`, `mysql://…`). */
  readonly url?: string;
  /** The folder of migration files (default `migrations`). */
  readonly migrations?: string;
  /** The folder of model classes (default `src/models`): `check`, `diagram` and `console` load them. */
  readonly models?: string;
}

/** The command line's say over the config file. */
export interface ConfigFlags {
  readonly url?: string;
  readonly config?: string;
  readonly migrations?: string;
  readonly models?: string;
}

/** Where the settings in effect came from, for messages. */
export interface ResolvedConfig {
  readonly url: string;
  readonly urlFrom: '--url' | 'DATABASE_URL' | 'config file' | 'default';
  readonly migrations: string;
  readonly models: string;
  readonly file: string | null;
}

const CONFIG_FILES = [
  'twistar.config.ts',
  'twistar.config.mts',
  'twistar.config.js',
  'twistar.config.mjs',
  'twistar.config.json',
];

/** The SQLite file a project without any configuration gets, in the current folder. */
export const DEFAULT_URL = 'sqlite:twistar.db';

async function loadFile(path: string): Promise<TwistarConfig> {
  if (path.endsWith('.json')) return JSON.parse(readFileSync(path, 'utf8')) as TwistarConfig;
  const module = (await import(pathToFileURL(path).href)) as { default?: TwistarConfig } & TwistarConfig;
  return module.default ?? module;
}

function checkConfig(config: unknown, file: string): TwistarConfig {
  if (config === null || typeof config !== 'object' || Array.isArray(config))
    throw new ConnectionError(`${file} must export an object ({ url, migrations, models }).`);
  for (const key of ['url', 'migrations', 'models'] as const) {
    const value = (config as Record<string, unknown>)[key];
    if (value !== undefined && typeof value !== 'string')
      throw new ConnectionError(`${file}: "${key}" must be a string, got ${typeof value}.`);
  }
  return config as TwistarConfig;
}

/**
 * The settings for a command: the connection from `--url`, else `DATABASE_URL`, else the config file, else an
 * SQLite file in the current folder; folders from the flags, else the config file, else the defaults.
 */
export async function resolveConfig(flags: ConfigFlags, cwd = process.cwd()): Promise<ResolvedConfig> {
  let file: string | null = null;
  if (flags.config !== undefined) {
    file = resolve(cwd, flags.config);
    if (!existsSync(file)) throw new ConnectionError(`No config file at ${file}.`);
  } else {
    file = CONFIG_FILES.map((name) => resolve(cwd, name)).find((path) => existsSync(path)) ?? null;
  }
  const fromFile = file === null ? {} : checkConfig(await loadFile(file), file);
  const env = process.env.DATABASE_URL;
  const [url, urlFrom] =
    flags.url !== undefined
      ? [flags.url, '--url' as const]
      : env !== undefined && env !== ''
        ? [env, 'DATABASE_URL' as const]
        : fromFile.url !== undefined
          ? [fromFile.url, 'config file' as const]
          : [DEFAULT_URL, 'default' as const];
  return {
    url,
    urlFrom,
    migrations: resolve(cwd, flags.migrations ?? fromFile.migrations ?? 'migrations'),
    models: resolve(cwd, flags.models ?? fromFile.models ?? 'src/models'),
    file,
  };
}
