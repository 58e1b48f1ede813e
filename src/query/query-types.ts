import type { Attributes } from '../model/attribute-types.js';
import type { Comparison } from '../sql/operators.js';
import type { RelationTo } from '../model/relation-type.js';

/*
 * The types of the query layer: which names a model's queries take, and what they resolve to. A model that
 * declares its columns (`declare age: number`) gets its names checked; one that declares none takes any name.
 */

/** True when the model declares no column. */
type Undeclared<M> = [keyof Attributes<M>] extends [never] ? true : false;

/** The column names of model `M` (its declared columns and `id`), or `string` for a model that declares none. */
export type ColumnName<M> = Undeclared<M> extends true ? string : (keyof Attributes<M> & string) | 'id';

/** The type of column `K` of model `M` (`unknown` where nothing is declared). */
export type ColumnValue<M, K> = K extends keyof Attributes<M>
  ? Attributes<M>[K]
  : K extends 'id'
    ? M extends { id: infer I }
      ? NonNullable<I>
      : unknown
    : unknown;

/** What a where object takes for one column: a value (null for IS NULL), or a comparison of its type. */
export type ColumnCondition<V> = V | null | Comparison<NonNullable<V>>;

/**
 * Conditions on columns, all of which must hold: `{ age: gte(18), last_name: 'Smith', deleted_at: null }`.
 * For a model that declares its columns, each key is checked and each value against its column's type.
 */
export type WhereObject<M> =
  Undeclared<M> extends true
    ? Readonly<Record<string, unknown>>
    : { readonly [K in ColumnName<M>]?: ColumnCondition<ColumnValue<M, K>> };

/** The relation names of model `M` (its properties declared as HasMany, HasOne, BelongsTo or HABTM). */
export type RelationName<M> = [RelationKeys<M>] extends [never] ? string : RelationKeys<M>;

type RelationKeys<M> = {
  [K in keyof M]-?: M[K] extends RelationTo<unknown> ? K : never;
}[keyof M] &
  string;

/** The model a relation of `M` leads to. */
export type RelatedTo<M, K> = K extends keyof M ? (M[K] extends RelationTo<infer T> ? T : never) : never;

/** A record read with `select(...columns)`: the other columns are absent from its type (and undefined). */
export type Selected<M, K extends string> =
  Undeclared<M> extends true ? M : Omit<M, Exclude<keyof Attributes<M> | 'id', K>>;

/** The columns `sum` and `avg` take: those declared as numbers, bigints or (decimal) text. */
export type NumberColumnName<M> =
  Undeclared<M> extends true
    ? string
    : {
        [K in ColumnName<M>]: NonNullable<ColumnValue<M, K>> extends number | bigint | string ? K : never;
      }[ColumnName<M>];

/** What `sum(column)` gives: a number (a bigint past 2^53) for a number column, exact text for a decimal one. */
export type SumOf<V> = [NonNullable<V>] extends [string] ? string : number | bigint;

/** What `avg(column)` gives: a number for a number column, exact text for a decimal one; null without rows. */
export type AvgOf<V> = ([NonNullable<V>] extends [string] ? string : number) | null;

/** What `min(column)` and `max(column)` give: a value of the column, or null without rows. */
export type ExtremeOf<V> = NonNullable<V> | null;

/** One group's row of a grouped aggregate: the group's columns and the aggregate under its name. */
export type GroupRow<M, G extends string, A extends string, V> = { [K in G]: ColumnValue<M, K> } & {
  [K in A]: V;
};

/** What `updateAll` sets: declared columns with values of their types (any column of a model that declares none). */
export type UpdateValues<M> =
  Undeclared<M> extends true ? Readonly<Record<string, unknown>> : Partial<Attributes<M>>;

/** The page `paginate()` resolves to. */
export interface Page<R> {
  readonly data: R[];
  /** Rows matching the query in all. */
  readonly total: number;
  readonly page: number;
  readonly perPage: number;
  /** The number of the last page (1 when there are no rows). */
  readonly lastPage: number;
}

/** The page `cursorPage()` resolves to: `next` is the cursor of the page after it, null after the last one. */
export interface CursorPage<R> {
  readonly data: R[];
  readonly next: string | null;
}

/** Options of `paginate()`. */
export interface PaginateOptions {
  /** The page, from 1. */
  page: number;
  perPage: number;
}

/** Options of `cursorPage()`. */
export interface CursorPageOptions {
  /** The `next` of the page before; absent (or null/undefined) for the first page. */
  after?: string | null | undefined;
  /** Rows per page. */
  limit: number;
}

/** Options of a query's `each()`. */
export interface QueryEachOptions {
  /** Rows read per statement (default 1000). */
  batchSize?: number | undefined;
}

/** Options of `forUpdate()` and `forShare()`. */
export interface LockOptions {
  /** Fail at once (a typed error) instead of waiting when another transaction holds a row. */
  noWait?: boolean | undefined;
  /** Leave out the rows another transaction holds (a job queue's "take the next free one"). */
  skipLocked?: boolean | undefined;
}
