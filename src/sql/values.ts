import { InvalidValueError, ValueOutOfRangeError } from '../errors.js';

/** A value Twistar binds as a statement parameter. */
export type SqlValue = string | number | bigint | boolean | Date | Buffer | Uint8Array | null;

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object (${value?.constructor?.name ?? 'null prototype'})`;
  return `a ${typeof value}`;
}

/** `String.prototype.isWellFormed` (Node 20; ES2024, beyond the ES2023 lib this project compiles against). */
interface WellFormed {
  isWellFormed(): boolean;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Where the first lone surrogate of `text` is, e.g. `U+D800 at index 3`. */
function loneSurrogate(text: string): string {
  const at = LONE_SURROGATE.exec(text)?.index ?? -1;
  const unit = text.charCodeAt(at).toString(16).toUpperCase();
  return `U+${unit} at index ${at}`;
}

/** True for the values a statement can bind. */
export function isSqlValue(value: unknown): value is SqlValue {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'bigint':
    case 'boolean':
      return true;
    case 'object':
      return value === null || value instanceof Date || value instanceof Uint8Array;
    default:
      return false;
  }
}

/** The instants a database's dates hold, and a sentence that says so (`… hold years 1000 to 9999`). */
export interface DateRange {
  /** The first and last millisecond held, as `Date.getTime()`. */
  readonly min: number;
  readonly max: number;
  readonly holds: string;
}

/**
 * The years `first` to `last` (four digits each), from 00:00:00.000 to 23:59:59.999 UTC; `holds` says what
 * holds them (it is completed with `the years <first> to <last>`).
 */
export function yearRange(first: string, last: string, holds: string): DateRange {
  return {
    min: Date.parse(`${first}-01-01T00:00:00.000Z`),
    max: Date.parse(`${last}-12-31T23:59:59.999Z`),
    holds: `${holds} the years ${first} to ${last} (UTC)`,
  };
}

/**
 * The time of a Date, or NaN for an invalid one and for an object that only looks like a Date (a Proxy of one,
 * `Object.create(Date.prototype)`), whose getTime() would throw a TypeError.
 */
export function timeOf(date: Date): number {
  try {
    return date.getTime();
  } catch {
    return Number.NaN;
  }
}

/** Why `date` is outside `range`, or undefined (also for an invalid Date, which is refused on its own). */
export function dateOutside(date: Date, range: DateRange | undefined): string | undefined {
  const time = timeOf(date);
  if (range === undefined || !(time < range.min || time > range.max)) return undefined;
  return `${date.toISOString()} is outside the dates this database stores: ${range.holds}`;
}

/**
 * Refuses, before anything is sent, a parameter that is not a scalar: an object or array would otherwise be
 * expanded or serialised by the driver, and `undefined` usually means a missing value. A Date outside
 * `dates` (the database's range, where Twistar knows it) is a ValueOutOfRangeError: the driver would cut it,
 * or the server store another date.
 */
export function checkParameters(params: readonly unknown[], sql: string, dates?: DateRange): void {
  for (let i = 0; i < params.length; i++) {
    const value = params[i];
    if (isSqlValue(value)) {
      if (value instanceof Date) {
        if (Number.isNaN(timeOf(value)))
          throw new InvalidValueError(
            `Parameter ${i + 1} is an invalid Date. It was made from text or numbers that are not a date. SQL: ${sql}`,
          );
        const outside = dateOutside(value, dates);
        if (outside !== undefined)
          throw new ValueOutOfRangeError(
            `Parameter ${i + 1}: ${outside}; nothing was sent. SQL: ${sql}`,
            sql,
            params,
            undefined,
          );
      }
      // Drivers would write NaN as NULL or 0, and ±Infinity as an error or a float some columns cannot hold.
      if (typeof value === 'number' && !Number.isFinite(value)) {
        throw new InvalidValueError(
          `Parameter ${i + 1} is ${String(value)}, which is not a number the database stores; check the calculation that produced it. SQL: ${sql}`,
        );
      }
      // UTF-8 cannot encode half a surrogate pair: every driver would send U+FFFD (or worse) in its place.
      if (typeof value === 'string' && !(value as string & WellFormed).isWellFormed()) {
        throw new InvalidValueError(
          `Parameter ${i + 1} is a string with a lone surrogate (${loneSurrogate(value)}), which UTF-8 cannot ` +
            `encode: the database would store U+FFFD instead. Fix the code that split the string. SQL: ${sql}`,
        );
      }
      continue;
    }
    const hint =
      value === undefined
        ? 'use null for NULL, or leave the condition out'
        : 'pass a string, number, bigint, boolean, Date, Buffer or null (JSON.stringify() a value meant for a JSON column)';
    throw new InvalidValueError(`Parameter ${i + 1} is ${describe(value)}; ${hint}. SQL: ${sql}`);
  }
}
