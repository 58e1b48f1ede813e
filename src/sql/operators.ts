import { InvalidQueryError } from '../errors.js';
import type { Dialect } from '../dialects/dialect.js';
import { SqlFragment } from './fragments.js';

/** The comparisons a where object takes besides plain equality. */
export type OperatorKind = 'gt' | 'gte' | 'lt' | 'lte' | 'ne' | 'between' | 'like' | 'oneOf' | 'noneOf';

/**
 * A statement that can stand where a list of values is expected (`oneOf(Post.query().select('author_id'))`):
 * it renders itself as a SELECT for the database at hand. Queries of one column are such.
 */
export interface SubqueryLike<T = unknown> {
  /** The SELECT, with its parameters; with `nonNull`, without the rows whose value is NULL. */
  subquery(dialect: Dialect, nonNull?: boolean): SqlFragment;
  /** The type of the values the one column selected holds; only the type checker reads it. */
  readonly __column?: T;
}

const SUBQUERY = Symbol('twistar.subquery');

/** Marks a class whose objects stand for a subquery (checked with `isSubquery`, never by duck typing). */
export const subqueryMark: typeof SUBQUERY = SUBQUERY;

/** True for an object of a class marked with `subqueryMark` (a query), not for a plain object posing as one. */
export function isSubquery(value: unknown): value is SubqueryLike {
  return (
    value !== null &&
    typeof value === 'object' &&
    (value.constructor as { [SUBQUERY]?: boolean } | undefined)?.[SUBQUERY] === true
  );
}

/**
 * A condition on one column other than equality, made by `gt`, `oneOf` and the rest. `T` is the type of the
 * values it compares with, so that a where object checks it against the column's type.
 */
export class Comparison<out T> {
  /** The type of the values compared with; never set, only read by the type checker. */
  declare readonly __values?: T;
  readonly kind: OperatorKind;
  readonly values: readonly unknown[];
  readonly subquery: SubqueryLike | undefined;

  /** @internal */
  constructor(kind: OperatorKind, values: readonly unknown[], subquery?: SubqueryLike) {
    this.kind = kind;
    this.values = values;
    this.subquery = subquery;
    Object.freeze(this);
  }
}

function bound<T>(kind: OperatorKind, value: T): Comparison<T> {
  if (value === undefined) {
    throw new InvalidQueryError(
      `${kind}(undefined) compares with nothing; pass a value (or leave the column out).`,
    );
  }
  if (value === null && kind !== 'ne') {
    throw new InvalidQueryError(
      `${kind}(null) matches no row (a comparison with NULL is never true); use { column: null } for IS NULL.`,
    );
  }
  return new Comparison<T>(kind, [value]);
}

/** Greater than: `{ age: gt(17) }` is `age > 17`. */
export function gt<T>(value: T): Comparison<T> {
  return bound('gt', value);
}

/** Greater than or equal: `{ age: gte(18) }`. */
export function gte<T>(value: T): Comparison<T> {
  return bound('gte', value);
}

/** Less than: `{ age: lt(65) }`. */
export function lt<T>(value: T): Comparison<T> {
  return bound('lt', value);
}

/** Less than or equal: `{ age: lte(64) }`. */
export function lte<T>(value: T): Comparison<T> {
  return bound('lte', value);
}

/**
 * Not equal: `{ age: ne(30) }` is `age <> 30` (which, as in SQL, no row with a NULL age matches);
 * `{ age: ne(null) }` is `age IS NOT NULL`.
 */
export function ne(value: null): Comparison<never>;
export function ne<T>(value: T): Comparison<T>;
export function ne<T>(value: T | null): Comparison<T> {
  return bound('ne', value) as Comparison<T>;
}

/** Between two values, both included: `{ age: between(18, 30) }`. */
export function between<T>(low: T, high: T): Comparison<T> {
  bound('between', low);
  bound('between', high);
  return new Comparison<T>('between', [low, high]);
}

/**
 * Matches a LIKE pattern (`%` any text, `_` one character): `{ first_name: like('A%') }`. Whether case counts
 * is the database's rule: SQLite ignores ASCII case, PostgreSQL keeps it, MySQL follows the column's collation.
 */
export function like(pattern: string): Comparison<string> {
  if (typeof pattern !== 'string') {
    throw new InvalidQueryError(`like() takes a pattern string, got ${typeof pattern}.`);
  }
  return new Comparison<string>('like', [pattern]);
}

