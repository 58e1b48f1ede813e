import { Buffer } from 'node:buffer';
import { InvalidQueryError } from '../errors.js';
import type { ColumnKind, Dialect } from '../dialects/dialect.js';
import type { ModelSchema } from '../model/model-schema.js';
import { SqlFragment, quoteColumn } from '../sql/fragments.js';
import type { OrderItem } from './query-state.js';

/*
 * Keyset pagination (cursorPage, each): a page starts after the last row of the one before, by the values of the
 * order's columns, with the key as the last tie-breaker, so that no row is skipped or repeated however many rows
 * share a value, and no OFFSET makes the database walk what it has shown already. The cursor carries those values
 * as the database holds them (a date's exact text where a Date would lose digits), never SQL.
 */

/** One column of a keyset order. */
export interface KeyColumn {
  readonly column: string;
  readonly direction: 'ASC' | 'DESC';
  /** The name the exact text of a date column is read under, when a Date would lose its digits. */
  readonly exact: string | undefined;
  /** The column may hold NULL: its NULLs come after its values, in either direction, on every database. */
  readonly nullable: boolean;
  /** The column's kind, which a cursor's value must fit. */
  readonly kind: ColumnKind;
}

const EXACT_PREFIX = '__twistar_key_';

/** The keyset order of a query: its columns, then the key (in the last column's direction) unless ordered by it. */
export function keyColumns(
  order: readonly OrderItem[],
  primaryKey: string,
  dialect: Dialect,
  schema: ModelSchema,
  what: string,
): KeyColumn[] {
  const keys: KeyColumn[] = [];
  for (const item of order) {
    if ('fragment' in item) {
      throw new InvalidQueryError(
        `${what} pages by the values of the order's columns; an order by a sql fragment has none. Order by columns.`,
      );
    }
    const column = schema.byName.get(item.column);
    if (column === undefined) {
      throw new InvalidQueryError(`${what}: ${schema.table} has no column "${item.column}" to page by.`);
    }
    if (column.kind === 'other' && /float|real|double/i.test(column.type)) {
      // A floating-point value read back need not be the value stored (mysql2 reads a FLOAT 0.3 as 0.3 or as
      // 0.30000001192092896 by protocol), so a page would start beside its last row, not after it.
      throw new InvalidQueryError(
        `${what} cannot page by "${item.column}", a floating-point column: a value read back need not equal ` +
          'the one stored, so rows would be skipped or repeated. Order by exact columns (integers, decimals, ' +
          'text, dates); the key breaks ties.',
      );
    }
    const kind = column.kind;
    const exact =
      dialect.exactDateText !== undefined && (kind === 'date' || kind === 'datetime')
        ? `${EXACT_PREFIX}${keys.length}`
        : undefined;
    const nullable = column.nullable && item.column !== primaryKey;
    keys.push({ column: item.column, direction: item.direction, exact, nullable, kind });
    if (item.column === primaryKey) return keys;
  }
  keys.push({
    kind: schema.byName.get(primaryKey)?.kind ?? 'other',
    column: primaryKey,
    direction: keys.at(-1)?.direction ?? 'ASC',
    exact: undefined,
    nullable: false,
  });
  return keys;
}

/** The extra select items that read the exact text of date keys. */
export function exactItems(dialect: Dialect, keys: readonly KeyColumn[]): string[] {
  const exactDateText = dialect.exactDateText;
  if (exactDateText === undefined) return [];
  return keys.flatMap((key) =>
    key.exact === undefined
      ? []
      : [`${exactDateText(quoteColumn(dialect, key.column))} AS ${dialect.quoteIdentifier(key.exact)}`],
  );
}

/** The values a row holds for the keys (as read, before conversion). */
export function keyValues(row: Record<string, unknown>, keys: readonly KeyColumn[]): unknown[] {
  return keys.map((key) => (key.exact === undefined ? row[key.column] : row[key.exact]) ?? null);
}

/** The keyset's ORDER BY: each column in its direction, a nullable one's NULLs after its values. */
export function keyOrder(dialect: Dialect, keys: readonly KeyColumn[]): SqlFragment {
  return new SqlFragment(
    keys
      .map((key) => {
        const column = quoteColumn(dialect, key.column);
        return `${key.nullable ? `${column} IS NULL, ` : ''}${column} ${key.direction}`;
      })
      .join(', '),
  );
}

/** Removes the exact-text items from a row before it becomes a record. */
export function dropExact(row: Record<string, unknown>, keys: readonly KeyColumn[]): void {
  for (const key of keys) if (key.exact !== undefined) Reflect.deleteProperty(row, key.exact);
}

