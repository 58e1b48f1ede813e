import type { ColumnInfo } from '../dialects/dialect.js';
import { InvalidQueryError } from '../errors.js';
import type { ModelSchema } from '../model/model-schema.js';

/*
 * The values of COUNT, SUM, AVG, MIN and MAX as the query layer gives them, the same on every database: each
 * driver returns them differently (PostgreSQL's SUM of integers is NUMERIC text, MySQL's SUM and AVG are
 * DECIMAL text, SQLite's are numbers).
 */

export type AggregateName = 'count' | 'sum' | 'avg' | 'min' | 'max';

/** An integer as a number, or as a bigint past 2^53 (never rounded). */
function integer(value: unknown): number | bigint {
  if (typeof value === 'number' || typeof value === 'bigint') {
    if (typeof value === 'bigint' && Number.isSafeInteger(Number(value))) return Number(value);
    return value;
  }
  const text = String(value);
  if (/^-?\d+(?:\.0*)?$/.test(text)) {
    const [whole = text] = text.split('.');
    const number = Number(whole);
    return Number.isSafeInteger(number) ? number : BigInt(whole);
  }
  return Number(text);
}

/** A decimal's text with at least `scale` places and no further trailing zeros. */
function decimalText(value: unknown, scale: number): string {
  const text = typeof value === 'number' ? value.toFixed(Math.max(scale, 0)) : String(value);
  if (!text.includes('.')) return scale > 0 ? `${text}.${'0'.repeat(scale)}` : text;
  const [whole = text, fraction = ''] = text.split('.');
  let places = fraction.replace(/0+$/, '');
  if (places.length < scale) places = places.padEnd(scale, '0');
  return places === '' ? whole : `${whole}.${places}`;
}

/** A float sum of decimals (SQLite keeps decimals as floating point) rounded to the column's places. */
function roundedDecimal(value: number, scale: number): string {
  return decimalText(value.toFixed(Math.min(Math.max(scale, 0), 20)), scale);
}

/** The value an aggregate of `column` gives, from what the driver read. */
export function aggregateValue(
  aggregate: AggregateName,
  value: unknown,
  column: ColumnInfo | undefined,
  schema: ModelSchema,
): unknown {
  if (aggregate === 'count') return Number(value ?? 0);
  const kind = column?.kind;
  if (aggregate === 'sum') {
    if (value === null || value === undefined)
      return kind === 'decimal' ? decimalText('0', column?.scale ?? 0) : 0;
    if (kind === 'decimal') {
      const scale = column?.scale ?? 0;
      return typeof value === 'number' ? roundedDecimal(value, scale) : decimalText(value, scale);
    }
    if (kind === 'integer') return integer(value);
    return typeof value === 'string' ? Number(value) : value;
  }
  if (value === null || value === undefined) return null;
  // Averages of integer and decimal columns are their exact sums over their counts (query-reads.ts): here only
  // floating-point columns' AVG.
  if (aggregate === 'avg') return Number(value);
  // MIN and MAX are values of the column: read as the column is.
  const reader = column === undefined ? undefined : schema.readers.get(column.name);
  return reader === undefined ? value : reader(value);
}

/** Refuses a column an aggregate cannot add up. */
export function checkAggregated(aggregate: AggregateName, column: ColumnInfo, model: string): void {
  if (
    (aggregate === 'sum' || aggregate === 'avg') &&
    column.kind !== 'integer' &&
    column.kind !== 'decimal'
  ) {
    if (column.kind === 'other' && /real|float|double|numeric/i.test(column.type)) return;
    throw new InvalidQueryError(
      `${aggregate}("${column.name}"): ${model}.${column.name} is a ${column.type} column, not a number column.`,
    );
  }
}

/** `sum / count` to `places` decimal places, rounded half away from zero, exactly (no floating point). */
export function decimalQuotient(sum: string, count: number, places: number): string {
  const negative = sum.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? sum.slice(1) : sum).split('.');
  const numerator = BigInt(whole + fraction) * 10n ** BigInt(places);
  const denominator = BigInt(count) * 10n ** BigInt(fraction.length);
  let quotient = numerator / denominator;
  if ((numerator % denominator) * 2n >= denominator) quotient += 1n;
  const digits = quotient.toString().padStart(places + 1, '0');
  const text = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
  return negative && quotient !== 0n ? `-${text}` : text;
}
