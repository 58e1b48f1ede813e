import type { Dialect } from '../dialects/dialect.js';

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

/** Opens connections to one database. */
export interface Driver {
  readonly dialect: Dialect;
  /** How many connections a pool opens at most when the user does not say. */
  readonly defaultPoolSize: number;
  /** Answers statements at once, in the caller's turn of the event loop (in-process SQLite). */
  readonly synchronous?: boolean;
  connect(): Promise<DriverConnection>;
}

/** How drivers open connections, from the pool's options. */
export interface ConnectOptions {
  /** Give up opening a connection after this long (ms). */
  readonly connectTimeoutMs: number;
}

/** The range of a signed 64-bit integer column (BIGINT, SQLite's INTEGER). */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** Narrows a 64-bit integer to a number when that loses nothing. */
export function narrowInteger(value: bigint): number | bigint {
  return value >= Number.MIN_SAFE_INTEGER && value <= Number.MAX_SAFE_INTEGER ? Number(value) : value;
}
