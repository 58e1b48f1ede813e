import { skipNonCode, type LexicalRules } from '../../sql/placeholders.js';
import { POSTGRES_LEXICAL } from './postgres-lexical.js';

/*
 * Values to and from PostgreSQL's text forms, independent of the session's TimeZone (which a pooler such as
 * PgBouncer does not keep): dates are written with an explicit UTC offset and read with the offset the server
 * printed, and years outside 0001–9999 (PostgreSQL keeps 4713 BC to 294276 AD) are written and read too.
 */

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * A Date as PostgreSQL input: `YYYY-MM-DDTHH:MM:SS.sssZ`, with more year digits after 9999 and ` BC` for
 * years before 1 (JavaScript's year 0 is 1 BC). A TIMESTAMP column drops the `Z`, a DATE keeps the UTC day.
 */
export function postgresDateText(date: Date): string {
  const year = date.getUTCFullYear();
  if (year >= 1 && year <= 9999) return date.toISOString();
  const time =
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}` +
    `.${pad(date.getUTCMilliseconds(), 3)}`;
  const day = `${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  return year >= 1 ? `${pad(year, 4)}-${day}T${time}Z` : `${pad(1 - year, 4)}-${day}T${time}Z BC`;
}

// PostgreSQL's ISO output: `2024-05-01 10:20:30.123456`, a zone on timestamptz (`+05:30`, `-03:30:52` before
// standard time), ` BC` last.
const TIMESTAMP =
  /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)?( BC)?$/;
const DATE = /^(\d{4,})-(\d\d)-(\d\d)( BC)?$/;

/** Milliseconds since the epoch of a UTC calendar time in an astronomical year (0 = 1 BC), any year. */
function utc(year: number, month: number, day: number, h = 0, m = 0, s = 0, ms = 0): number {
  const midnight = new Date(0);
  midnight.setUTCFullYear(year, month - 1, day);
  // Added as numbers: a local time past JavaScript's last instant may still be an instant it holds.
  return midnight.getTime() + ((h * 60 + m) * 60 + s) * 1000 + ms;
}

const astronomical = (digits: string, bc: string | undefined) =>
  bc === undefined ? Number(digits) : 1 - Number(digits);

/**
 * A `timestamp` (in UTC, as Twistar writes it) or `timestamptz` (at the offset printed) to a Date;
 * `infinity`/`-infinity` stay strings. A value JavaScript cannot hold (after 275760 AD, before 271821 BC)
 * is an Invalid Date, never a string or a cut value.
 */
export function parsePostgresTimestamp(text: string): Date | string {
  if (text === 'infinity' || text === '-infinity') return text;
  const match = TIMESTAMP.exec(text);
  if (match === null) return new Date(Number.NaN);
  const [, y, mo, d, h, mi, s, frac, sign, oh, om, os, bc] = match;
  const ms = frac === undefined ? 0 : Math.floor(Number(frac.padEnd(6, '0')) / 1000);
  const local = utc(astronomical(y ?? '', bc), Number(mo), Number(d), Number(h), Number(mi), Number(s), ms);
  const offset =
    sign === undefined
      ? 0
      : (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om ?? 0) * 60 + Number(os ?? 0)) * 1000;
  const time = local - offset;
  return new Date(Math.abs(time) <= 8.64e15 ? time : Number.NaN);
}

/** A `date` to midnight UTC of that day; `infinity`/`-infinity` stay strings. */
export function parsePostgresDate(text: string): Date | string {
  if (text === 'infinity' || text === '-infinity') return text;
  const match = DATE.exec(text);
  if (match === null) return new Date(Number.NaN);
  const [, y, mo, d, bc] = match;
  return new Date(utc(astronomical(y ?? '', bc), Number(mo), Number(d)));
}

/**
 * `sql` (with `$n` placeholders) with `::bytea` after each placeholder whose value is binary, so that the
 * server reads those values as bytes and refuses them where a number, a JSON value or a comparison with
 * text is expected (node-postgres sends a Buffer in binary format: without the cast an INTEGER column
 * would read its first 4 bytes as a number).
 */
export function castBinaryPlaceholders(
  sql: string,
  binary: ReadonlySet<number>,
  rules: LexicalRules,
): string {
  let out = '';
  let from = 0;
  let i = 0;
  while (i < sql.length) {
    if (sql.charCodeAt(i) === 36 /* $ */ && /[0-9]/.test(sql[i + 1] ?? '') && !/\w/.test(sql[i - 1] ?? '')) {
      let end = i + 1;
      while (/[0-9]/.test(sql[end] ?? '')) end++;
      if (binary.has(Number(sql.slice(i + 1, end)) - 1)) {
        out += `${sql.slice(from, end)}::bytea`;
        from = end;
      }
      i = end;
    } else {
      const next = skipNonCode(sql, i, rules);
      i = next === i ? i + 1 : next;
    }
  }
  return out + sql.slice(from);
}

// PostgreSQL counts timestamps in microseconds from 2000-01-01 00:00:00 (UTC, as Twistar writes them).
const POSTGRES_EPOCH = Date.UTC(2000, 0, 1);

/**
 * The instant a `timestamp(n)` column (n < 3) stores for `time`: PostgreSQL rounds half away from its epoch,
 * 2000-01-01 (AdjustTimestampForTypmod): `.5` s rounds up after 2000 and down before it.
 */
export function postgresStoredTime(time: number, fractionDigits: number): number {
  const step = 10 ** (3 - fractionDigits);
  const since = time - POSTGRES_EPOCH;
  const rounded =
    since >= 0 ? Math.floor((since + step / 2) / step) * step : -Math.floor((step / 2 - since) / step) * step;
  return POSTGRES_EPOCH + rounded;
}

const YEAR_ZERO_DAY = /^0000-\d\d-\d\d$/;

/** Dates as text with an explicit UTC offset; byte arrays as Buffers; the rest as node-postgres does. */
function bindable(value: unknown): unknown {
  if (value instanceof Date) return postgresDateText(value);
  // A day in ISO 8601's year 0000 (a DATE column's value, as the models write it) is PostgreSQL's 1 BC.
  if (typeof value === 'string' && YEAR_ZERO_DAY.test(value)) return `0001${value.slice(4)} BC`;
  if (value instanceof Uint8Array && !Buffer.isBuffer(value))
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value;
}

/** A statement as a PostgreSQL driver sends it: see bindPostgresParameters. */
export interface BoundStatement {
  readonly sql: string;
  readonly values: unknown[];
  /** A value is bytes (its placeholder is cast `::bytea`): see misplacedBytesError. */
  readonly hasBytes: boolean;
}

/**
 * A statement (`$n` placeholders) and its parameters as a PostgreSQL driver sends them, independent of the
 * session's settings: Dates as text with their UTC offset, ISO's year 0000 as 1 BC, bytes as Buffers whose
 * placeholders are cast `::bytea` (so that the server reads them as bytes wherever they stand).
 */
export function bindPostgresParameters(sql: string, params: readonly unknown[]): BoundStatement {
  // Made only for a statement with bytes among its values (most have none).
  let binary: Set<number> | undefined;
  const values = params.map((value, index) => {
    if (value instanceof Uint8Array) (binary ??= new Set()).add(index);
    return bindable(value);
  });
  if (binary === undefined) return { sql, values, hasBytes: false };
  return { sql: castBinaryPlaceholders(sql, binary, POSTGRES_LEXICAL), values, hasBytes: true };
}
