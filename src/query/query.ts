import { InvalidQueryError } from '../errors.js';
import { checkCount, SqlFragment } from '../sql/fragments.js';
import { subqueryMark, type SubqueryLike } from '../sql/operators.js';
import type { WhereInput } from '../sql/where.js';
import { ownProperties } from '../options.js';
import {
  checkCounted,
  checkName,
  checkNarrowing,
  hasTerm,
  lockWait,
  mergedScope,
  termOf,
} from './query-terms.js';
import { relationHooks } from '../model/relation-hooks.js';
import { requiredSoftDeleteColumn } from './soft-delete-rows.js';
import type { QueryBuilding } from './query-sql.js';
import {
  initialState,
  joinTerm,
  withChanges,
  type IncludeItem,
  type QueryModel,
  type QueryState,
  type Refinement,
  type Term,
} from './query-state.js';
import type {
  ColumnName,
  ColumnValue,
  LockOptions,
  RelatedTo,
  RelationName,
  Selected,
  WhereObject,
} from './query-types.js';
import { relationCount, relationExists } from './relation-sql.js';
import { QueryResults } from './query-results.js';

/**
 * What a scope or a refinement returns: the query it was given, narrowed (checked when it runs). Typed loosely,
 * as anything awaitable, so that a query of any shape (selected, grouped, scoped) is accepted.
 */
export type AnyQuery = PromiseLike<unknown>;

/** A direction of `orderBy`. */
export type OrderDirection = 'asc' | 'desc' | 'ASC' | 'DESC';

/** A refinement of a related query: a where object, Twistar's condition, or a function of the query. */
export type RelationRefinement<T> = WhereObject<T> | WhereInput | ((query: Query<T>) => AnyQuery);

/** An include: a relation name or dotted path, or relation names with a function narrowing each one's query. */
export type IncludeArgument<M> =
  | RelationName<M>
  | `${RelationName<M>}.${string}`
  | {
      readonly [K in RelationName<M>]?: (query: Query<RelatedTo<M, K>>) => AnyQuery;
    };

/**
 * A query of model `M`, typed by its columns and relations: built by chaining (`User.where({ age: gte(18) })
 * .orderBy('age')`), run when awaited or by a method that reads (`all`, `first`, `count`, `paginate` …).
 * Immutable: each method returns a new query, so a base query can be kept and reused. `R` is what a record
 * reads as (narrowed by `select`), `G` the grouped columns, `S` the names of the model's scopes.
 */
export class Query<M, R = M, G extends string = never, S extends string = string> extends QueryResults<
  M,
  R,
  G,
  S
