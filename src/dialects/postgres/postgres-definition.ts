import { ConnectionError } from '../../errors.js';
import type { DialectDefinition } from '../dialect.js';
import { lazyDriver } from '../dialect-kit.js';
import { postgresDialect } from './postgres-dialect.js';

/** PostgreSQL through node-postgres (`pg`): `postgres://user@host:5432/db` (also `postgresql:`). */
export const postgresDefinition: DialectDefinition = {
  dialect: postgresDialect,
  urlSchemes: ['postgres', 'postgresql'],
  parseUrl: (url) => ({ url }),
  options: ['preparedStatements'],
  replicas: true,
  createDriver(config) {
    const { preparedStatements } = config;
    if (preparedStatements !== undefined && typeof preparedStatements !== 'boolean')
      throw new ConnectionError(
        `preparedStatements must be true or false, got ${String(preparedStatements)}.`,
      );
    return lazyDriver({ defaultPoolSize: 10, cancellable: true }, 'pg', 'PostgreSQL', async () =>
      (await import('./postgres-driver.js')).postgresConnector(config),
    );
  },
};
