import { InvalidQueryError } from '../errors.js';
import type { ColumnInfo } from '../dialects/dialect.js';

/* What an atomic increment takes (an object's `increment`, a query's `increment`): a number column, a number. */

/** Refuses a column that is no number column, and an amount that is no finite number or bigint. */
export function checkAdjustment(
  column: ColumnInfo | undefined,
  name: string,
  model: string,
  by: unknown,
): ColumnInfo {
  if (column === undefined) throw new InvalidQueryError(`${model} has no column "${name}" to increment.`);
  const numeric =
    column.kind === 'integer' ||
    column.kind === 'decimal' ||
    (column.kind === 'other' && /real|float|double|numeric/i.test(column.type));
  if (!numeric) {
    throw new InvalidQueryError(
      `${model}.${name} is a ${column.type} column: only number columns can be incremented.`,
    );
  }
  if (!(typeof by === 'bigint' || (typeof by === 'number' && Number.isFinite(by)))) {
    throw new InvalidQueryError(`increment/decrement takes a finite number or a bigint, got ${String(by)}.`);
  }
  if (column.kind === 'integer' && typeof by === 'number' && !Number.isInteger(by)) {
    throw new InvalidQueryError(
      `${model}.${name} is an integer column: increment it by a whole number, got ${by}.`,
    );
  }
  return column;
}

/** The negation of an amount (decrement is an increment by it). */
export function negated(by: number | bigint): number | bigint {
  return typeof by === 'bigint' ? -by : -by;
}
