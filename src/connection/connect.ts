import { ConnectionError } from '../errors.js';
import { ConnectionPool } from './connection-pool.js';
import { POOL_OPTIONS, type PoolOptions } from './pool-options.js';
import { ownOptions } from '../options.js';

/**
 * Opens a pool from a URL: `sqlite:app.db`, `sqlite::memory:`, `postgres://user@host:5432/db`,
 * `mysql://user:pass@host:3306/db` (also `postgresql:` and `mariadb:`).
 */
export function connect(
  target: string | { primary: string; replicas?: readonly string[] },
  given: Omit<PoolOptions, 'url' | 'filename'> = {},
): ConnectionPool {
  const options = ownOptions(
    given,
    POOL_OPTIONS.filter((key) => key !== 'url' && key !== 'filename'),
    'connect(url, …)',
    'The database is named by the URL.',
    ConnectionError,
  );
  if (typeof target !== 'string') {
    return connect(target.primary, { ...options, replicas: target.replicas ?? options.replicas });
  }
  const url = target;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  switch (scheme) {
    case 'sqlite': {
      const rest = url.slice('sqlite:'.length);
      const filename = rest.startsWith('//') ? rest.slice(2) : rest;
      return new ConnectionPool('sqlite', { ...options, filename: filename === '' ? ':memory:' : filename });
    }
    case 'postgres':
    case 'postgresql':
      return new ConnectionPool('postgres', { ...options, url });
    case 'mysql':
    case 'mariadb':
      return new ConnectionPool('mysql', { ...options, url: url.replace(/^mariadb:/i, 'mysql:') });
    default:
      throw new ConnectionError(
        `Cannot tell the database from "${url}"; start the URL with sqlite:, postgres:// or mysql://.`,
      );
  }
}
