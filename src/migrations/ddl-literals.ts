import { createHash } from 'node:crypto';
import { InvalidQueryError, InvalidValueError, UnsafeSqlError } from '../errors.js';
import type { Dialect } from '../dialects/dialect.js';
import { utcDateTime, utcDay } from '../dialects/dialect-kit.js';
import { SqlFragment, SQL_NAME } from '../sql/fragments.js';
import type { ColumnType } from './column-types.js';

/** The longest name every database keeps as written (PostgreSQL cuts names at 63 bytes, MySQL refuses 65). */
export const MAX_NAME_LENGTH = 63;

/** A caller's value, shown in a message whatever its type (JSON.stringify throws on a bigint). */
function shown(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * `name` if it is a plain identifier: letters, digits, `_` and `$`, not starting with a digit, at most 63
 * characters. Anything else is refused with UnsafeSqlError, before any SQL is built.
 */
export function checkName(name: unknown, what = 'Name'): string {
  if (typeof name !== 'string' || !SQL_NAME.test(name)) {
    throw new UnsafeSqlError(
      `${what} ${shown(name)} is not a plain identifier: the schema builder takes letters, digits, _ and $, ` +
        'not starting with a digit. For anything else, run the SQL yourself with db.runOperation().',
    );
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new UnsafeSqlError(
      `${what} "${name}" is ${name.length} characters long; names are limited to ${MAX_NAME_LENGTH} so that ` +
        'every database keeps them as written.',
    );
  }
  return name;
}

/** A table, column, index or constraint name checked (see `checkName`) and quoted. */
export function ddlName(dialect: Dialect, name: unknown, what = 'Name'): string {
  return dialect.quoteIdentifier(checkName(name, what));
}

/**
 * The name Twistar gives an index or constraint: `users_email_unique`, `pictures_user_id_foreign`. A name past 63
 * characters keeps its start and ends with a hash of the whole, so that it stays unique and the same every time.
 * The table and columns are checked first, since a cut name would not show what was wrong with them.
 */
export function generatedName(table: string, columns: readonly string[], suffix: string): string {
  checkName(table, 'Table name');
  for (const column of columns) checkName(column, 'Column name');
  const full = `${table}_${columns.join('_')}_${suffix}`;
  if (full.length <= MAX_NAME_LENGTH) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX_NAME_LENGTH - hash.length - 1)}_${hash}`;
}

/** What `.default()` takes: a value written as a literal, or a `sql` fragment for an expression. */
export type DefaultValue =
  | string
  | number
  | bigint
  | boolean
  | Date
  | Uint8Array
  | null
  | SqlFragment
  | readonly unknown[]
  | { readonly [key: string]: unknown };

/** The portable "now" of a date or date-time column, in UTC with milliseconds. */
export const NOW = Symbol('now');

/** A column's default as given to the builder. */
export type ColumnDefault = DefaultValue | typeof NOW;

/**
 * `'text'` with its quotes doubled. Backslashes are doubled too where they may be escapes: always on MySQL; on
 * PostgreSQL the literal is then an `E'…'` string, whose backslashes are escapes whatever
 * standard_conforming_strings says (a plain '…' would change meaning, and end early, with the setting off).
 */
function stringLiteral(dialect: Dialect, text: string): string {
  if (text.includes('\0')) {
    throw new InvalidValueError(
      'A default value cannot contain a NUL character (PostgreSQL cannot store one).',
    );
  }
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw new InvalidValueError(
      'A default value cannot contain a lone surrogate (half of a UTF-16 pair): UTF-8 cannot encode it.',
    );
  }
  const quoted = (body: string) => body.replaceAll("'", "''");
  if (dialect.lexical.backslashEscapes) return `'${quoted(text.replaceAll('\\', '\\\\'))}'`;
  if (dialect.ddl.escapeStrings === true && text.includes('\\'))
    return `E'${quoted(text.replaceAll('\\', '\\\\'))}'`;
  return `'${quoted(text)}'`;
}

/**
 * The SQL of a column default. Values become literals (never text pasted from the caller): numbers and
 * bigints as digits, booleans per database, strings quoted with quotes doubled, Dates in UTC, bytes in hex,
 * objects and arrays as JSON text. A `sql` fragment is the caller's own expression, taken as written.
 */
export function defaultSql(dialect: Dialect, value: ColumnDefault, type: ColumnType): string {
  if (value === NOW) {
    if (type.name !== 'date' && type.name !== 'datetime') {
      throw new InvalidQueryError(`defaultNow() is for date and datetime columns, not ${type.name}.`);
    }
    return dialect.ddl.now(type.name === 'date');
  }
  if (value instanceof SqlFragment) {
    if (value.params.length > 0) {
      throw new InvalidQueryError(
        'A default cannot have parameters: DDL binds none. Pass the value itself to .default(), or write a ' +
          'constant expression in the sql`…` fragment.',
      );
    }
    return value.text;
  }
  const literal = valueLiteral(dialect, value, type);
  const expression = (dialect.ddl.expressionDefaults as ReadonlySet<string>).has(type.name);
  return expression && literal !== 'NULL' ? `(${literal})` : literal;
}

/** The JSON text of a json column's default; InvalidValueError when it has none (a bigint, a cycle, a function). */
function jsonText(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new InvalidValueError(`A json default cannot be written as JSON: ${(error as Error).message}.`, {
      cause: error,
    });
  }
  if (text === undefined) {
    throw new InvalidValueError(`A json default of ${shown(value)} has no JSON text; use null for none.`);
  }
  return text;
}

function valueLiteral(dialect: Dialect, value: DefaultValue, type: ColumnType): string {
  if (value === null) return 'NULL';
  if (value === undefined) {
    throw new InvalidValueError('A default cannot be undefined: use .default(null) for NULL, or no default.');
  }
  switch (typeof value) {
    case 'boolean':
      return dialect.ddl.booleanLiteral(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new InvalidValueError(`A default must be a finite number, got ${String(value)}.`);
      }
      return String(value);
    case 'bigint':
      return String(value);
    case 'string':
      return stringLiteral(dialect, value);
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new InvalidValueError('A default is an invalid Date.');
    return stringLiteral(dialect, type.name === 'date' ? utcDay(value) : utcDateTime(value));
  }
  if (value instanceof Uint8Array) {
    const hex = Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
    return dialect.ddl.bytesLiteral(hex, (text) => stringLiteral(dialect, text));
  }
  if (type.name === 'json') return stringLiteral(dialect, jsonText(value));
  throw new InvalidValueError(
    `A default of a ${type.name} column cannot be an object or array (only json columns take one); ` +
      'use a string, number, boolean, Date, bytes, null or a sql`…` fragment.',
  );
}
