import type { Loaded } from './hydration.js';
import type { Persistable } from './persistence.js';

/** Options of `upsert` and `upsertMany`. */
export interface UpsertOptions<K extends string = string> {
  /** The columns of the unique key a row conflicts on: the table's primary key or a unique index, exactly. */
  readonly uniqueBy: readonly K[];
  /**
   * The columns a row already holding the key takes from the values (default: every column the values set but
   * the key's, the primary key and `created_at`). `[]` leaves such a row as it is.
   */
  readonly update?: readonly K[] | undefined;
}

/** What `upsert` resolves to: the object, holding its row, and whether the row was inserted. */
export interface UpsertResult<M> {
  readonly record: M;
  readonly created: boolean;
}

/** What `upsertMany` resolves to: how many rows were inserted and updated, and the objects written, in order. */
export interface UpsertManyResult<M> {
  readonly created: number;
  readonly updated: number;
  readonly records: M[];
}

/** A model object as an upsert sees it. */
export type Upsertable = Loaded & Persistable;
