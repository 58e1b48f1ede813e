import { InvalidQueryError } from '../errors.js';
import { SqlFragment } from './fragments.js';

/** Twistar's condition: SQL text with `?` placeholders, then one value per placeholder. */
export type Where = readonly [string, ...unknown[]];

/** Anything a `where` option accepts: a Where array, bare SQL text, a `sql` fragment, or nothing. */
export type WhereInput = Where | readonly [] | string | SqlFragment | null | undefined;

/**
 * The where of the low-level `update` and `delete` that means "every row of the table", on purpose:
 * `config.delete('sessions', ALL_ROWS)`. Without it they refuse a missing or empty where.
 */
export const ALL_ROWS: unique symbol = Symbol('twistar.ALL_ROWS');

/** The type of `ALL_ROWS`. */
export type AllRows = typeof ALL_ROWS;

/** How conditions combine. */
export type Joiner = 'AND' | 'OR';

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkJoiner(joiner: string): Joiner {
  const upper = joiner.toUpperCase();
  if (upper !== 'AND' && upper !== 'OR')
    throw new InvalidQueryError(`joiner must be 'AND' or 'OR', got "${joiner}".`);
  return upper;
}

/** A condition as text and parameters, or null when there is none. */
export function toCondition(where: WhereInput): SqlFragment | null {
  if (where === null || where === undefined) return null;
  if (where instanceof SqlFragment) return where;
  if (typeof where === 'string') return where.trim() === '' ? null : new SqlFragment(where);
  if (!Array.isArray(where)) {
    throw new InvalidQueryError(
      "where must be an array like ['age > ? AND name = ?', 21, 'Bob'], a string, or null; " +
        'to match on column values use findBy({ … }) or dictToWhere({ … }).',
    );
  }
  if (where.length === 0) return null;
  const [text, ...params] = where as readonly unknown[];
  if (typeof text !== 'string') {
    throw new InvalidQueryError(
      `The first element of a where array must be its SQL text, got ${typeof text}.`,
    );
  }
  if (text.trim() === '') {
    // Blank text is no condition, as a blank string is; values without text are a mistake.
    if (params.length === 0) return null;
    throw new InvalidQueryError(
      `The where array has ${params.length} value(s) but no SQL text to bind them to.`,
    );
  }
  return new SqlFragment(text, params);
}

/** False for a where that sets no condition: null, undefined, `[]`, blank text, `['']`, or a blank `sql` fragment. */
export function hasCondition(where: WhereInput): boolean {
  const condition = toCondition(where);
  return condition !== null && condition.text.trim() !== '';
}

function asArray(condition: SqlFragment): Where {
  return [condition.text, ...condition.params];
}

/** `['(a) AND (b)', ...paramsOfA, ...paramsOfB]`; an empty side leaves the other as it is. */
export function joinWheres(first: WhereInput, second: WhereInput, joiner: Joiner = 'AND'): Where | [] {
  const word = checkJoiner(joiner);
  const a = toCondition(first);
  const b = toCondition(second);
  if (a === null) return b === null ? [] : asArray(b);
  if (b === null) return asArray(a);
  return [`(${a.text}) ${word} (${b.text})`, ...a.params, ...b.params];
}

/** Joins every condition of the list; an empty list gives `[]`. */
export function joinMultipleWheres(wheres: readonly WhereInput[], joiner: Joiner = 'AND'): Where | [] {
  return wheres.reduce<Where | []>((joined, where) => joinWheres(joined, where, joiner), []);
}

/**
 * `{ one: 'two', three: 'four' }` → `['(one = ?) AND (three = ?)', 'two', 'four']`; a null value becomes
 * `IS NULL`; `{}` gives null. An undefined value is an error: it would otherwise drop the condition.
 */
export function dictToWhere(attrs: Readonly<Record<string, unknown>>, joiner: Joiner = 'AND'): Where | null {
  return attrsToWhere(attrs, joiner, (name) => {
    if (!PLAIN_NAME.test(name)) {
      throw new InvalidQueryError(
        `"${name}" is not a plain column name; dictToWhere takes letters, digits and _.`,
      );
    }
    return name;
  });
}

/** dictToWhere with the column names written by `quote` (used by finders, which quote for their database). */
export function attrsToWhere(
  attrs: Readonly<Record<string, unknown>>,
  joiner: Joiner,
  quote: (name: string) => string,
): Where | null {
  const word = checkJoiner(joiner);
  const names = Object.keys(attrs);
  if (names.length === 0) return null;
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const name of names) {
    const value = attrs[name];
    if (value === undefined) {
      throw new InvalidQueryError(
        `The condition on "${name}" is undefined; pass null to match NULL, or leave "${name}" out.`,
      );
    }
    if (value === null) parts.push(`(${quote(name)} IS NULL)`);
    else {
      parts.push(`(${quote(name)} = ?)`);
      params.push(value);
    }
  }
  return [parts.join(` ${word} `), ...params];
}