> {
  /** Queries stand for their values where a list is expected (`oneOf(query)`). @internal */
  static readonly [subqueryMark] = true;

  /** @internal */
  protected building(): QueryBuilding {
    return BUILD;
  }

  /** @internal */
  protected withState(state: QueryState): Query<M, R, G, S> {
    return new Query(state);
  }

  /** A query of every row of `model`. @internal */
  static of<M>(model: QueryModel): Query<M> {
    return new Query<M>(initialState(model));
  }

  /**
   * A query of `model` within `condition` (a relation's rows of its owner), which nothing chained can widen. @internal
   */
  static within<M>(model: QueryModel, condition: WhereInput | Readonly<Record<string, unknown>>): Query<M> {
    return new Query<M>(withChanges(initialState(model), { base: termOf(condition, model.name) }));
  }

  #with(changes: Partial<QueryState>): this {
    return new Query(withChanges(this.state, changes)) as this;
  }

  #term(term: Term, kind: 'and' | 'or'): this {
    return this.#with({ where: joinTerm(this.state.where, term, kind) });
  }

  /** Adds conditions, all of which must hold: `{ age: gte(18), last_name: 'Smith' }`, or `['age > ?', 18]`. */
  where(conditions: WhereObject<M> | WhereInput): this {
    return this.#term(termOf(conditions, this.state.model.name), 'and');
  }

  /** Everything so far, or these conditions: `where(a).orWhere(b)` is `(a) OR (b)`. */
  orWhere(conditions: WhereObject<M> | WhereInput): this {
    return this.#term(termOf(conditions, this.state.model.name), 'or');
  }

  /** Rows with at least one related row (matching `refine`): an EXISTS subquery. */
  whereHas<K extends RelationName<M>>(relation: K, refine?: RelationRefinement<RelatedTo<M, K>>): this {
    return this.#term(hasTerm(this.state.model, relation, false, refine), 'and');
  }

  /** Rows with no related row (matching `refine`): NOT EXISTS. */
  whereDoesntHave<K extends RelationName<M>>(
    relation: K,
    refine?: RelationRefinement<RelatedTo<M, K>>,
  ): this {
    return this.#term(hasTerm(this.state.model, relation, true, refine), 'and');
  }

  /** Orders by a column (ascending unless told), after the orders given before; or by a `sql` fragment. */
  orderBy(column: ColumnName<M> | SqlFragment, direction: OrderDirection = 'asc'): this {
    if (column instanceof SqlFragment)
      return this.#with({ order: [...this.state.order, { fragment: column }] });
    const upper = typeof direction === 'string' ? direction.toUpperCase() : '';
    if (upper !== 'ASC' && upper !== 'DESC') {
      throw new InvalidQueryError(`orderBy("${String(column)}", …): the direction must be 'asc' or 'desc'.`);
    }
    checkName(column, 'orderBy');
    return this.#with({ order: [...this.state.order, { column, direction: upper }] });
  }

  /** At most `count` rows. */
  limit(count: number): this {
    return this.#with({ limit: checkCount('limit', count) });
  }

  /** Skips the first `count` rows. */
  offset(count: number): this {
    return this.#with({ offset: checkCount('offset', count) });
  }

  /** Reads only these columns: the records' other columns are undefined (and absent from their type). */
  select<K extends ColumnName<M>>(
    ...columns: [K, ...K[]]
  ): Query<M, Selected<M, K>, G, S> & SubqueryLike<ColumnValue<M, K>> {
    if (columns.length === 0) throw new InvalidQueryError('select() needs at least one column.');
    for (const column of columns) checkName(column, 'select');
    return new Query(withChanges(this.state, { select: columns }));
  }

  /** Groups the rows by these columns: `count`, `sum` and the other aggregates then give one row per group. */
  group<K extends ColumnName<M>>(...columns: [K, ...K[]]): Query<M, R, K, S> {
    if (columns.length === 0) throw new InvalidQueryError('group() needs at least one column.');
    for (const column of columns) checkName(column, 'group');
    return new Query(withChanges(this.state, { group: columns }));
  }

  /** A condition on the groups: `having(['COUNT(*) > ?', 1])`. */
  having(condition: WhereInput): this {
    return this.#with({ having: condition });
  }

  /** Loads these relations with the records, one statement per relation: `include('pictures', 'user.avatar')`. */
  include(...relations: IncludeArgument<M>[]): this {
    const items: IncludeItem[] = [];
    for (const relation of relations) {
      if (typeof relation === 'string') items.push({ path: relation, refine: undefined });
      else if (relation !== null && typeof relation === 'object' && !Array.isArray(relation)) {
        for (const [path, refine] of Object.entries(ownProperties(relation))) {
          if (typeof refine !== 'function') {
            throw new InvalidQueryError(`include({ ${path}: … }) takes a function of the relation's query.`);
          }
          items.push({ path, refine: refine as IncludeItem['refine'] });
        }
      } else throw new InvalidQueryError(`include() takes relation names, got ${typeof relation}.`);
    }
    // Checked now, against the model and the classes the paths lead to: a name from input never reaches SQL.
    relationHooks().checkInclude(
      this.state.model,
      items.map((item) => item.path),
    );
    return this.#with({ include: [...this.state.include, ...items] });
  }

  /** Reads each record's number of related rows with it: `user.pictures.count()` then sends nothing. */
  withCount(...relations: RelationName<M>[]): this {
    for (const relation of relations) checkCounted(this.state.model, relation);
    return this.#with({ counts: [...new Set([...this.state.counts, ...relations])] });
  }

  /** Locks the rows read until the transaction ends (FOR UPDATE); on SQLite, whose writes lock the database, nothing. */
  forUpdate(options?: LockOptions): this {
    return this.#with({ lock: { mode: 'update', wait: lockWait(options, 'forUpdate') } });
  }

  /** Locks the rows read against changes until the transaction ends (FOR SHARE / LOCK IN SHARE MODE). */
  forShare(options?: LockOptions): this {
    return this.#with({ lock: { mode: 'share', wait: lockWait(options, 'forShare') } });
  }

  /** Whether records found load relations for each other on first use (default Registry.AUTO_BATCH). */
  batch(enabled: boolean): this {
    return this.#with({ batch: enabled === true });
  }

  /** Applies the model's scope `name` (from its `static SCOPES`). */
  scope(name: S, ...args: unknown[]): this {
    const scopes = this.state.model.SCOPES;
    const scope = scopes !== undefined && Object.hasOwn(scopes, name) ? scopes[name] : undefined;
    if (typeof scope !== 'function') {
      const known = scopes === undefined ? [] : Object.keys(scopes);
      throw new InvalidQueryError(
        `${this.state.model.name} has no scope "${String(name)}"` +
          (known.length > 0 ? `; its scopes are ${known.join(', ')}.` : '; it declares no SCOPES.'),
      );
    }
    // The scope narrows a query of its own, whose parts join this one's: its conditions as one AND term, so that
    // an orWhere in the scope stays inside it.
    const { scoped, deleted } = this.state;
    const fresh = new Query(withChanges(initialState(this.state.model), { scoped, deleted }));
    const result = (scope as (query: unknown, ...rest: unknown[]) => unknown)(fresh, ...args);
    if (!(result instanceof Query) || result.state.model !== this.state.model) {
      throw new InvalidQueryError(
        `${this.state.model.name}.SCOPES.${String(name)} must return the query it was given, narrowed.`,
      );
    }
    return this.#with(mergedScope(this.state, result.state));
  }

  /** Lifts the model's DEFAULT_SCOPE from this query (soft-deleted rows stay hidden: see withDeleted()). */
  unscoped(): this {
    return this.#with({ scoped: false });
  }

  /** Reads soft-deleted rows too (a model with `static SOFT_DELETE`; SoftDeleteError for any other). */
  withDeleted(): this {
    requiredSoftDeleteColumn(this.state.model, 'withDeleted()');
    return this.#with({ deleted: 'with' });
  }

  /** Reads the soft-deleted rows only (a model with `static SOFT_DELETE`; SoftDeleteError for any other). */
  onlyDeleted(): this {
    requiredSoftDeleteColumn(this.state.model, 'onlyDeleted()');
    return this.#with({ deleted: 'only' });
  }
}

