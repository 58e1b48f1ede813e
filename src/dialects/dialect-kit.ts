/** Building blocks of dialects: placeholder compilation, identifier quoting, and reading the values drivers return. */
import { ConnectionError, InvalidQueryError, UnsafeSqlError } from '../errors.js';
import { compilePlaceholders, type CompiledSql, type LexicalRules } from '../sql/placeholders.js';
import type { Dialect } from './dialect.js';
import type { Driver, DriverConnection } from './driver.js';

const COMPILED_CACHE_LIMIT = 2000;

/**
 * Memoises placeholder compilation per SQL text, bounded so that ad-hoc SQL cannot grow it forever. A statement
 * with more than `maxParameters` placeholders is refused before it is sent: a driver could otherwise send the
 * count wrapped (node-postgres writes it in 16 bits), and the server would bind the wrong values.
 */
export function compiler(
  rules: LexicalRules,
  maxParameters: number,
  render?: (index: number) => string,
): (sql: string) => CompiledSql {
  const cache = new Map<string, CompiledSql>();
  return (sql) => {
    let compiled = cache.get(sql);
    if (compiled === undefined) {
      compiled = compilePlaceholders(sql, rules, render);
      if (compiled.placeholders > maxParameters) {
        throw new InvalidQueryError(
          `The SQL has ${compiled.placeholders} placeholders, more than the ${maxParameters} one statement can ` +
            'bind on this database; split the work into several statements (insertMany and createMany do). ' +
            `SQL: ${sql.length > 200 ? `${sql.slice(0, 200)}…` : sql}`,
        );
      }
      if (cache.size >= COMPILED_CACHE_LIMIT) cache.clear();
      cache.set(sql, compiled);
    }
    return compiled;
  };
}

const quoted = { '"': new Map<string, string>(), '`': new Map<string, string>() };

/** Quotes an identifier with `quote`, doubling any embedded quote; a dotted name is quoted part by part. */
export function quoteWith(quote: '"' | '`', name: string): string {
  const cache = quoted[quote];
  let text = cache.get(name);
  if (text === undefined) {
    text = quoteUncached(quote, name);
    if (cache.size >= COMPILED_CACHE_LIMIT) cache.clear();
    cache.set(name, text);
  }
  return text;
}

function quoteUncached(quote: string, name: string): string {
  if (name.length === 0) throw new UnsafeSqlError('An identifier cannot be empty.');
  if (name.includes('\0')) throw new UnsafeSqlError('An identifier cannot contain a NUL character.');
  // Half a surrogate pair cannot be sent as UTF-8: the driver would name another identifier (with U+FFFD).
  if (!(name as string & { isWellFormed(): boolean }).isWellFormed())
    throw new UnsafeSqlError('An identifier cannot contain a lone surrogate (half of a UTF-16 pair).');
  return name
    .split('.')
    .map((part) => quote + part.split(quote).join(quote + quote) + quote)
    .join('.');
}

/**
 * A table name as the catalogue knows it: `schema.table` (`billing.invoices`, `main.items`, `otherdb.items`)
 * names the schema (or attached or other database); a plain name has none (null: the connection's own).
 */
export function splitTableName(table: string): readonly [schema: string | null, name: string] {
  const dot = table.indexOf('.');
  return dot < 0 ? [null, table] : [table.slice(0, dot), table.slice(dot + 1)];
}

const ZONE = /(?:[zZ]|[+-]\d\d:?\d\d)$/;

/** The number written by `length` digits of `text` from `at`, or NaN if one is not a digit. */
function digits(text: string, at: number, length: number): number {
  let n = 0;
  for (let i = at; i < at + length; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
}

/**
 * `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD HH:MM:SS.sss` read by arithmetic (the forms SQLite's date
 * functions and Twistar write); NaN for anything else. Much cheaper than parsing a string with `new Date()`.
 */
function parseCanonical(text: string): number {
  const length = text.length;
  if (length !== 10 && length !== 19 && length !== 23) return Number.NaN;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return Number.NaN;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  // Date.UTC rolls over out-of-range parts (month 13, hour 25): such text is left to the slow path.
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) return Number.NaN;
  // Date.UTC reads the years 0–99 as 1900–1999: those are computed 400 years (146,097 days) later.
  if (year < 100) return utcTime(year + 400, month, day, text, length) - FOUR_CENTURIES_MS;
  return utcTime(year, month, day, text, length);
}

