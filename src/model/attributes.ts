import { InvalidValueError, TwistarError } from '../errors.js';
import { INT64_MAX, INT64_MIN, type Row } from '../dialects/driver.js';
import type { ColumnInfo, Dialect } from '../dialects/dialect.js';
import { utcDay } from '../dialects/dialect-kit.js';
import { timeOf } from '../sql/values.js';
import { decimalInexact, decimalOutOfRange, decimalParts } from '../sql/decimals.js';
import { setOwnProperty } from '../own-property.js';
import { columnValue } from '../options.js';
import type { ModelDefinition } from './model-definition.js';
import { knownSchema, type ModelSchema } from './model-schema.js';
import { STATE, type ObjectState } from './object-state.js';
import type { ModelColumn } from './model-casts.js';

type Record_ = Record<string, unknown>;
type WithState = { [STATE]: ObjectState };

/** A JSON value as it was when last saved, compared by its text. */
class JsonText {
  constructor(readonly text: string) {}
}

/** A copy of `value` that later in-place changes to `value` (a Date, a Buffer, a JSON object) do not reach. */
function freeze(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(timeOf(value));
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  return new JsonText(JSON.stringify(value));
}

/** JSON text of `value`, or undefined where it has none (a cycle, a BigInt): such a value counts as changed. */
function jsonText(value: object): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function same(current: unknown, frozen: unknown): boolean {
  if (frozen instanceof Date) return current instanceof Date && timeOf(current) === frozen.getTime();
  if (Buffer.isBuffer(frozen)) return Buffer.isBuffer(current) && current.equals(frozen);
  if (frozen !== null && typeof frozen === 'object') {
    if (current === null || typeof current !== 'object') return false;
    const text = jsonText(current);
    return text !== undefined && text === (frozen instanceof JsonText ? frozen.text : jsonText(frozen));
  }
  return Object.is(current, frozen);
}

/**
 * Assigns values to an object; `__proto__` becomes an own property, never a prototype change, and a
 * name that would hide one of the object's methods is refused.
 */
export function assignAttributes(obj: object, attrs: object): void {
  const target = obj as Record_;
  const values = attrs as Readonly<Record_>;
  for (const key of Object.keys(values)) {
    if (typeof target[key] === 'function') {
      throw new TwistarError(
        `"${key}" is a method of ${obj.constructor.name}; an attribute of that name would hide it. Rename the column or the method.`,
      );
    }
    setOwnProperty(target, key, values[key]);
  }
}

/** Fills `obj` from a row it was read from, and remembers the row as unchanged. */
export function readRow(obj: WithState, row: Row, schema: ModelSchema): void {
  const target = obj as unknown as Record_;
  for (const key of Object.keys(row)) {
    const raw = row[key];
    const reader = schema.readers.get(key);
    const value = reader === undefined ? raw : reader(raw);
    setOwnProperty(target, key, value);
    // The row itself is the snapshot (no copy per object); an object the model shares with it (a Date, a
    // Buffer or JSON the driver made) is copied there, so that changes made to it in place still show. A cast
    // column keeps the value its cast read: dirty tracking compares the model's forms.
    if (value === raw) {
      if (raw !== null && typeof raw === 'object') row[key] = freeze(raw);
    } else if (schema.casted?.has(key) === true) row[key] = freeze(value);
  }
  const state = obj[STATE];
  state.snapshot = row;
  state.persisted = true;
}

/** Records that the row now holds the object's current values of `columns`. */
export function markSaved(obj: WithState, columns: Iterable<string>): void {
  const state = obj[STATE];
  const snapshot = state.snapshot ?? (Object.create(null) as Record_);
  for (const name of columns) setOwnProperty(snapshot, name, freeze(columnValue(obj, name)));
  state.snapshot = snapshot;
  state.persisted = true;
}

/**
 * Takes the object's values of `columns` now, as they are sent, and returns what records them as the row's
 * once the write has succeeded: a value changed while the statement was on its way stays changed.
 */
