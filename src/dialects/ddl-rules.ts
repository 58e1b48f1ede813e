import type { CatalogueQuery, DialectSession } from './driver.js';

/** The schema builder's column types that take no arguments (besides `string`, `decimal` and `id`). */
export type SimpleColumnType =
  'integer' | 'bigint' | 'text' | 'boolean' | 'date' | 'datetime' | 'float' | 'json' | 'binary' | 'uuid';

/**
 * How one database's schema changes differ from the portable ones the schema builder writes (migrations/ddl.ts
 * writes the rest the same way everywhere). Pure, apart from `indexIfNotExists`, which may ask the server.
 */
export interface DdlRules {
  /** The SQL type of each portable type that takes no arguments. */
  readonly types: Readonly<Record<SimpleColumnType, string>>;
  /** The column type of `t.id()`: an auto-incrementing 64-bit primary key, its constraint included. */
  readonly idColumn: string;
  /** The default that writes the current time in UTC, with milliseconds: a DATE column's (`day`) or a date-time's. */
  now(day: boolean): string;
  /** A boolean default. */
  booleanLiteral(value: boolean): string;
  /**
   * Backslashes in a string literal are escapes unless the literal is written `E'…'` (PostgreSQL with
   * standard_conforming_strings off): such a literal is written as an escape string, backslashes doubled.
   */
  readonly escapeStrings?: boolean;
  /** A default of bytes, from their hex digits; `string` writes a string literal. */
  bytesLiteral(hex: string, string: (text: string) => string): string;
  /** Column types whose literal default must be an expression in parentheses (MySQL 8: TEXT, JSON, BLOB). */
  readonly expressionDefaults: ReadonlySet<SimpleColumnType>;
  dropIndex(quotedIndex: string, quotedTable: string): string;
  dropForeignKey(quotedTable: string, quotedName: string): string;
  renameTable(quotedFrom: string, quotedTo: string): string;
  /**
   * The foreign key of a column ALTER TABLE adds: `inline` in the column's definition (SQLite, which has no
   * ADD CONSTRAINT), or `separate`, a statement of its own (MySQL ignores an inline one).
   */
  readonly addedColumnForeignKey: 'inline' | 'separate';
  /**
   * Set where ALTER TABLE cannot add a primary-key column or a NOT NULL column without a default, nor add or drop
   * a foreign key (SQLite): such changes are refused before anything is sent, with `advice` on what to do.
   */
  readonly limitedAlterTable?: { readonly advice: string };
  /**
   * Whether the server takes CREATE INDEX IF NOT EXISTS; `server` is the variant the caller said it writes for
   * (SchemaBuilderOptions.mysqlServer), `session` the database to ask when it did not (none in a dry run).
   * Where it does not, a CREATE INDEX is sent only when `indexExistsQuery` finds no such index.
   */
  indexIfNotExists(session: DialectSession | undefined, server: string | undefined): Promise<boolean>;
  /**
   * Takes a partial index (`CREATE UNIQUE INDEX … WHERE "deleted_at" IS NULL`: PostgreSQL, SQLite). Where absent
   * (MySQL, MariaDB), the schema builder refuses one with `partialIndexAdvice`.
   */
  readonly partialIndexes?: boolean;
  /** What to do instead of a partial index, where the database has none. */
  readonly partialIndexAdvice?: string;
  /** The statement that finds index `name` of `table` (a row when it exists), where `indexIfNotExists` may be false. */
  indexExistsQuery?(table: string, name: string): CatalogueQuery;
}