function listOf<T>(kind: 'oneOf' | 'noneOf', values: readonly (T | null)[] | SubqueryLike<T>): Comparison<T> {
  if (isSubquery(values)) return new Comparison<T>(kind, [], values);
  if (!Array.isArray(values)) {
    throw new InvalidQueryError(`${kind}() takes an array of values or a query of one column.`);
  }
  for (const value of values) {
    if (value === undefined)
      throw new InvalidQueryError(`${kind}() was given an undefined value in its list.`);
  }
  return new Comparison<T>(kind, [...values]);
}

/**
 * One of the values: `{ id: oneOf([1, 2, 3]) }` is `id IN (1, 2, 3)`; an empty list matches no row, a null in it
 * matches NULL. A query of one column stands for its values: `oneOf(Post.query().select('author_id'))`.
 */
export function oneOf(values: readonly null[]): Comparison<never>;
export function oneOf<T>(values: readonly (T | null)[]): Comparison<T>;
/** One of the values a query of one column reads (`oneOf(Post.query().select('author_id'))`): IN (SELECT …). */
export function oneOf<T>(query: SubqueryLike<T>): Comparison<NonNullable<T>>;
export function oneOf<T>(values: readonly (T | null)[] | SubqueryLike<T>): Comparison<T> {
  return listOf('oneOf', values);
}

/**
 * None of the values: `{ id: noneOf([4]) }` is `id NOT IN (4)`; an empty list matches every row. As in SQL, a
 * row whose column is NULL is never matched (its comparison is unknown). A NULL among the values (in the list, or
 * read by a subquery) is left out of the comparison, where SQL's NOT IN would then match no row at all.
 */
export function noneOf(values: readonly null[]): Comparison<never>;
export function noneOf<T>(values: readonly (T | null)[]): Comparison<T>;
/** None of the values a query of one column reads: NOT IN (SELECT …). */
export function noneOf<T>(query: SubqueryLike<T>): Comparison<NonNullable<T>>;
export function noneOf<T>(values: readonly (T | null)[] | SubqueryLike<T>): Comparison<T> {
  return listOf('noneOf', values);
}

const SYMBOLS = { gt: '>', gte: '>=', lt: '<', lte: '<=', ne: '<>', like: 'LIKE' } as const;

/**
 * The condition `column <comparison>` as SQL text with `?` parameters; `column` is quoted already, and
 * `write` turns each value into what the column is sent (a Date's day for a DATE column, and so on).
 */
export function comparisonSql(
  dialect: Dialect,
  column: string,
  comparison: Comparison<unknown>,
  write: (value: unknown) => unknown,
): SqlFragment {
  const { kind, values } = comparison;
  switch (kind) {
    case 'ne':
      if (values[0] === null) return new SqlFragment(`${column} IS NOT NULL`);
      return new SqlFragment(`${column} <> ?`, [write(values[0])]);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
    case 'like':
      return new SqlFragment(`${column} ${SYMBOLS[kind]} ?`, [write(values[0])]);
    case 'between':
      return new SqlFragment(`${column} BETWEEN ? AND ?`, [write(values[0]), write(values[1])]);
    case 'oneOf':
    case 'noneOf':
      return listSql(dialect, column, comparison, write);
  }
}

function listSql(
  dialect: Dialect,
  column: string,
  comparison: Comparison<unknown>,
  write: (value: unknown) => unknown,
): SqlFragment {
  const not = comparison.kind === 'noneOf';
  if (comparison.subquery !== undefined) {
    const select = comparison.subquery.subquery(dialect, not);
    return new SqlFragment(`${column} ${not ? 'NOT IN' : 'IN'} (${select.text})`, select.params);
  }
  const values = comparison.values.filter((value) => value !== null);
  const withNull = values.length < comparison.values.length;
  if (values.length > dialect.maxParameters - 16) {
    throw new InvalidQueryError(
      `${comparison.kind}() was given ${values.length} values, more than the ${dialect.displayName} database ` +
        'takes in one statement; pass a query of one column instead, or split the list.',
    );
  }
  const list = `(${values.map(() => '?').join(', ')})`;
  const params = values.map(write);
  if (!not) {
    if (values.length === 0) return new SqlFragment(withNull ? `${column} IS NULL` : '1 = 0');
    const text = `${column} IN ${list}`;
    return new SqlFragment(withNull ? `(${text} OR ${column} IS NULL)` : text, params);
  }
  if (values.length === 0) return new SqlFragment(withNull ? `${column} IS NOT NULL` : '1 = 1');
  const text = `${column} NOT IN ${list}`;
  return new SqlFragment(withNull ? `(${text} AND ${column} IS NOT NULL)` : text, params);
}
