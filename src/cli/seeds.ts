import { existsSync, readdirSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { messageOf } from '../errors.js';
import { ConfigError, SeedError } from '../tooling-errors.js';
import type { ConnectionPool } from '../connection/connection-pool.js';
import type { Seed } from '../define-config.js';
import { resolveConfig, type ConfigFlags } from './config.js';
import { loadModels, withDatabase } from './database-session.js';
import { importFile } from './typescript-loader.js';
import { dim, green, out } from './terminal.js';

/*
 * `twistar seed`: runs the seed files of the seeds folder in name order, each in a transaction of its own, so
 * that a seed that throws leaves nothing half-written; the run stops there.
 */

const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

/** How the seeds folder was set, for messages. */
const FOLDER_SETTING = "(set by --seeds or the config's seeds)";

/** Whether `entry` of the folder is a seed file: a module, not a declaration, not `_helper.ts` or `.hidden`. */
function isSeedFile(entry: string): boolean {
  if (entry.startsWith('_') || entry.startsWith('.') || /\.d\.[cm]?ts$/.test(entry)) return false;
  return MODULE_EXTENSIONS.has(extname(entry));
}

/**
 * The seed files of `folder` to run, in name order; with `only`, the one of that name (with or without its
 * extension). ConfigError when the folder does not exist or has no such file.
 */
export function seedFiles(folder: string, only?: string): string[] {
  if (!existsSync(folder))
    throw new ConfigError(
      `The seeds folder ${folder} ${FOLDER_SETTING} does not exist: create it, with files that export default ` +
        'async function () { … }.',
    );
  const files = readdirSync(folder).filter(isSeedFile).sort();
  if (only === undefined) return files;
  const wanted = basename(only);
  const found = files.find((file) => file === wanted || file.slice(0, -extname(file).length) === wanted);
  if (found === undefined)
    throw new ConfigError(
      `No seed file "${only}" in ${folder}; its seed files are: ${files.join(', ') || 'none'}.`,
    );
  return [found];
}

/** The function a seed module exports: its default export, or `run`. */
function seedOf(module: Record<string, unknown>, file: string): Seed {
  const seed = typeof module.default === 'function' ? module.default : module.run;
  if (typeof seed !== 'function')
    throw new SeedError(
      `The seed file ${file} exports no function to run: write export default async function () { … } ` +
        '(or export async function run).',
      file,
    );
  return seed as Seed;
}

/**
 * Runs `files` of `folder` in order, each in a transaction of its own on `pool`; `onSeeded` hears of each one
 * done. A seed that fails rejects with SeedError naming it: its writes are rolled back, the ones before stay.
 */
export async function runSeeds(
  folder: string,
  files: readonly string[],
  pool: ConnectionPool,
  onSeeded: (file: string, ms: number) => void,
): Promise<void> {
  for (const [index, file] of files.entries()) {
    const started = performance.now();
    const fail = (error: unknown, what: string) => {
      const left = files.length - index - 1;
      return new SeedError(
        `The seed file ${file} ${what}: ${messageOf(error)}. Its writes were rolled back; ` +
          `${index} seed file(s) before it stay written${left > 0 ? `, and the ${left} after it did not run` : ''}.`,
        file,
        { cause: error },
      );
    };
    let module: Record<string, unknown>;
    try {
      module = (await importFile(pathToFileURL(join(folder, file)).href)) as Record<string, unknown>;
    } catch (error) {
      // A missing TypeScript loader says how to install one.
      if (error instanceof ConfigError) throw error;
      throw fail(error, 'could not be loaded');
    }
    const seed = seedOf(module, file);
    try {
      await pool.runInteraction(() => seed({ pool }));
    } catch (error) {
      throw fail(error, 'failed');
    }
    onSeeded(file, performance.now() - started);
  }
}

/** `twistar seed [--file <name>]`: runs the seed files (or the one named) on the configured database. */
export async function seed(flags: ConfigFlags, only: string | undefined): Promise<void> {
  // The folder is checked before connecting: a wrong --seeds is reported as such, and nothing to run opens nothing.
  const { seeds } = await resolveConfig(flags);
  const files = seedFiles(seeds, only);
  if (files.length === 0) {
    out(`No seed files in ${relative(process.cwd(), seeds) || '.'}.`);
    return;
  }
  await withDatabase(
    flags,
    async ({ config, pool }) => {
      await loadModels(config.models);
      await runSeeds(config.seeds, files, pool, (file, ms) =>
        out(`${green('seeded')} ${file} ${dim(`(${Math.round(ms)} ms)`)}`),
      );
      out(`ran ${files.length} seed file(s).`);
    },
    'existing',
  );
}
