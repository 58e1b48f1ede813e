import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { messageOf } from '../errors.js';
import { ConfigError, MigrationFileError } from '../tooling-errors.js';
import type { LexicalRules } from '../sql/placeholders.js';
import type { MigrationDb } from './migration-db.js';
import { isTransactionControl, splitStatements, sqlSections } from './sql-script.js';

/** A migration's direction. */
export type Direction = 'up' | 'down';

/** One migration file of the folder. */
export interface MigrationFile {
  /** The file name without its extension, as recorded in the migrations table: `20240501120000_create_users`. */
  readonly name: string;
  readonly path: string;
  readonly kind: 'sql' | 'module';
  /** sha256 of the file's text, line endings normalised to `\n`. */
  readonly checksum: string;
  readonly text: string;
}

/** A migration file's name: a 14-digit UTC timestamp, `_`, a name, an extension. */
export const MIGRATION_NAME = /^(\d{14})_([A-Za-z0-9_]+)$/;
const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

function kindOf(file: string): 'sql' | 'module' | undefined {
  if (file.endsWith('.d.ts') || file.endsWith('.d.mts') || file.endsWith('.d.cts')) return undefined;
  const extension = extname(file);
  if (extension === '.sql') return 'sql';
  return MODULE_EXTENSIONS.has(extension) ? 'module' : undefined;
}

/** sha256 of a migration's text; CRLF line endings count as LF, so a checkout on Windows changes nothing. */
export function checksumOf(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');
}

/**
 * The migrations of `folder`, in the order they apply (by name). Files whose names start with `_` or `.`, and
 * files that are neither SQL nor JavaScript/TypeScript, are not migrations; any other file must be named
 * `YYYYMMDDHHMMSS_name.ext`, or MigrationFileError says which is not.
 */
export async function readMigrationFiles(folder: string): Promise<MigrationFile[]> {
  let entries: string[];
  try {
    entries = await readdir(folder);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return [];
    throw new MigrationFileError(`Cannot read the migrations folder ${folder}.`, { cause: error });
  }
  const files: MigrationFile[] = [];
  const seen = new Map<string, string>();
  for (const entry of entries.sort()) {
    const kind = kindOf(entry);
    if (kind === undefined || entry.startsWith('_') || entry.startsWith('.')) continue;
    const name = entry.slice(0, entry.length - extname(entry).length);
    if (!MIGRATION_NAME.test(name)) {
      throw new MigrationFileError(
        `${join(folder, entry)} is not named like a migration (YYYYMMDDHHMMSS_name.sql, .ts or .js, the name in ` +
          'letters, digits and _). Rename it, or start its name with _ if it is not a migration.',
      );
    }
    const other = seen.get(name);
    if (other !== undefined) {
      throw new MigrationFileError(`${other} and ${entry} in ${folder} are the same migration; keep one.`);
    }
    seen.set(name, entry);
    const path = join(folder, entry);
    const text = await readFile(path, 'utf8');
    files.push({ name, path, kind, checksum: checksumOf(text), text });
  }
  return files;
}

/** What a migration module exports. */
interface MigrationModule {
  up?: unknown;
  down?: unknown;
  default?: { up?: unknown; down?: unknown };
}

/** Imports a migration module by its file URL. */
export type ImportModule = (url: string) => Promise<unknown>;

/** The work of one direction of a migration, run against a `MigrationDb`. */
export type MigrationStep = (db: MigrationDb) => Promise<void>;

/**
 * The `up` or `down` of a migration, checked before anything runs: a `.sql` file's section split into
 * statements, or a module's exported function. MigrationFileError when it has none, or cannot be loaded.
 */
export async function loadStep(
  file: MigrationFile,
  direction: Direction,
  rules: LexicalRules,
  importModule: ImportModule = (url) => import(url),
): Promise<MigrationStep> {
  if (file.kind === 'sql') {
    let section: string | undefined;
    try {
      section = sqlSections(file.text)[direction];
    } catch (error) {
      throw new MigrationFileError(
        `${file.path} is not a valid SQL migration: ${(error as Error).message}.`,
        {
          cause: error,
        },
      );
    }
    const statements = section === undefined ? [] : splitStatements(section, rules);
    if (statements.length === 0) {
      throw new MigrationFileError(
        `${file.path} has no statements in its "-- ${direction}" section` +
          (direction === 'down'
            ? ', so it cannot be rolled back. Write the statements that undo its "-- up".'
            : '.'),
      );
    }
    const control = statements.find(isTransactionControl);
    if (control !== undefined) {
      throw new MigrationFileError(
        `${file.path} controls transactions ("${control.slice(0, 40)}"); Twistar runs each migration in a ` +
          'transaction itself (where the database allows one). Remove the statement.',
      );
    }
    return async (db) => {
      for (const statement of statements) await db.runOperation(statement);
    };
  }
  let module: MigrationModule;
  try {
    // The checksum in the URL loads an edited file anew rather than the version imported before.
    module = (await importModule(
      `${pathToFileURL(file.path).href}?checksum=${file.checksum}`,
    )) as MigrationModule;
  } catch (error) {
    // The importer's own refusal (the CLI found no TypeScript loader) already says what to do.
    if (error instanceof ConfigError) throw error;
    const hint = /\.[cm]?ts$/.test(file.path)
      ? ' (a .ts migration needs a TypeScript loader: run it with `node --import tsx`, or use a .js file)'
      : '';
    const reason = messageOf(error);
    throw new MigrationFileError(`Cannot load the migration ${file.path}${hint}: ${reason}`, {
      cause: error,
    });
  }
  const step = module[direction] ?? module.default?.[direction];
  if (typeof step !== 'function') {
    throw new MigrationFileError(
      `${file.path} exports no ${direction}(db) function` +
        (direction === 'down' ? ', so it cannot be rolled back.' : '.'),
    );
  }
  return async (db) => {
    await (step as MigrationStep)(db);
  };
}