export function capture(obj: WithState, columns: Iterable<string>): () => void {
  const taken: [string, unknown][] = [];
  for (const name of columns) taken.push([name, freeze(columnValue(obj, name))]);
  return () => {
    const state = obj[STATE];
    const snapshot = state.snapshot ?? (Object.create(null) as Record_);
    for (const [name, value] of taken) setOwnProperty(snapshot, name, value);
    state.snapshot = snapshot;
    state.persisted = true;
  };
}

/**
 * A value as it is written to `column`: first through the column's cast (its toDb, which refuses a value the
 * cast does not take), then as writeUncast says.
 */
export function writeValue(column: ModelColumn, value: unknown): unknown {
  const cast = column.cast;
  return writeUncast(
    column,
    cast === undefined || value === null || value === undefined ? value : cast.toDb(value),
  );
}

/**
 * A value as it is written to `column`, its cast left out (a LIKE pattern is the column's text): a Date's UTC
 * day for DATE columns, JSON text for JSON columns, and in text columns a boolean as `'true'`/`'false'` and a number or bigint as `String(n)`, so that every database
 * stores the same text. An invalid Date is left for the parameter check to refuse (InvalidValueError); a JSON
 * value with no JSON text (a cycle, a BigInt) is an InvalidValueError.
 */
export function writeUncast(column: ColumnInfo, value: unknown): unknown {
  switch (typeof value) {
    case 'boolean':
      return column.kind === 'text' ? String(value) : value;
    case 'number':
      // NaN and ±Infinity stay numbers, which the parameter check refuses: they are no one's text.
      return column.kind === 'text' && Number.isFinite(value) ? String(value) : value;
    case 'bigint':
      return column.kind === 'text' || column.kind === 'decimal' ? String(value) : value;
    case 'object':
      break;
    default:
      return value;
  }
  if (value instanceof Uint8Array && column.kind === 'text') {
    // PostgreSQL would store the bytes' hex text, MySQL the bytes as characters, SQLite a blob in a text column.
    throw new InvalidValueError(
      `Bytes (a ${value.constructor.name}) cannot be written to the text column "${column.name}"; decode them ` +
        "to a string first (e.g. buffer.toString('utf8')), or use a binary column. Nothing was sent.",
    );
  }
  if (value instanceof Date) {
    // Outside the years 0000–9999 only PostgreSQL holds dates (its driver writes them); the others refuse them.
    return column.kind === 'date' && !Number.isNaN(timeOf(value)) && fourDigitYear(value)
      ? utcDay(value)
      : value;
  }
  if (column.kind === 'json' && value !== null && !(value instanceof Uint8Array)) {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      throw new InvalidValueError(
        `The value for JSON column "${column.name}" cannot be written as JSON (${(error as Error).message.split('\n')[0]}): ` +
          'JSON has no BigInt and no cycles; convert bigints to strings or numbers and remove the cycle. Nothing was sent.',
        { cause: error },
      );
    }
    return text;
  }
  return value;
}

function fourDigitYear(date: Date): boolean {
  const year = date.getUTCFullYear();
  return year >= 0 && year <= 9999;
}

