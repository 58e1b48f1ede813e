import { InvalidValueError, StaleObjectError } from '../errors.js';
import type { Dialect } from '../dialects/dialect.js';
import { columnValue } from '../options.js';
import { quoteColumn } from '../sql/fragments.js';
import type { Where } from '../sql/where.js';
import type { ModelSchema } from './model-schema.js';

/*
 * Optimistic locking (Rails' lock_version): an UPDATE or DELETE of an object also requires the row to hold the
 * version the object holds, and an UPDATE sets the next one; a row another save changed meanwhile matches
 * nothing, and the write is refused with StaleObjectError instead of overwriting that save.
 */

/** The version an object expects its row to hold, as a condition, and the version an update writes. */
export interface VersionCheck {
  readonly column: string;
  readonly where: Where;
  readonly next: number | bigint;
}

/**
 * The version check of an UPDATE or DELETE of `obj`, or undefined for a model without locking. The object's own
 * value is the version expected: one read with the row, or assigned (a form sending back the version it showed).
 */
export function versionCheck(
  dialect: Dialect,
  schema: ModelSchema,
  obj: object,
  model: string,
): VersionCheck | undefined {
  const column = schema.lockVersion;
  if (column === undefined) return undefined;
  const quoted = quoteColumn(dialect, column);
  const current = columnValue(obj, column);
  if (current === null || current === undefined) return { column, where: [`${quoted} IS NULL`], next: 1 };
  const version = typeof current === 'string' && /^\d+$/.test(current) ? Number(current) : current;
  if (typeof version === 'bigint') return { column, where: [`${quoted} = ?`, version], next: version + 1n };
  if (typeof version !== 'number' || !Number.isSafeInteger(version)) {
    throw new InvalidValueError(
      `${model}.${column} (its lock version) holds ${String(current)}, not a whole number; nothing was sent.`,
    );
  }
  return { column, where: [`${quoted} = ?`, version], next: version + 1 };
}

/** The error of an UPDATE or DELETE whose version check matched no row. */
export function staleObject(what: string, column: string): StaleObjectError {
  return new StaleObjectError(
    `Cannot ${what}: its row was changed or deleted by someone else since it was read (its ${column} differs), ` +
      'so nothing was written. Refresh it, apply your change again, and save.',
  );
}
