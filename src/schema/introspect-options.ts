import { InvalidSchemaOptionError } from '../tooling-errors.js';

/** The default name of the table where migrations record what was applied (`Migrator`'s `tableName`). */
export const MIGRATIONS_TABLE = 'twistar_migrations';

/** Which tables the schema tools leave out, besides the database's own. */
export interface IntrospectOptions {
  /**
   * The migrations table, as given to `Migrator` as `tableName` (default `twistar_migrations`). It is left out,
   * and so is any `<name>_…` companion of it.
   */
  readonly migrationsTable?: string;
  /** More tables to leave out: exact names, or patterns tested against each name. */
  readonly exclude?: readonly (string | RegExp)[];
}

/**
 * A test of whether the schema tools leave table `name` out under `options`: Twistar's migration bookkeeping
 * and the `exclude` list. Throws InvalidSchemaOptionError for an option of the wrong type.
 */
export function tableExclusion(options: IntrospectOptions = {}): (name: string) => boolean {
  const migrations = options.migrationsTable ?? MIGRATIONS_TABLE;
  if (typeof migrations !== 'string' || migrations === '') {
    throw new InvalidSchemaOptionError(
      `migrationsTable must be the name of the migrations table (Migrator's tableName), got ${describe(migrations)}.`,
    );
  }
  const exclude: readonly unknown[] = options.exclude ?? [];
  if (!Array.isArray(exclude)) {
    throw new InvalidSchemaOptionError(
      `exclude must be an array of table names and regular expressions, got ${describe(exclude)}.`,
    );
  }
  const names = new Set<string>();
  const patterns: RegExp[] = [];
  for (const entry of exclude) {
    if (typeof entry === 'string') names.add(entry);
    else if (entry instanceof RegExp) patterns.push(entry);
    else {
      throw new InvalidSchemaOptionError(
        `exclude takes table names (strings) and patterns (RegExp), got ${describe(entry)}; write /^tmp_/ ` +
          `rather than 'tmp_*'.`,
      );
    }
  }
  return (name) =>
    name === migrations ||
    name.startsWith(`${migrations}_`) ||
    names.has(name) ||
    // search() ignores lastIndex, so a /g or /y pattern gives the same answer every time.
    patterns.some((pattern) => name.search(pattern) !== -1);
}

function describe(value: unknown): string {
  return value instanceof RegExp ? String(value) : (JSON.stringify(value) ?? typeof value);
}
