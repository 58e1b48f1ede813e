import { InvalidQueryError, UnsafeSqlError } from '../errors.js';
import { compilePlaceholders, type CompiledSql, type LexicalRules } from '../sql/placeholders.js';
import type { DateRange } from '../sql/values.js';

/** The databases Twistar speaks to. */
export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/**
 * What a column's declared type means to Twistar when it converts values in and out; `text` is a character
 * column (`TEXT`, `VARCHAR(n)`, `CHAR(n)`), where save() writes booleans and numbers as text of its own.
 */
export type ColumnKind = 'boolean' | 'date' | 'datetime' | 'decimal' | 'integer' | 'json' | 'text' | 'other';

/** One column of a table, as read from the database's catalogue. */
export interface ColumnInfo {
  readonly name: string;
  /** The declared type as the database reports it, lower case (`varchar(255)`, `tinyint(1)`, `integer`). */
  readonly type: string;
  readonly kind: ColumnKind;
  readonly nullable: boolean;
  readonly primaryKey: boolean;
  /** The declared length of a `CHAR(n)`/`VARCHAR(n)` column, in characters; undefined for other types. */
  readonly maxLength?: number;
  /** `decimal`: the declared precision (digits in all) and scale (digits after the point), where declared. */
  readonly precision?: number;
  readonly scale?: number;
  /**
   * `decimal`: the most significant digits the column keeps exactly, where fewer than its precision (SQLite
   * converts a decimal to a 64-bit float, exact to 15 digits, unless it is a whole number that fits 64 bits).
   */
  readonly exactDigits?: number;
  /** `datetime`: the digits of a second's fraction the column keeps (MySQL `DATETIME`: 0), where known. */
  readonly fractionDigits?: number;
  /** A text column's character set, where the database has one per column (MySQL: `utf8mb3`, `latin1`…). */
  readonly charset?: string;
}

/** The pure rules of one database: quoting, placeholders, limits and catalogue queries. No I/O. */
export interface Dialect {
  readonly name: DialectName;
  readonly lexical: LexicalRules;
  /** The most bind parameters one statement may carry. */
  readonly maxParameters: number;
  /** The new row's key comes back through `INSERT … RETURNING` rather than from the driver. */
  readonly insertReturning: boolean;
  /**
   * How a multi-row INSERT tells the keys it generated: `returning` (one row each, in order), `last`
   * (the last key; the others precede it one by one), or `first` (the first key; the others follow it
   * one by one only when the server's auto-increment settings guarantee it).
   */
  readonly bulkInsertKeys: 'returning' | 'last' | 'first';
  readonly beginTransaction: string;
  /** After a failed statement the database refuses the rest of the transaction (PostgreSQL). */
  readonly abortsTransactionOnError: boolean;
  /** CREATE/ALTER/DROP run inside a transaction and roll back with it (no implicit commit). */
  readonly transactionalDdl: boolean;
  /** Clauses of locking reads, which see the latest committed rows; '' where the whole database is locked. */
  readonly lockClauses: { readonly update: string; readonly share: string };
  quoteIdentifier(name: string): string;
  /**
   * Rewrites `?` placeholders for the driver and counts them (cached by SQL text); InvalidQueryError for more
   * placeholders than `maxParameters`.
   */
  compile(sql: string): CompiledSql;
  /** The LIMIT/OFFSET clause (with a leading space), or '' for neither; both are checked integers. */
  limitOffset(limit: number | undefined, offset: number | undefined): string;
  /**
   * The clause that makes an `INSERT … VALUES` skip a row a unique key already holds (and nothing else): where the
   * table has no such key it changes nothing. `column` is one of the inserted columns, quoted.
   */
  skipDuplicates(column: string): string;
  /** `INSERT` of a row that takes every column's default. */
  insertDefaults(quotedTable: string): string;
  /** The statement and parameters that list a table's columns; no rows means no such table. */
  columnsQuery(table: string): readonly [string, readonly unknown[]];
  parseColumns(rows: readonly Record<string, unknown>[]): ColumnInfo[];
  /**
   * True when the driver's `error` says a statement named a column its table does not have, or was planned for
   * other columns than the table has now: its columns changed since they were read.
   */
  staleColumns(error: unknown): boolean;
  /** The table the driver's `error` says does not exist (as the database prints it), or undefined. */
  missingTable(error: unknown): string | undefined;
  /**
   * The dates this database's date and date-time columns hold, where Twistar checks them before sending: a Date
   * parameter outside is a ValueOutOfRangeError. Undefined: the database itself refuses what it cannot hold.
   */
  readonly dateRange?: DateRange;
  /**
   * The instant (ms since 1970) a date-time column with `fractionDigits` < 3 stores for `time`: the database's
   * own rounding or truncation. Undefined: the database keeps every millisecond (or has no such columns).
   */
  storedTime?(time: number, fractionDigits: number): number;
  /**
   * An expression giving a date or date-time column's value as text that binds back to exactly the stored
   * value, where the driver reads it as a Date with less precision (microseconds); undefined where the
   * driver's value binds back exactly (SQLite's text).
   */
  exactDateText?(quotedColumn: string): string;
  /** How a value read from a column of this kind becomes its JavaScript value, where the driver does not. */
  readConverter(column: ColumnInfo): ((value: unknown) => unknown) | undefined;
}

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
