import { ConnectionError } from '../errors.js';
import type { DialectDefinition, DialectOption } from '../dialects/dialect.js';
import type { DriverConfig } from '../dialects/driver.js';

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

/** The pool options that belong to one database only (see DialectDefinition.options). */
const DIALECT_OPTIONS: readonly DialectOption[] = ['preparedStatements', 'journalMode', 'workers'];

/** Refuses an option of another database, naming the databases that take it. */
function refuseForeignOptions(definition: DialectDefinition, options: PoolOptions): void {
  for (const option of DIALECT_OPTIONS) {
    if (options[option] === undefined || definition.options?.includes(option) === true) continue;
    throw new ConnectionError(
      `${option} is not an option of ${definition.dialect.displayName}; remove it (see docs/connecting.md for ` +
        'the options of each database).',
    );
  }
}

/** How long opening a connection may take (ms). */
function connectTimeout(options: PoolOptions): number {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  if (!Number.isInteger(connectTimeoutMs) || connectTimeoutMs < 1)
    throw new ConnectionError(
      `connectTimeoutMs must be a positive integer, got ${String(connectTimeoutMs)}.`,
    );
  return connectTimeoutMs;
}

/** What the driver of `definition` is given of a pool's options, checked: another database's option is refused. */
export function driverConfig(definition: DialectDefinition, options: PoolOptions): DriverConfig {
  refuseForeignOptions(definition, options);
  return { ...options, connectTimeoutMs: connectTimeout(options) };
}
