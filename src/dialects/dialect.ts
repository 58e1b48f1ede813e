import type { CompiledSql, LexicalRules } from '../sql/placeholders.js';
import type { DateRange } from '../sql/values.js';
import type { DdlRules } from './ddl-rules.js';
import type { ConstraintViolation, ErrorKind } from './driver-errors.js';
import type { CatalogueQuery, DialectSession, Driver, DriverConfig } from './driver.js';
import type { IsolationLevel } from './isolation-level.js';
import type { MigrationLock } from './migration-lock.js';
import type { PortableType, TableSchema } from './table-schema.js';
import type { UpsertRules } from './upsert-rules.js';

/**
 * The name of a dialect, the SQL a database speaks: Twistar's own three, or one a dialect added from outside
 * names itself (see `registerDialect`).
 */
export type DialectName = 'sqlite' | 'postgres' | 'mysql' | (string & Record<never, never>);

/**
 * What a column's declared type means to Twistar when it converts values in and out; `text` is a character
 * column (`TEXT`, `VARCHAR(n)`, `CHAR(n)`), where save() writes booleans and numbers as text of its own.
 */
export type ColumnKind = 'boolean' | 'date' | 'datetime' | 'decimal' | 'integer' | 'json' | 'text' | 'other';

/** One column of a table, as read from the database's catalogue. */
export interface ColumnInfo {
  readonly name: string;
  /** The declared type as the database reports it, lower case (`varchar(255)`, `tinyint(1)`, `integer`). */
  readonly type: string;
  readonly kind: ColumnKind;
  readonly nullable: boolean;
  readonly primaryKey: boolean;
  /** The declared length of a `CHAR(n)`/`VARCHAR(n)` column, in characters; undefined for other types. */
  readonly maxLength?: number;
  /** `decimal`: the declared precision (digits in all) and scale (digits after the point), where declared. */
  readonly precision?: number;
  readonly scale?: number;
  /**
   * `decimal`: the most significant digits the column keeps exactly, where fewer than its precision (SQLite
   * converts a decimal to a 64-bit float, exact to 15 digits, unless it is a whole number that fits 64 bits).
   */
  readonly exactDigits?: number;
  /** `datetime`: the digits of a second's fraction the column keeps (MySQL `DATETIME`: 0), where known. */
  readonly fractionDigits?: number;
  /** A text column's character set, where the database has one per column (MySQL: `utf8mb3`, `latin1`…). */
  readonly charset?: string;
}

/**
 * Catalogue reads that name the columns of a constraint violation whose error does not name them; each is
 * optional (a database whose errors always name the columns needs none).
 */
export interface ConstraintCatalogue {
  /**
   * A unique violation names its index (MySQL): the statement listing the table's unique indexes, one row per
   * column in index order, as `index_name` and `column_name` (null for an expression).
   */
  uniqueIndexes?(table: string): CatalogueQuery;
  /** A CHECK violation names its constraint: the statement reading its definition, as `definition`. */
  checkDefinition?(name: string, table: string): CatalogueQuery;
  /**
   * A foreign-key violation names nothing (SQLite): the statement listing the table's foreign keys, one row per
   * column, as `id` (the key) and `column_name`.
   */
  foreignKeys?(table: string): CatalogueQuery;
}

/**
 * The rules of one database's SQL, which everything above the dialects reaches through this contract rather
 * than asking which database it is: quoting and placeholders, limits, how values are read and checked, how the
 * catalogue is read, what a driver's error means, and how schema changes and the migration lock are written.
 * Pure, apart from the members that take a `DialectSession` to run catalogue reads on.
 */
export interface Dialect {
  readonly name: DialectName;
  /** The database's name in messages: `SQLite`, `PostgreSQL`, `MySQL`. */
  readonly displayName: string;
  readonly lexical: LexicalRules;
  /** The most bind parameters one statement may carry. */
  readonly maxParameters: number;
  /** The new row's key comes back through `INSERT … RETURNING` rather than from the driver. */
  readonly insertReturning: boolean;
  /**
   * UPDATE … RETURNING sends back the rows it changed (PostgreSQL, SQLite 3.35+), so that an atomic update of one
   * row (`user.increment('age')`) needs one statement; without it (MySQL, MariaDB), an UPDATE then a SELECT in a
   * transaction. Optional for a dialect defined outside Twistar: absent is false.
   */
  readonly updateReturning?: boolean;
  /**
   * How a multi-row INSERT tells the keys it generated: `returning` (one row each, in order), `last`
   * (the last key; the others precede it one by one), or `first` (the first key; the others follow it
   * one by one only when the server's auto-increment settings guarantee it).
   */
  readonly bulkInsertKeys: 'returning' | 'last' | 'first';
  readonly beginTransaction: string;
  /**
   * The statements that begin a transaction at `isolation`, sent in this order on one connection (a connection
   * where one of them fails is closed, so a setting meant for its next transaction never outlives them).
   * TransactionError for what is not a level. Optional: without it, `transaction()` refuses the `isolation`
   * option with TransactionError, sending nothing.
   */
  beginTransactionAt?(isolation: IsolationLevel): readonly string[];
  /** After a failed statement the database refuses the rest of the transaction (PostgreSQL). */
  readonly abortsTransactionOnError: boolean;
  /** CREATE/ALTER/DROP run inside a transaction and roll back with it (no implicit commit). */
  readonly transactionalDdl: boolean;
  /** Clauses of locking reads, which see the latest committed rows; '' where the whole database is locked. */
  readonly lockClauses: { readonly update: string; readonly share: string };
  quoteIdentifier(name: string): string;
  /**
   * Rewrites `?` placeholders for the driver and counts them (cached by SQL text); InvalidQueryError for more
   * placeholders than `maxParameters`.
   */
  compile(sql: string): CompiledSql;
  /** The LIMIT/OFFSET clause (with a leading space), or '' for neither; both are checked integers. */
  limitOffset(limit: number | undefined, offset: number | undefined): string;
  /**
   * The clause that makes an `INSERT … VALUES` skip a row a unique key already holds (and nothing else): where the
   * table has no such key it changes nothing. `column` is one of the inserted columns, quoted.
   */
  skipDuplicates(column: string): string;
  /** How an upsert (`INSERT … ON CONFLICT … DO UPDATE`) is written; absent: `upsert` is refused. */
  readonly upsert?: UpsertRules;
  /** `INSERT` of a row that takes every column's default. */
  insertDefaults(quotedTable: string): string;