/** The code points of `text` (a pair of surrogates counts once), counted up to `stop`. */
function codePoints(text: string, stop: number): number {
  let count = 0;
  for (let i = 0; i < text.length && count < stop; i++, count++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return count;
}

/**
 * Why `column` cannot hold `value` exactly, or undefined: text longer than its declared `CHAR(n)`/`VARCHAR(n)`
 * (counted in characters, as PostgreSQL and MySQL count them; SQLite would keep it, the servers refuse it or
 * drop trailing spaces), or, in an integer column, a number with a fraction (the servers round it) or an
 * integer outside 64 bits.
 */
export function outOfRange(column: ColumnInfo, value: unknown): string | undefined {
  if (column.kind === 'decimal') return decimalRange(column, value);
  if (typeof value === 'string') {
    const max = column.maxLength;
    if (max === undefined || value.length <= max || codePoints(value, max + 1) <= max) return undefined;
    return `a string longer than the ${max} characters of column "${column.name}" (${column.type})`;
  }
  if (column.kind !== 'integer') return undefined;
  const outside =
    typeof value === 'bigint'
      ? value < INT64_MIN || value > INT64_MAX
      : typeof value === 'number' &&
        Number.isFinite(value) &&
        (!Number.isInteger(value) || value < -(2 ** 63) || value >= 2 ** 63);
  return outside
    ? `${String(value)} is not an integer the 64-bit column "${column.name}" (${column.type}) holds exactly`
    : undefined;
}

function decimalRange(column: ColumnInfo, value: unknown): string | undefined {
  if (column.precision === undefined || column.scale === undefined) return undefined;
  const parts = decimalParts(value);
  if (parts === undefined) return undefined;
  const why =
    decimalOutOfRange(parts, column.precision, column.scale) ??
    (column.exactDigits === undefined ? undefined : decimalInexact(parts, column.exactDigits));
  if (why === undefined) return undefined;
  const hint =
    typeof value === 'number'
      ? `; a number carries binary noise (0.1 + 0.2 is 0.30000000000000004): give the amount as text ('0.30'), ` +
        `or round it first (n.toFixed(${column.scale}))`
      : '';
  return `${String(value)} does not fit column "${column.name}" (${column.type}): ${why}${hint}`;
}

/**
 * Why `column` cannot hold `value` at all, or undefined: text that is not a number in a decimal column (SQLite
 * would store the text), a character outside the column's character set (MySQL's utf8mb3 has no emoji).
 */
export function unholdable(dialect: Dialect, column: ColumnInfo, value: unknown): string | undefined {
  if (column.kind === 'decimal' && typeof value === 'string' && decimalParts(value) === undefined) {
    return `${JSON.stringify(value)} is not a decimal number for column "${column.name}" (${column.type})`;
  }
  return typeof value === 'string' ? dialect.unholdableText?.(column, value) : undefined;
}

/** The column values of a new object: every column it has a value for. */
export function valuesToInsert(obj: object, schema: ModelSchema): Record_ {
  const values: Record_ = {};
  for (const column of schema.columns) {
    const value = columnValue(obj, column.name);
    if (value !== undefined) setOwnProperty(values, column.name, writeValue(column, value));
  }
  return values;
}

/** The columns whose values differ from what was last read or written; `undefined` counts as untouched. */
export function changedColumns(obj: WithState, schema: ModelSchema): string[] {
  const snapshot = obj[STATE].snapshot ?? {};
  const changed: string[] = [];
  for (const column of schema.columns) {
    const name = column.name;
    if (name === schema.primaryKey) continue;
    const value = columnValue(obj, name);
    if (value === undefined) continue;
    if (!Object.hasOwn(snapshot, name)) {
      changed.push(name);
      continue;
    }
    const stored = snapshot[name];
    if (same(value, stored)) continue;
    // A loaded row holds what the driver read (e.g. SQLite's date text): compare it as the model reads it (a
    // cast column's holds the model's value already).
    const reader = schema.casted?.has(name) === true ? undefined : schema.readers.get(name);
    if (reader === undefined || !same(value, reader(stored))) changed.push(name);
  }
  return changed;
}

/**
 * toHash(): the object's column values, the key first; every own property until the table's columns have been
 * read (knownSchema).
 */
export function columnValuesOf(obj: object, model: ModelDefinition): Record<string, unknown> {
  const schema = knownSchema(model);
  const hash: Record<string, unknown> = {};
  if (model.PRIMARY_KEY === 'id') hash.id = (obj as { id?: unknown }).id;
  for (const key of Object.keys(obj)) {
    if (schema === undefined || schema.byName.has(key))
      setOwnProperty(hash, key, (obj as Record<string, unknown>)[key]);
  }
  return hash;
}
