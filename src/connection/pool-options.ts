/** Options of a ConnectionPool; which apply depends on the database. */
export interface PoolOptions {
  /** SQLite: a file path or `:memory:`. */
  filename?: string;
  /** PostgreSQL and MySQL: a connection URL. */
  url?: string;
  /** Connections open at most (SQLite: 1, or one per worker; PostgreSQL and MySQL: 10 by default). */
  max?: number;
  /**
   * SQLite only: run the database on this many worker threads, so that a long statement does not block the
   * event loop (a file database only).
   */
  workers?: number;
  /**
   * PostgreSQL and MySQL: URLs of read replicas. Reads outside transactions go to them in turn; writes, reads
   * in transactions and reads in `pool.primary(…)` go to the primary. A replica that fails is skipped for
   * `replicaRetryMs` (default 5 000) and its read answered by the primary.
   */
  replicas?: readonly string[];
  replicaRetryMs?: number;
  /** How long a query waits for a free connection before it fails with PoolTimeoutError (ms, default 30 000). */
  acquireTimeoutMs?: number;
  /**
   * PostgreSQL and MySQL: how long opening a connection may take before it fails with ConnectionError, e.g.
   * while the server is down or restarting (ms, default 10 000).
   */
  connectTimeoutMs?: number;
  /**
   * PostgreSQL and MySQL: a statement still running after this long is cancelled on the server (over a
   * separate connection) and rejects with StatementTimeoutError (ms; default none). BEGIN, COMMIT and
   * ROLLBACK are never cancelled. For a limit the server enforces by itself, set PostgreSQL's
   * `statement_timeout` or MariaDB's `max_statement_time` instead.
   */
  statementTimeoutMs?: number;
  /**
   * PostgreSQL only: `false` sends every statement unnamed (parsed each time), for an application that
   * knows it runs behind a pooler in transaction or statement mode (PgBouncer). By default statements are
   * prepared once per connection under names unique to the pool, and a pooler is noticed by itself (see
   * docs/connecting.md). Refused for SQLite and MySQL.
   */
  preparedStatements?: boolean;
  /**
   * SQLite only: `'wal'` switches the database file to WAL mode, which lets readers run while one writes (the
   * mode is stored in the file). By default a file Twistar creates gets WAL and an existing file keeps its own
   * journal mode. Refused for PostgreSQL and MySQL.
   */
  journalMode?: 'wal';
  /**
   * Passed to the driver library as they are: better-sqlite3's `Database` options, pg's `ClientConfig` or
   * mysql2's `ConnectionOptions` (Twistar sets a few itself; see docs/connecting.md).
   */
  driverOptions?: object;
}

/** The keys of PoolOptions, for refusing one that is not an option. */
export const POOL_OPTIONS: readonly (keyof PoolOptions)[] = [
  'filename',
  'url',
  'max',
  'workers',
  'replicas',
  'replicaRetryMs',
  'acquireTimeoutMs',
  'connectTimeoutMs',
  'statementTimeoutMs',
  'preparedStatements',
  'journalMode',
  'driverOptions',
];
