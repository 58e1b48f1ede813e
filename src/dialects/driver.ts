/**
 * The contract between Twistar and a database's driver library: connections that run statements and answer in
 * one shape, and the session that dialect code (introspection, migration locks) runs its statements on.
 */

/** A result row: column name to value. */
export type Row = Record<string, unknown>;

/** What every driver returns for every statement, whatever the database. */
export interface QueryResult {
  readonly rows: Row[];
  /** Rows changed by an INSERT, UPDATE or DELETE; 0 for a SELECT. */
  readonly affectedRows: number;
  /** The key of the row an INSERT created, where the database reports one. */
  readonly insertId: number | bigint | string | null;
}

/** One open connection to the database. */
export interface DriverConnection {
  /**
   * Runs one statement. `sql` has already been rewritten for the driver and its placeholder count
   * checked against `params`. `single` says the caller wants at most one row. A synchronous driver may
   * answer (or throw) at once instead of returning a promise.
   */
  execute(sql: string, params: readonly unknown[], single?: boolean): QueryResult | Promise<QueryResult>;
  /** True once the connection is unusable (closed by the server, failed mid-protocol); the pool discards it. */
  readonly broken: boolean;
  /**
   * Asks the server, over a separate connection, to cancel the statement running on this one (its
   * `execute` then fails). Absent where a statement cannot be cancelled (SQLite).
   */
  cancel?(): Promise<void>;
  close(): Promise<void>;
}

/** Opens connections to one database, for one pool. */
export interface Driver {
  /** How many connections a pool opens at most when the user does not say. */
  readonly defaultPoolSize: number;
  /**
   * The pool always keeps exactly `defaultPoolSize` connections, whatever `max` says (in-process SQLite: one
   * connection, the database itself; in worker mode one per worker).
   */
  readonly fixedPoolSize?: boolean;
  /**
   * A connection holds the database itself (SQLite's `:memory:`, an in-memory PGlite): it is never closed and
   * replaced because a statement changed its session.
   */
  readonly connectionsHoldData?: boolean;
  /** Its connections can cancel a running statement (`DriverConnection.cancel`), so `statementTimeoutMs` applies. */
  readonly cancellable?: boolean;
  /** Answers statements at once, in the caller's turn of the event loop (in-process SQLite). */
  readonly synchronous?: boolean;
  connect(): Promise<DriverConnection>;
}

/** The options a driver opens connections with, from the pool's options. */
export interface DriverConfig {
  /** A server's connection URL (PostgreSQL, MySQL), as given to `connect()`. */
  readonly url?: string;
  /** A file or folder the database lives in (SQLite: a path or `:memory:`). */
  readonly filename?: string;
  /** Passed to the driver library as they are: better-sqlite3's, pg.Client's or mysql2's connection options. */
  readonly driverOptions?: object;
  /** Give up opening a connection after this long (ms). */
  readonly connectTimeoutMs: number;
  /** PostgreSQL: false sends every statement unnamed (for a pooler in transaction mode). */
  readonly preparedStatements?: boolean;
  /** SQLite: switch the file to WAL mode. */
  readonly journalMode?: 'wal';
  /** SQLite: run the database on this many worker threads. */
  readonly workers?: number;
}

/** A statement and its parameters, as dialect code writes one for Twistar to run. */
export type CatalogueQuery = readonly [sql: string, params: readonly unknown[]];

/** What a statement run for its effect resolves to. */
export interface OperationResult {
  readonly affectedRows: number;
  readonly insertId: number | bigint | string | null;
}

/** Statements on one transaction's connection. */
export interface SessionTransaction {
  runQuery(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  runOperation(sql: string, params?: readonly unknown[]): Promise<OperationResult>;
}

/**
 * What dialect code that reads the catalogue or holds a lock asks of a pool (a ConnectionPool is one): statements
 * with `?` placeholders, transactions, reads sent to the primary, and the pool's size.
 */
export interface DialectSession {
  runQuery(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  runOperation(sql: string, params?: readonly unknown[]): Promise<OperationResult>;
  /** Runs `work` in one transaction (nested: a savepoint), on one connection. */
  runInteraction<T>(work: (txn: SessionTransaction) => Promise<T> | T): Promise<T>;
  /** Runs `work` with its reads sent to the primary. */
  primary<T>(work: () => Promise<T> | T): Promise<T>;
  readonly stats: { readonly max: number };
}

/** The range of a signed 64-bit integer column (BIGINT, SQLite's INTEGER). */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** Narrows a 64-bit integer to a number when that loses nothing. */
export function narrowInteger(value: bigint): number | bigint {
  return value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER ? Number(value) : value;
}
