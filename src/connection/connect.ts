import { ConnectionError } from '../errors.js';
import type { DialectDefinition, DialectName } from '../dialects/dialect.js';
import { checkDefinition, definitionForUrl } from '../dialects/dialect-registry.js';
import { ConnectionPool } from './connection-pool.js';
import { POOL_OPTIONS, type PoolOptions } from './pool-options.js';
import { ownOptions } from '../options.js';

/** Options of `connect(url, options)`: the pool's options but the database, which the URL names. */
export type ConnectOptions = Omit<PoolOptions, 'url' | 'filename'>;

/** `connect({ dialect, … })`: a database named by its dialect (registered name or definition) and options. */
export interface DialectTarget extends PoolOptions {
  readonly dialect: DialectName | DialectDefinition;
}

/** `connect({ primary, replicas })`: a primary's URL and its read replicas'. */
export interface ReplicatedTarget {
  readonly primary: string;
  readonly replicas?: readonly string[];
}

const URL_OPTIONS = POOL_OPTIONS.filter((key) => key !== 'url' && key !== 'filename');

/**
 * Opens a pool from a URL: `sqlite:app.db`, `sqlite::memory:`, `postgres://user@host:5432/db`,
 * `mysql://user:pass@host:3306/db` (also `postgresql:` and `mariadb:`, and the schemes of registered dialects);
 * from `{ primary, replicas }`; or from `{ dialect, … }`, a dialect's name or definition with the pool's options.
 */
export function connect(
  target: string | ReplicatedTarget | DialectTarget,
  given: ConnectOptions = {},
): ConnectionPool {
  if (typeof target === 'object' && target !== null && 'dialect' in target) {
    const { dialect, ...options } = ownOptions(
      target,
      ['dialect', ...POOL_OPTIONS],
      'connect({ dialect, … })',
      '',
      ConnectionError,
    ) as DialectTarget;
    ownOptions(given, [], 'connect({ dialect, … }, …)', 'Give them in the first argument.', ConnectionError);
    const definition =
      typeof dialect === 'string' ? dialect : checkDefinition(dialect, 'connect({ dialect })');
    return new ConnectionPool(definition, options);
  }
  const options = ownOptions(
    given,
    URL_OPTIONS,
    'connect(url, …)',
    'The database is named by the URL.',
    ConnectionError,
  );
  if (typeof target !== 'string') {
    if (typeof target !== 'object' || target === null || typeof target.primary !== 'string')
      throw new ConnectionError('connect() takes a URL, { primary, replicas } or { dialect, … }.');
    return connect(target.primary, { ...options, replicas: target.replicas ?? options.replicas });
  }
  const definition = definitionForUrl(target);
  return new ConnectionPool(definition, { ...options, ...definition.parseUrl(target) });
}
