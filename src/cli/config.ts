import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { messageOf } from '../errors.js';
import { ConfigError } from '../tooling-errors.js';
import type { TwistarConfig } from '../define-config.js';
import { MIGRATIONS_TABLE } from '../schema/introspect-options.js';
import { importFile } from './typescript-loader.js';

/** The command line's say over the config file. */
export interface ConfigFlags {
  readonly url?: string;
  readonly config?: string;
  readonly migrations?: string;
  readonly models?: string;
  readonly migrationsTable?: string;
  readonly seeds?: string;
}

/** Where the settings in effect came from, for messages. */
export interface ResolvedConfig {
  readonly url: string;
  readonly urlFrom: '--url' | 'DATABASE_URL' | 'config file' | 'default';
  readonly migrations: string;
  readonly models: string;
  readonly migrationsTable: string;
  readonly seeds: string;
  readonly file: string | null;
}

const CONFIG_FILES = [
  'twistar.config.ts',
  'twistar.config.mts',
  'twistar.config.js',
  'twistar.config.mjs',
  'twistar.config.json',
];

const KEYS = ['url', 'migrations', 'models', 'migrationsTable', 'seeds'] as const;

/** The SQLite file a project without any configuration gets, in the current folder. */
export const DEFAULT_URL = 'sqlite:twistar.db';

async function loadFile(path: string): Promise<unknown> {
  try {
    if (path.endsWith('.json')) return JSON.parse(readFileSync(path, 'utf8'));
    const module = (await importFile(pathToFileURL(path).href)) as { default?: unknown };
    return module.default ?? module;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const reason = messageOf(error);
    throw new ConfigError(`Could not load ${path}: ${reason}`, { cause: error });
  }
}

function checkConfig(config: unknown, file: string): TwistarConfig {
  if (config === null || typeof config !== 'object' || Array.isArray(config))
    throw new ConfigError(`${file} must export an object ({ ${KEYS.join(', ')} }).`);
  for (const key of Object.keys(config)) {
    if (!(KEYS as readonly string[]).includes(key))
      throw new ConfigError(`${file}: unknown setting "${key}"; the settings are ${KEYS.join(', ')}.`);
  }
  for (const key of KEYS) {
    const value = (config as Record<string, unknown>)[key];
    if (value !== undefined && typeof value !== 'string')
      throw new ConfigError(`${file}: "${key}" must be a string, got ${typeof value}.`);
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
    if (!existsSync(file)) throw new ConfigError(`No config file at ${file}.`);
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
    migrationsTable: flags.migrationsTable ?? fromFile.migrationsTable ?? MIGRATIONS_TABLE,
    seeds: resolve(cwd, flags.seeds ?? fromFile.seeds ?? 'seeds'),
    file,
  };
}
