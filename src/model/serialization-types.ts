import type { ColumnName, ColumnValue, RelatedTo, RelationName } from '../query/query-types.js';

/*
 * The types of `toJSON(options)`: which names its options take, and what it gives. A model that declares its
 * columns and relations gets them checked; one that declares none takes any name.
 */

/**
 * Column names of model `M`, checked when the model declares its columns: type `static HIDDEN` (or GUARDED,
 * FILLABLE) with it to make a misspelled column a compile error: `static override HIDDEN: ColumnNames<User> =
 * ['password_hash']`.
 */
export type ColumnNames<M> = readonly ColumnName<M>[];

/** No options: the default of `JsonOf`'s options. */
type NoOptions = Record<never, never>;

/** The model a relation of `M` leads to; `object` (any model) where `M` does not declare it. */
type RelatedModel<M, K> = [RelatedTo<M, K>] extends [never] ? object : RelatedTo<M, K>;

/**
 * The relations `toJSON` adds (each must be loaded): a name, names, or names with the options of each related
 * object's own toJSON (`{ pictures: { only: ['url'] }, avatar: true }`).
 */
export type JsonInclude<M> =
  | RelationName<M>
  | readonly RelationName<M>[]
  | { readonly [K in RelationName<M>]?: true | JsonOptions<RelatedModel<M, K>> | undefined };

/**
 * Options of `toJSON()`: `only` or `except` (not both) pick the columns, `showHidden` reveals columns of the
 * model's `static HIDDEN`, `include` adds loaded relations. Column names are checked against the table once
 * Twistar has read its columns (ToJsonError).
 */
export interface JsonOptions<M> {
  /** Only these columns (a hidden one must also be in `showHidden`). */
  readonly only?: ColumnNames<M> | undefined;
  /** Every column but these (hidden columns are left out anyway). */
  readonly except?: ColumnNames<M> | undefined;
  /** Columns of the model's `static HIDDEN` to give all the same. */
  readonly showHidden?: ColumnNames<M> | undefined;
  /** Loaded relations to add, each serialised by its own model's toJSON (its HIDDEN applies). */
  readonly include?: JsonInclude<M> | undefined;
}

/** A column value as toJSON gives it: a bigint as its decimal text (JSON has no bigint); the rest as it is. */
export type JsonValue<V> = V extends bigint ? string : V;

/** The columns `O` picks: `only`, every column but `except`, or every column. */
type PickedColumns<M, O> = O extends { readonly only: readonly (infer K)[] }
  ? K
  : O extends { readonly except: readonly (infer K)[] }
    ? Exclude<ColumnName<M>, K>
    : ColumnName<M>;

/** The names an `include` option adds. */
type IncludedNames<I> = I extends string ? I : I extends readonly (infer N)[] ? N : keyof I;

/** The options an `include` option gives relation `K`'s objects. */
type NestedOptions<I, K> = I extends string | readonly unknown[]
  ? NoOptions
  : K extends keyof I
    ? I[K] extends object
      ? I[K]
      : NoOptions
    : NoOptions;

/** A relation of many (has many, HABTM: those with `count()`) gives an array, one of one an object or null. */
type JsonRelation<M, K, O> = K extends keyof M
  ? M[K] extends { count(...args: never[]): unknown }
    ? JsonOf<RelatedModel<M, K>, O>[]
    : JsonOf<RelatedModel<M, K>, O> | null
  : unknown;

type JsonIncluded<M, O> = O extends { readonly include: infer I }
  ? { [K in IncludedNames<I> & string]: JsonRelation<M, K, NestedOptions<I, K>> }
  : NoOptions;

/**
 * What `toJSON(options)` gives for model `M`: the columns picked (each optional, since a hidden column, or one
 * the object has no value for, is absent), bigints as text, and the relations included.
 */
export type JsonOf<M, O = NoOptions> = Flat<
  { [K in PickedColumns<M, O> & ColumnName<M>]?: JsonValue<ColumnValue<M, K>> } & JsonIncluded<M, O>
>;

/** One object type of an intersection's members (what an editor shows, and what `Equal` compares). */
type Flat<T> = { [K in keyof T]: T[K] };