/**
 * The rows after `values` in the keyset order: (a > ?) OR (a = ? AND b > ?) OR …, `<` where descending. After a
 * value of a nullable column come its greater values and then its NULLs; after a NULL, only other NULLs' ties.
 */
export function afterCondition(
  dialect: Dialect,
  keys: readonly KeyColumn[],
  values: readonly unknown[],
): SqlFragment {
  const branches: string[] = [];
  const params: unknown[] = [];
  keys.forEach((key, at) => {
    const value = values[at];
    // Nothing sorts after a NULL in its own column: the rows after it tie with it and differ further on.
    if (value === null) return;
    const parts: string[] = [];
    keys.slice(0, at).forEach((earlier, before) => {
      const column = quoteColumn(dialect, earlier.column);
      if (values[before] === null) parts.push(`${column} IS NULL`);
      else {
        parts.push(`${column} = ?`);
        params.push(values[before]);
      }
    });
    const column = quoteColumn(dialect, key.column);
    const beyond = `${column} ${key.direction === 'ASC' ? '>' : '<'} ?`;
    parts.push(key.nullable ? `(${beyond} OR ${column} IS NULL)` : beyond);
    params.push(value);
    branches.push(parts.length === 1 ? parts.join('') : `(${parts.join(' AND ')})`);
  });
  return new SqlFragment(branches.length === 0 ? '1 = 0' : branches.join(' OR '), params);
}

function signature(table: string, keys: readonly KeyColumn[]): string {
  return `${table}:${keys.map((key) => `${key.column} ${key.direction}`).join(',')}`;
}

/** Whether a cursor's value can be one the key's column holds (values are bound, never SQL; this refuses forgeries). */
function fits(key: KeyColumn, value: unknown): boolean {
  if (value === null) return key.nullable;
  switch (key.kind) {
    case 'integer':
      return (
        (typeof value === 'number' && Number.isInteger(value)) ||
        typeof value === 'bigint' ||
        (typeof value === 'string' && /^-?\d+$/.test(value))
      );
    case 'decimal':
      return typeof value === 'number' || (typeof value === 'string' && /^-?\d+(?:\.\d+)?$/.test(value));
    case 'text':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean' || value === 0 || value === 1;
    case 'date':
    case 'datetime':
      // As the database writes it (PostgreSQL's text may end in an offset or BC), or a Date.
      return (
        value instanceof Date ||
        (typeof value === 'string' && /^(?:\d{4,}-\d\d-\d\d|-?infinity$)/.test(value))
      );
    default:
      return true;
  }
}

type Encoded = string | number | boolean | null | { d: string } | { n: string } | { x: string };

function encodeValue(value: unknown): Encoded {
  if (value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'bigint') return { n: String(value) };
  if (value instanceof Date && !Number.isNaN(value.getTime())) return { d: value.toISOString() };
  if (value instanceof Uint8Array) return { x: Buffer.from(value).toString('hex') };
  throw new InvalidQueryError(
    `A page cannot start after a value of this kind (${typeof value}); order by another column.`,
  );
}

function decodeValue(value: unknown): unknown {
  if (value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return value;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const [key] = keys;
    const text = (value as Record<string, unknown>)[key ?? ''];
    if (keys.length === 1 && typeof text === 'string') {
      if (key === 'n' && /^-?\d+$/.test(text)) return BigInt(text);
      if (key === 'd' && !Number.isNaN(Date.parse(text))) return new Date(text);
      if (key === 'x' && /^(?:[0-9a-f]{2})*$/.test(text)) return Buffer.from(text, 'hex');
    }
  }
  return undefined;
}

/** The cursor of the page after the row with `values`. */
export function encodeCursor(table: string, keys: readonly KeyColumn[], values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify([signature(table, keys), ...values.map(encodeValue)])).toString(
    'base64url',
  );
}

/** The values a cursor made by this query's order holds; InvalidQueryError for any other text. */
export function decodeCursor(
  table: string,
  keys: readonly KeyColumn[],
  cursor: string,
  what: string,
): unknown[] {
  const refuse = (): never => {
    throw new InvalidQueryError(
      `${what} was given a cursor that is not the "next" of a page of this query (in this order); start from ` +
        'the first page (no cursor).',
    );
  };
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cursor)) return refuse();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return refuse();
  }
  if (!Array.isArray(parsed) || parsed.length !== keys.length + 1 || parsed[0] !== signature(table, keys)) {
    return refuse();
  }
  const values = parsed.slice(1).map(decodeValue);
  if (values.some((value, at) => value === undefined || !fits(keys[at] as KeyColumn, value))) return refuse();
  return values;
}
