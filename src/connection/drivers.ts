import type Database from 'better-sqlite3';
import type mysql from 'mysql2';
import type pg from 'pg';
import { ConnectionError } from '../errors.js';
import type { DialectName } from '../dialects/dialect.js';
import { mysqlDriver } from '../dialects/mysql/mysql-driver.js';
import { postgresDriver } from '../dialects/postgres/postgres-driver.js';
import { sqliteDriver } from '../dialects/sqlite/sqlite-driver.js';
import { sqliteWorkerDriver } from '../dialects/sqlite/sqlite-worker-driver.js';
import type { ConnectOptions, Driver } from './driver.js';
import type { PoolOptions } from './pool-options.js';

/** The driver for a kind of database and a pool's options. */
export function driverFor(kind: DialectName, options: PoolOptions): Driver {
  const { preparedStatements } = options;
  if (preparedStatements !== undefined && typeof preparedStatements !== 'boolean')
    throw new ConnectionError(`preparedStatements must be true or false, got ${String(preparedStatements)}.`);
  if (preparedStatements !== undefined && kind !== 'postgres')
    throw new ConnectionError(
      'preparedStatements is a PostgreSQL option (for a pooler such as PgBouncer); remove it for ' +
        `${kind === 'sqlite' ? 'SQLite' : 'MySQL'}.`,
    );
  const { journalMode } = options;
  if (journalMode !== undefined && journalMode !== 'wal')
    throw new ConnectionError(`journalMode must be 'wal' (or left out), got ${String(journalMode)}.`);
  if (journalMode !== undefined && kind !== 'sqlite')
    throw new ConnectionError(
      `journalMode is an SQLite option; remove it for ${kind === 'postgres' ? 'PostgreSQL' : 'MySQL'}.`,
    );
  switch (kind) {
    case 'sqlite': {
      const sqlite = {
        filename: options.filename ?? ':memory:',
        driverOptions: options.driverOptions as Database.Options,
        journalMode,
      };
      if (options.workers === undefined) return sqliteDriver(sqlite);
      if (!Number.isInteger(options.workers) || options.workers < 1) {
        throw new ConnectionError(`workers must be a positive integer, got ${String(options.workers)}.`);
      }
      return sqliteWorkerDriver(sqlite, options.workers);
    }
    case 'postgres':
      return postgresDriver(
        {
          connectionString: options.url,
          driverOptions: options.driverOptions as pg.ClientConfig,
          preparedStatements,
        },
        connectOptions(options),
      );
    case 'mysql':
      return mysqlDriver(
        { uri: options.url, driverOptions: options.driverOptions as mysql.ConnectionOptions },
        connectOptions(options),
      );
    default:
      throw new ConnectionError(`Unknown database "${String(kind)}"; use 'sqlite', 'postgres' or 'mysql'.`);
  }
}

function connectOptions(options: PoolOptions): ConnectOptions {
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  if (!Number.isInteger(connectTimeoutMs) || connectTimeoutMs < 1)
    throw new ConnectionError(
      `connectTimeoutMs must be a positive integer, got ${String(connectTimeoutMs)}.`,
    );
  return { connectTimeoutMs };
}
