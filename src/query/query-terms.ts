import { InvalidQueryError, UnsafeSqlError } from '../errors.js';
import { relationOf, type RelationSpec } from '../model/relation-declarations.js';
import { throughHops } from '../model/through-chain.js';
import { ownOptions, ownProperties } from '../options.js';
import { SQL_NAME, SqlFragment } from '../sql/fragments.js';
import { toCondition, type WhereInput } from '../sql/where.js';
import {
  joinTerm,
  type QueryModel,
  type QueryState,
  type Refinement,
  type RowLock,
  type Term,
} from './query-state.js';
import type { LockOptions } from './query-types.js';

/*
 * The checks and conversions of what a query's methods are given, done when the query is built, so that a
 * mistake fails where it was made and never reaches SQL.
 */

/** Refuses a name that is not a plain column or relation name (names from user input must not become SQL). */
export function checkName(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || !SQL_NAME.test(name)) {
    throw new UnsafeSqlError(
      `${what}(${typeof name === 'string' ? JSON.stringify(name) : typeof name}): not a plain column name ` +
        '(letters, digits, _ and $, not starting with a digit). For SQL of your own, use the sql`…` tag.',
    );
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === Object.prototype || proto === null;
}

/** The term of `where(conditions)`: a where object, or Twistar's condition (an array, text or `sql` fragment). */
export function termOf(conditions: unknown, model: string): Term {
  if (conditions === undefined || conditions === null) {
    throw new InvalidQueryError(
      `${model}.where() was given ${String(conditions)}; pass an object of conditions ({ age: gte(18) }) or ` +
        "Twistar's ['age > ?', 18].",
    );
  }
  if (typeof conditions === 'string' || Array.isArray(conditions) || conditions instanceof SqlFragment) {
    toCondition(conditions as WhereInput); // refuses a malformed array now
    return { kind: 'sql', where: conditions as WhereInput };
  }
  if (typeof conditions !== 'object' || !isPlainObject(conditions)) {
    throw new InvalidQueryError(`${model}.where() takes an object of conditions, got ${typeof conditions}.`);
  }
  const values = ownProperties(conditions as Record<string, unknown>);
  for (const name of Object.keys(values)) {
    checkName(name, 'where');
    if (values[name] === undefined) {
      throw new InvalidQueryError(
        `The condition on "${name}" is undefined; pass null to match NULL, or leave "${name}" out.`,
      );
    }
  }
  return { kind: 'columns', values };
}

/** `spec`, a through relation's chain followed now (InvalidRelationshipError when it cannot be). */
function followable(spec: RelationSpec): RelationSpec {
  if (spec.through !== undefined) throughHops(spec);
  return spec;
}

/** The term of whereHas / whereDoesntHave (the relation checked now). */
export function hasTerm(model: QueryModel, relation: unknown, negate: boolean, refine: unknown): Term {
  checkName(relation, negate ? 'whereDoesntHave' : 'whereHas');
  followable(relationOf(model, relation));
  if (refine !== undefined && typeof refine !== 'function') termOf(refine, model.name);
  return { kind: 'has', relation, negate, refine: refine as Refinement | undefined };
}

/** How a row lock waits, from `forUpdate`/`forShare` options. */
export function lockWait(options: LockOptions | undefined, what: string): RowLock['wait'] {
  const { noWait, skipLocked } = ownOptions(options, ['noWait', 'skipLocked'], `${what}()`);
  for (const [name, value] of [
    ['noWait', noWait],
    ['skipLocked', skipLocked],
  ] as const) {
    if (value !== undefined && typeof value !== 'boolean') {
      throw new InvalidQueryError(`${what}(): ${name} must be true or false.`);
    }
  }
  if (noWait === true && skipLocked === true) {
    throw new InvalidQueryError(`${what}(): noWait and skipLocked exclude each other; choose one.`);
  }
  return noWait === true ? 'noWait' : skipLocked === true ? 'skipLocked' : 'wait';
}

/**
 * Refuses, in a query that only narrows rows (a scope, a relation filter, an included relation), the parts that
 * would change what it gives rather than which rows: `what` names the place.
 */
export function checkNarrowing(state: QueryState, what: string, orderAllowed: boolean): void {
  const extra: string[] = [];
  if (state.limit !== undefined) extra.push('limit');
  if (state.offset !== undefined) extra.push('offset');
  if (state.select !== null) extra.push('select');
  if (state.group !== null) extra.push('group');
  if (state.having !== undefined) extra.push('having');
  if (state.lock !== null) extra.push('a row lock');
  if (state.include.length > 0) extra.push('include');
  if (state.counts.length > 0) extra.push('withCount');
  if (!orderAllowed && state.order.length > 0) extra.push('orderBy');
  if (extra.length > 0) {
    throw new InvalidQueryError(
      `${what} may only narrow the rows (where${orderAllowed ? ', orderBy' : ''}); it also sets ${extra.join(', ')}.`,
    );
  }
}

/** Refuses, when the query is built, a withCount of something that is no has-many or HABTM relation of `model`. */
export function checkCounted(model: QueryModel, relation: unknown): void {
  checkName(relation, 'withCount');
  const spec = followable(relationOf(model, relation));
  if (spec.kind !== 'hasMany' && spec.kind !== 'habtm') {
    throw new InvalidQueryError(
      `withCount counts has-many and has-and-belongs-to-many relations; ${model.name}.${relation} is a ` +
        `${spec.kind === 'hasOne' ? 'has-one' : 'belongs-to'} relation (use whereHas to test that it exists).`,
    );
  }
}

/** `state` with a scope's query joined: its conditions ANDed as one term, its order after, its other parts. */
export function mergedScope(state: QueryState, scope: QueryState): Partial<QueryState> {
  return {
    where: scope.where === null ? state.where : joinTerm(state.where, scope.where, 'and'),
    order: [...state.order, ...scope.order],
    limit: scope.limit ?? state.limit,
    offset: scope.offset ?? state.offset,
    select: scope.select ?? state.select,
    group: scope.group ?? state.group,
    having: scope.having ?? state.having,
    lock: scope.lock ?? state.lock,
    include: [...state.include, ...scope.include],
    counts: [...new Set([...state.counts, ...scope.counts])],
    scoped: state.scoped && scope.scoped,
    deleted: scope.deleted,
    batch: scope.batch ?? state.batch,
  };
}
