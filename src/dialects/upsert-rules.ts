import type { CatalogueQuery } from './driver.js';

/** What an upsert's conflict clause names, every name quoted. */
export interface UpsertTarget {
  readonly table: string;
  readonly conflict: readonly string[];
  readonly update: readonly string[];
  readonly increment: readonly string[];
}

/**
 * How a database writes an upsert: an `INSERT … VALUES …` that, where a row already holds the unique key of the
 * inserted one, updates that row instead. Optional in a Dialect: without it, `upsert` and `upsertMany` are refused.
 */
export interface UpsertRules {
  /**
   * The clause after `INSERT INTO <table> … VALUES …` that makes a row conflicting on the unique key of the
   * `conflict` columns set the `update` columns to the inserted row's values and add 1 to the `increment` columns
   * (an optimistic-locking version). Every name comes quoted. With neither, the row is left as it is, but still
   * counts as conflicting (PostgreSQL's RETURNING still gives it).
   */
  clause(target: UpsertTarget): string;
  /**
   * An expression `INSERT … RETURNING` gives for each row, true where the row was inserted and false where it was
   * updated (PostgreSQL: `(xmax = 0)`). Absent: the statement cannot tell, nor return the rows, so Twistar reads
   * the rows the keys already hold first (locked) and every row after, in the same transaction.
   */
  readonly inserted?: string;
  /**
   * The statement listing the table's unique keys that an upsert can name: the primary key and every unique
   * index that is not partial, one row per column in key order, as `index_name` and `column_name` (null for an
   * expression). `uniqueBy` is checked against them before anything is written.
   */
  uniqueKeys(table: string): CatalogueQuery;
  /**
   * Without `inserted`: the statement naming the column the database numbers itself (AUTO_INCREMENT), as
   * `column_name`, for a database whose upsert of one row reports an insert as one row affected and the key it
   * generated (MySQL: an update reports two rows, or one and no key when nothing changed). For a table with such a
   * column, one row is upserted without reading first; absent, or with no such column, the rows are read first.
   */
  generatedKey?(table: string): CatalogueQuery;
}
