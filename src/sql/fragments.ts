import { InvalidQueryError, UnsafeSqlError } from '../errors.js';
import type { Dialect } from '../dialects/dialect.js';

/** A piece of SQL the caller vouches for, with `?` parameters; built with the `sql` tag. */
export class SqlFragment {
  readonly text: string;
  readonly params: readonly unknown[];

  constructor(text: string, params: readonly unknown[] = []) {
    this.text = text;
    this.params = params;
  }
}

/**
 * Marks a SQL fragment as trusted where Twistar otherwise accepts only column names (orderBy, group, select);
 * interpolated values become bound parameters: sql`LENGTH(name) > ${n} DESC`.
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): SqlFragment {
  if (!isTemplateStrings(strings, values.length)) {
    throw new UnsafeSqlError(
      'sql is a template tag: write sql`LENGTH(name) > ${n}`, not sql(…). Called as a function, it would ' +
        'vouch for text built at run time (perhaps from user input) as trusted SQL.',
    );
  }
  return new SqlFragment(strings.join('?'), values);
}

/**
 * The strings of a tagged template, as only the language makes them: a frozen array with a frozen `raw` of
 * the same length, one more than the values.
 */
function isTemplateStrings(strings: unknown, values: number): strings is TemplateStringsArray {
  if (!Array.isArray(strings) || !Object.isFrozen(strings) || strings.length !== values + 1) return false;
  const raw = (strings as { raw?: unknown }).raw;
  return Array.isArray(raw) && Object.isFrozen(raw) && raw.length === strings.length;
}

/** A direction for ORDER BY. */
export type Direction = 'ASC' | 'DESC' | 'asc' | 'desc';

/** ORDER BY: `'age DESC, id'`, `['age DESC', 'id']`, `[['age', 'DESC'], 'id']`, or a `sql` fragment. */
export type OrderBy = string | SqlFragment | readonly (string | readonly [string, Direction])[];

/** A list of columns: `'a, b'`, `['a', 'b']`, or a `sql` fragment. */
export type ColumnList = string | SqlFragment | readonly string[];

// A name: letters, digits, _ and $, not starting with a digit; a column may be qualified as table.column.
const NAME = '[A-Za-z_][A-Za-z0-9_$]*';
const QUALIFIED = `${NAME}(?:\\.${NAME})?`;

/** A table or column name Twistar's statements accept (without `table.`). */
export const SQL_NAME = new RegExp(`^${NAME}$`);
const IDENTIFIER = new RegExp(`^${QUALIFIED}$`);
const ORDER_ITEM = new RegExp(`^(${QUALIFIED})(?:\\s+(ASC|DESC))?$`, 'i');
const SELECT_ITEM = new RegExp(`^(?:(\\*)|(${NAME})\\.\\*|(${QUALIFIED})(?:\\s+AS\\s+(${NAME}))?)$`, 'i');

function refuse(what: string, value: string): never {
  throw new UnsafeSqlError(
    `${what} "${value}" is not a column list Twistar accepts (names, optionally table.name, with ASC/DESC for ` +
      'ordering). For anything else, mark the SQL as trusted with the sql`…` tag.',
  );
}

function items(what: string, list: unknown): unknown[] {
  if (typeof list === 'string') return list.split(',').map((item) => item.trim());
  // Anything else (an object parsed from JSON posing as a fragment, a number) is not a column list.
  if (!Array.isArray(list)) refuse(what, typeof list === 'object' ? JSON.stringify(list) : String(list));
  return [...(list as readonly unknown[])];
}

/** A column name checked against the identifier pattern and quoted. */
export function quoteColumn(dialect: Dialect, name: string, what = 'Column'): string {
  if (!IDENTIFIER.test(name)) {
    throw new UnsafeSqlError(
      `${what} "${name}" is not a plain identifier (letters, digits, _ and $, not starting with a digit, ` +
        'optionally table.column). For trusted SQL in orderBy, group or select, use the sql`…` tag.',
    );
  }
  return dialect.quoteIdentifier(name);
}

/** The text after ORDER BY, with its parameters. */
export function renderOrderBy(dialect: Dialect, orderBy: OrderBy): SqlFragment {
  if (orderBy instanceof SqlFragment) return orderBy;
  const parts = items('orderBy', orderBy).map((item) => {
    if (Array.isArray(item)) {
      const [column, direction] = item as [unknown, unknown];
      if (typeof column !== 'string' || typeof direction !== 'string' || !/^(ASC|DESC)$/i.test(direction)) {
        refuse('orderBy', JSON.stringify(item));
      }
      return `${quoteColumn(dialect, column, 'orderBy')} ${direction.toUpperCase()}`;
    }
    if (typeof item !== 'string') refuse('orderBy', String(item));
    const match = ORDER_ITEM.exec(item);
    if (!match?.[1]) refuse('orderBy', item);
    return dialect.quoteIdentifier(match[1]) + (match[2] ? ` ${match[2].toUpperCase()}` : '');
  });
  if (parts.length === 0) refuse('orderBy', '');
  return new SqlFragment(parts.join(', '));
}

/** The text after GROUP BY. */
export function renderGroup(dialect: Dialect, group: ColumnList): SqlFragment {
  if (group instanceof SqlFragment) return group;
  const list = items('group', group);
  if (list.length === 0) refuse('group', '');
  return new SqlFragment(
    list
      .map((item) => {
        if (typeof item !== 'string') refuse('group', String(item));
        return quoteColumn(dialect, item, 'group');
      })
      .join(', '),
  );
}

/** The select list. */
export function renderSelect(dialect: Dialect, select: ColumnList): SqlFragment {
  if (select instanceof SqlFragment) return select;
  const list = items('select', select);
  if (list.length === 0) refuse('select', '');
  return new SqlFragment(
    list
      .map((item) => {
        const match = typeof item === 'string' ? SELECT_ITEM.exec(item) : null;
        if (!match) refuse('select', String(item));
        if (match[1]) return '*';
        if (match[2]) return `${dialect.quoteIdentifier(match[2])}.*`;
        const column = dialect.quoteIdentifier(match[3] ?? '');
        return match[4] ? `${column} AS ${dialect.quoteIdentifier(match[4])}` : column;
      })
      .join(', '),
  );
}

/** A LIMIT or OFFSET: a non-negative integer, or nothing. */
export function checkCount(what: 'limit' | 'offset', value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidQueryError(`${what} must be a non-negative integer, got ${String(value)}.`);
  }
  return value;
}

/** `?, ?, ?`: one placeholder per value, for an IN list or a VALUES row. */
export function placeholdersFor(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/** `values` in runs of at most `size`, so that each statement stays under the parameter limit. */
export function chunked<V>(values: readonly V[], size: number): V[][] {
  const chunks: V[][] = [];
  for (let start = 0; start < values.length; start += size) chunks.push(values.slice(start, start + size));
  return chunks;
}