const FOUR_CENTURIES_MS = 146_097 * 86_400_000;

/** The rest of parseCanonical, for a year of 100 or more. */
function utcTime(year: number, month: number, day: number, text: string, length: number): number {
  if (length === 10) return Date.UTC(year, month - 1, day);
  if (text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58)
    return Number.NaN;
  if (length === 23 && text.charCodeAt(19) !== 46) return Number.NaN;
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (!(hour <= 23 && minute <= 59 && second <= 59)) return Number.NaN;
  const ms = length === 23 ? digits(text, 20, 3) : 0;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** Reads a date or date-time text that the database stored in UTC (`2024-05-01`, `2024-05-01 10:20:30.123`). */
export function parseUtcDate(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const fast = parseCanonical(value);
  if (!Number.isNaN(fast)) return new Date(fast);
  let iso: string;
  if (value.length === 10) iso = `${value}T00:00:00Z`;
  else {
    // Twistar writes `YYYY-MM-DD HH:MM:SS[.sss]`; only text written by others may carry a zone.
    const zoned = value.length > 23 || value.endsWith('Z') || value.endsWith('z') ? ZONE.test(value) : false;
    iso = value.charCodeAt(10) === 32 ? `${value.slice(0, 10)}T${value.slice(11)}` : value;
    if (!zoned) iso += 'Z';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? value : date;
}

/** JSON text to its value; text that is not JSON passes through. */
export function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** 0/1 (and '0'/'1') to booleans; anything else passes through. */
export function parseBoolean(value: unknown): unknown {
  if (value === 1 || value === '1' || value === 1n) return true;
  if (value === 0 || value === '0' || value === 0n) return false;
  return value;
}

/** `YYYY-MM-DD` of a Date's UTC calendar day. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * `YYYY-MM-DD HH:MM:SS` of a Date in UTC, with `.sss` only when the milliseconds are not zero: the text
 * SQLite's `CURRENT_TIMESTAMP` and `datetime()` write, so that a Date compares equal to the text other tools
 * stored for that instant (SQLite compares dates as text, and `'… 00:00:00' < '… 00:00:00.000'`). For the
 * years 0000 to 9999 only (the pool refuses others before a driver calls this, see `sqliteDialect.dateRange`).
 */
export function utcDateTime(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, iso.endsWith('.000Z') ? 19 : 23)}`;
}

/** LIMIT and OFFSET where OFFSET alone needs a LIMIT meaning "all" (SQLite: -1, MySQL: 2^64 - 1). */
export function limitOffsetWith(all: string): Dialect['limitOffset'] {
  return (limit, offset) => {
    if (limit === undefined && offset === undefined) return '';
    const limitText = ` LIMIT ${limit ?? all}`;
    return offset === undefined ? limitText : `${limitText} OFFSET ${offset}`;
  };
}

/** What a driver is like, apart from how it connects (see Driver). */
export type DriverTraits = Omit<Driver, 'connect'>;

/**
 * A driver whose library is loaded the first time a pool connects: `load` imports the module that wraps the
 * library and resolves to its connect function. When `library` is not installed, connecting fails with a
 * ConnectionError that says to install it; so an application installs only the driver libraries it uses.
 */
export function lazyDriver(
  traits: DriverTraits,
  library: string,
  displayName: string,
  load: () => Promise<() => Promise<DriverConnection>>,
): Driver {
  let loading: Promise<() => Promise<DriverConnection>> | undefined;
  return {
    ...traits,
    async connect() {
      loading ??= load().catch((error: unknown) => {
        loading = undefined;
        throw missingLibrary(error, library, displayName) ?? error;
      });
      return (await loading)();
    },
  };
}

/** A ConnectionError when `error` says the package `library` is not installed; undefined for any other error. */
export function missingLibrary(
  error: unknown,
  library: string,
  displayName: string,
): ConnectionError | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' || !String(message).includes(`'${library}'`)) return undefined;
  return new ConnectionError(
    `Twistar connects to ${displayName} with the ${library} package, which is not installed: run ` +
      `npm install ${library}`,
    { cause: error },
  );
}
