import { Query } from '../query/query.js';
import type { QueryModel } from '../query/query-state.js';
import type {
  AvgOf,
  ColumnName,
  ColumnValue,
  ExtremeOf,
  NumberColumnName,
  RelationName,
  RelatedTo,
  SumOf,
  WhereObject,
} from '../query/query-types.js';
import type { AnyQuery, RelationRefinement } from '../query/query.js';
import type { WhereInput } from '../sql/where.js';
import { ModelDeclarations } from './model-declarations.js';

/** A scope: a function narrowing a query of the model (`(q) => q.where({ age: gte(18) })`), maybe with arguments. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each model's scopes take its own query type
export type Scope = (query: any, ...args: any[]) => AnyQuery;

/** The scope names of a model class, from its `static SCOPES` (none for a model that declares none). */
export type ScopeNames<S> = keyof S & string;

/** The arguments a scope takes after its query. */
export type ScopeArguments<F> = [F] extends [never]
  ? unknown[]
  : F extends (query: never, ...args: infer A) => unknown
    ? A
    : unknown[];

/** The query a static method of model class `M` starts, with the names of its scopes. */
export type ModelQuery<M, S> = Query<M, M, never, ScopeNames<S>>;

/** A model class with its scopes, as the query statics see it. */
type Scoped<M, S> = (new (attrs?: object) => M) & { readonly SCOPES: S };

/** A model class whose instances are `M`. */
type Model<M> = new (attrs?: object) => M;

/**
 * The query layer's statics, which every model inherits: `User.where(…)`, `User.query()`, `User.scope('adults')`,
 * and the aggregates of the whole table.
 */
export abstract class ModelQueries extends ModelDeclarations {
  /**
   * Named scopes: `static SCOPES = { adults: (q: Query<User>) => q.where({ age: gte(18) }) }` gives
   * `User.scope('adults')` and `query.scope('adults')`.
   */
  static SCOPES: Readonly<Record<never, Scope>> = {};
  /**
   * A scope every query, finder, relation and eager load of the model applies (conditions and an order only):
   * `static DEFAULT_SCOPE = (q: Query<Post>) => q.where({ deleted_at: null })`. `unscoped()` lifts it.
   */
  static DEFAULT_SCOPE: Scope | undefined = undefined;
  /**
   * Soft deletes: the nullable date-time column that `delete()` sets (the client's time) instead of removing the
   * row, `static SOFT_DELETE = 'deleted_at'`. Every finder, query, relation, eager load and count then reads
   * the live rows only; `withDeleted()` and `onlyDeleted()` read the others, `restore()` brings one back and
   * `forceDelete()` removes its row.
   */
  static SOFT_DELETE: string | null | undefined = undefined;

  /** A query of every row (nothing is sent until it is awaited or read). */
  static query<M extends object, S>(this: Scoped<M, S>): ModelQuery<M, S> {
    return Query.of<M>(this as unknown as QueryModel) as ModelQuery<M, S>;
  }

  /** A query of the rows matching the conditions: `User.where({ age: gte(18), last_name: 'Smith' })`. */
  static where<M extends object, S>(
    this: Scoped<M, S>,
    conditions: WhereObject<M> | WhereInput,
  ): ModelQuery<M, S> {
    return Query.of<M>(this as unknown as QueryModel).where(conditions) as ModelQuery<M, S>;
  }

  /** A query of the rows with a related row (matching `refine`). */
  static whereHas<M extends object, S, K extends RelationName<M>>(
    this: Scoped<M, S>,
    relation: K,
    refine?: RelationRefinement<RelatedTo<M, K>>,
  ): ModelQuery<M, S> {
    return (Query.of<M>(this as unknown as QueryModel) as ModelQuery<M, S>).whereHas(relation, refine);
  }

  /** A query of the rows with no related row (matching `refine`). */
  static whereDoesntHave<M extends object, S, K extends RelationName<M>>(
    this: Scoped<M, S>,
    relation: K,
    refine?: RelationRefinement<RelatedTo<M, K>>,
  ): ModelQuery<M, S> {
    return (Query.of<M>(this as unknown as QueryModel) as ModelQuery<M, S>).whereDoesntHave(relation, refine);
  }

  /** A query narrowed by the scope `name` of `static SCOPES`. */
  static scope<M extends object, S, N extends ScopeNames<S>>(
    this: Scoped<M, S>,
    name: N,
    ...args: ScopeArguments<S[N]>
  ): ModelQuery<M, S> {
    return (Query.of<M>(this as unknown as QueryModel) as ModelQuery<M, S>).scope(name, ...args);
  }

  /** A query without the model's DEFAULT_SCOPE (soft-deleted rows stay hidden: see withDeleted()). */
  static unscoped<M extends object, S>(this: Scoped<M, S>): ModelQuery<M, S> {
    return (Query.of<M>(this as unknown as QueryModel) as ModelQuery<M, S>).unscoped();
  }

  /** A query of every row, soft-deleted ones included (a model with SOFT_DELETE). */
  static withDeleted<M extends object, S>(this: Scoped<M, S>): ModelQuery<M, S> {
    return (Query.of<M>(this as unknown as QueryModel) as ModelQuery<M, S>).withDeleted();
  }

  /** A query of the soft-deleted rows only (a model with SOFT_DELETE). */
  static onlyDeleted<M extends object, S>(this: Scoped<M, S>): ModelQuery<M, S> {
    return (Query.of<M>(this as unknown as QueryModel) as ModelQuery<M, S>).onlyDeleted();
  }

  /** The sum of a number column over every row (see Query.sum). */
  static sum<M extends object, K extends NumberColumnName<M>>(
    this: Model<M>,
    column: K,
  ): Promise<SumOf<ColumnValue<M, K>>> {
    return Query.of<M>(this as unknown as QueryModel).sum(column);
  }

  /** The average of a number column over every row; null without rows. */
  static avg<M extends object, K extends NumberColumnName<M>>(
    this: Model<M>,
    column: K,
  ): Promise<AvgOf<ColumnValue<M, K>>> {
    return Query.of<M>(this as unknown as QueryModel).avg(column);
  }

  /** The smallest value of a column; null without rows. */
  static min<M extends object, K extends ColumnName<M>>(
    this: Model<M>,
    column: K,
  ): Promise<ExtremeOf<ColumnValue<M, K>>> {
    return Query.of<M>(this as unknown as QueryModel).min(column);
  }

  /** The largest value of a column; null without rows. */
  static max<M extends object, K extends ColumnName<M>>(
    this: Model<M>,
    column: K,
  ): Promise<ExtremeOf<ColumnValue<M, K>>> {
    return Query.of<M>(this as unknown as QueryModel).max(column);
  }
}