  /**
   * The dates this database's date and date-time columns hold, where Twistar checks them before sending: a Date
   * parameter outside is a ValueOutOfRangeError. Undefined: the database itself refuses what it cannot hold.
   */
  readonly dateRange?: DateRange;
  /**
   * The instant (ms since 1970) a date-time column with `fractionDigits` < 3 stores for `time`: the database's
   * own rounding or truncation. Undefined: the database keeps every millisecond (or has no such columns).
   */
  storedTime?(time: number, fractionDigits: number): number;
  /**
   * An expression giving a date or date-time column's value as text that binds back to exactly the stored
   * value, where the driver reads it as a Date with less precision (microseconds); undefined where the
   * driver's value binds back exactly (SQLite's text).
   */
  exactDateText?(quotedColumn: string): string;
  /** How a value read from a column of this kind becomes its JavaScript value, where the driver does not. */
  readConverter(column: ColumnInfo): ((value: unknown) => unknown) | undefined;
  /**
   * Why `column` cannot hold `text` (its character set lacks one of its characters), and what to do about it,
   * where the database has column character sets; undefined when it can.
   */
  unholdableText?(column: ColumnInfo, text: string): string | undefined;

  /** The statement and parameters that list a table's columns; no rows means no such table. */
  columnsQuery(table: string): CatalogueQuery;
  parseColumns(rows: readonly Record<string, unknown>[]): ColumnInfo[];
  /** The portable kind (and size) of a type as the catalogue reports it (`character varying(255)`, `int(11)`). */
  portableType(declared: string): PortableType;
  /** Reads the tables of the session's database (PostgreSQL: its current schema) for `introspect()`. */
  introspect(session: DialectSession): Promise<TableSchema[]>;
  readonly constraintCatalogue: ConstraintCatalogue;

  /** What a driver's error means for the caller (see ErrorKind); undefined for an ordinary statement error. */
  errorKind(error: unknown): ErrorKind | undefined;
  /** The constraint violation a driver's error reports, or null when it reports none. */
  constraintViolation(error: unknown): ConstraintViolation | null;
  /** How the database joins the values of a key of several columns in its messages (`1, x`; `1-x`). */
  readonly printedValueSeparator: string;
  /**
   * True when the driver's `error` says a statement named a column its table does not have, or was planned for
   * other columns than the table has now: its columns changed since they were read.
   */
  staleColumns(error: unknown): boolean;
  /** The table the driver's `error` says does not exist (as the database prints it), or undefined. */
  missingTable(error: unknown): string | undefined;

  /** How this database's schema changes differ from the portable ones the schema builder writes. */
  readonly ddl: DdlRules;
  /** The lock that keeps two migration runs on the database of `session` apart (see MigrationLock). */
  migrationLock(session: DialectSession, table: string, timeoutMs: number): MigrationLock;
}

/**
 * Everything Twistar needs to use a database: its dialect, the driver that opens connections, the URLs that name
 * it and the pool options only it takes. Twistar's own three are built in; `registerDialect` adds another (as
 * `twistar/pglite` does), and `connect({ dialect, … })` takes one without registering it.
 */
export interface DialectDefinition {
  readonly dialect: Dialect;
  /** The URL schemes `connect(url)` opens with this definition (`['postgres', 'postgresql']`). */
  readonly urlSchemes: readonly string[];
  /**
   * The settings a URL of one of `urlSchemes` gives: `{ url }` for a server (passed to the driver), `{ filename }`
   * for a file or folder.
   */
  parseUrl(url: string): { readonly url?: string; readonly filename?: string };
  /** The pool options only this database takes (`preparedStatements`, `journalMode`, `workers`); refused elsewhere. */
  readonly options?: readonly DialectOption[];
  /** The pool may send reads to read replicas of the database (PostgreSQL, MySQL). */
  readonly replicas?: boolean;
  /**
   * For a database kept in a file: the driver options that open the file `filename` only if it exists, and
   * read-only too with `readOnly`; undefined for a database in memory. The `twistar` command's commands that only
   * read use them. Absent for servers, whose databases connecting never creates.
   */
  existingFileOptions?(filename: string, readOnly: boolean): object | undefined;
  /**
   * The driver of one pool. It checks `config` at once (ConnectionError for a bad setting) and loads its driver
   * library only when it first connects, so that an application installs only the libraries it uses.
   */
  createDriver(config: DriverConfig): Driver;
}

/** The pool options that belong to one database only. */
export type DialectOption = 'preparedStatements' | 'journalMode' | 'workers';