/** The state of a query of `model` narrowed by `refine` (a where object, a condition, or a function). */
function refinedState(model: QueryModel, refine: Refinement | undefined, what: string): QueryState {
  const base = Query.of(model);
  if (refine === undefined) return base.state;
  if (typeof refine !== 'function') return base.where(refine as WhereInput).state;
  const result = (refine as (query: Query<unknown>) => unknown)(base);
  if (!(result instanceof Query) || result.state.model !== model) {
    throw new InvalidQueryError(
      `The function given to ${what} must return the query it was given, narrowed.`,
    );
  }
  checkNarrowing(result.state, what, what === 'include');
  return result.state;
}

/** The query state `model`'s DEFAULT_SCOPE makes, or null for a model without one. */
function defaultScopeState(model: QueryModel): QueryState | null {
  const scope = model.DEFAULT_SCOPE;
  if (scope === undefined || scope === null) return null;
  if (typeof scope !== 'function') {
    throw new InvalidQueryError(
      `${model.name}.DEFAULT_SCOPE must be a function of a query: (q) => q.where(…).`,
    );
  }
  const result = (scope as (query: Query<unknown>) => unknown).call(model, Query.of(model).unscoped());
  if (!(result instanceof Query) || result.state.model !== model) {
    throw new InvalidQueryError(`${model.name}.DEFAULT_SCOPE must return the query it was given, narrowed.`);
  }
  checkNarrowing(result.state, `${model.name}.DEFAULT_SCOPE`, true);
  if (result.state.deleted !== 'hidden') {
    throw new InvalidQueryError(
      `${model.name}.DEFAULT_SCOPE may not show soft-deleted rows (withDeleted/onlyDeleted): call them on a query.`,
    );
  }
  return result.state;
}

/** What compiling needs from this file (query-sql.ts and relation-sql.ts sit below it). */
const BUILD: QueryBuilding = {
  refined: refinedState,
  defaultScope: defaultScopeState,
  exists: relationExists,
  count: relationCount,
};

/** The state of `model`'s DEFAULT_SCOPE (its where and order) for the finders outside the query layer. @internal */
export function defaultScopeOf(model: QueryModel): QueryState | null {
  return defaultScopeState(model);
}

/** The query-building hooks, for the finders and relations that compile a scope of their own. @internal */
export const QUERY_BUILD: QueryBuilding = BUILD;
