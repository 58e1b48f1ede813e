import { ConnectionError } from '../../errors.js';
import type { DialectDefinition } from '../dialect.js';
import { lazyDriver } from '../dialect-kit.js';
import { mysqlDialect } from './mysql-dialect.js';

/**
 * Refuses mysql2 options that would undo what Twistar promises: `decimalNumbers` reads DECIMAL as rounded
 * numbers (Twistar reads exact text), `-FOUND_ROWS` makes an UPDATE count only rows it changed (an instance
 * save's one-row check and its "row no longer exists" need the rows it matched).
 */
function refuseUnsafeOptions(given: object | undefined): void {
  const options = given as { decimalNumbers?: unknown; flags?: unknown } | undefined;
  if (options?.decimalNumbers === true) {
    throw new ConnectionError(
      'The mysql2 option decimalNumbers would read DECIMAL columns as rounded numbers; Twistar reads them as ' +
        'exact strings on every database. Remove it, and convert where you need a number (docs/models.md).',
    );
  }
  // Typed as a list; mysql2 also takes one comma-separated string.
  const flags: unknown = options?.flags;
  const list = typeof flags === 'string' ? flags.split(',') : Array.isArray(flags) ? flags.map(String) : [];
  if (list.some((flag) => flag.trim().toUpperCase() === '-FOUND_ROWS')) {
    throw new ConnectionError(
      'The mysql2 flag -FOUND_ROWS makes an UPDATE count only the rows it changed; Twistar needs the rows it ' +
        'matched to tell that a save reached exactly one row. Remove the flag.',
    );
  }
}

/** MySQL and MariaDB through mysql2: `mysql://user:secret@host:3306/db` (also `mariadb:`). */
export const mysqlDefinition: DialectDefinition = {
  dialect: mysqlDialect,
  urlSchemes: ['mysql', 'mariadb'],
  parseUrl: (url) => ({ url: url.replace(/^mariadb:/i, 'mysql:') }),
  replicas: true,
  createDriver(config) {
    refuseUnsafeOptions(config.driverOptions);
    return lazyDriver({ defaultPoolSize: 10, cancellable: true }, 'mysql2', 'MySQL', async () =>
      (await import('./mysql-driver.js')).mysqlConnector(config),
    );
  },
};
