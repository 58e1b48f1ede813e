import { ConnectionError } from '../../errors.js';
import type { DialectDefinition } from '../dialect.js';
import { lazyDriver } from '../dialect-kit.js';
import type { DriverTraits } from '../dialect-kit.js';
import { sqliteDialect } from './sqlite-dialect.js';
import type { SqliteOptions } from './sqlite-driver.js';

/** In-process SQLite is one connection, the database itself; in worker mode, one per worker. */
const traits = (connections: number, synchronous: boolean): DriverTraits => ({
  defaultPoolSize: connections,
  fixedPoolSize: true,
  connectionsHoldData: true,
  synchronous,
});

/** SQLite through better-sqlite3: `sqlite:app.db`, `sqlite::memory:`, in process or on worker threads. */
export const sqliteDefinition: DialectDefinition = {
  dialect: sqliteDialect,
  urlSchemes: ['sqlite'],
  parseUrl(url) {
    const rest = url.slice(url.indexOf(':') + 1);
    const filename = rest.startsWith('//') ? rest.slice(2) : rest;
    return { filename: filename === '' ? ':memory:' : filename };
  },
  options: ['journalMode', 'workers'],
  existingFileOptions: (filename, readOnly) =>
    filename === ':memory:' || filename === ''
      ? undefined
      : { fileMustExist: true, ...(readOnly ? { readonly: true } : {}) },
  createDriver(config) {
    const { journalMode, workers } = config;
    if (journalMode !== undefined && journalMode !== 'wal')
      throw new ConnectionError(`journalMode must be 'wal' (or left out), got ${String(journalMode)}.`);
    const options: SqliteOptions = {
      filename: config.filename ?? ':memory:',
      driverOptions: config.driverOptions,
      journalMode,
    };
    if (workers === undefined) {
      return lazyDriver(traits(1, true), 'better-sqlite3', 'SQLite', async () =>
        (await import('./sqlite-driver.js')).sqliteConnector(options),
      );
    }
    if (!Number.isInteger(workers) || workers < 1)
      throw new ConnectionError(`workers must be a positive integer, got ${String(workers)}.`);
    if (options.filename === ':memory:' || options.filename === '') {
      throw new ConnectionError(
        'SQLite workers need a database file: each worker would open its own empty :memory: database.',
      );
    }
    return lazyDriver(traits(workers, false), 'better-sqlite3', 'SQLite', async () => {
      // The workers load better-sqlite3; asked here, a missing one is told as such rather than as a worker's failure.
      import.meta.resolve('better-sqlite3');
      return (await import('./sqlite-worker-driver.js')).sqliteWorkerConnector(options);
    });
  },
};
