/**
 * PostgreSQL in WebAssembly, in process and without a server: Twistar on PGlite (`@electric-sql/pglite`).
 * Written only against Twistar's public dialect API, as any database added from outside would be. Importing this
 * module registers it: `connect('pglite:')` (in memory) or `connect('pglite:./data')` (a folder).
 */
import {
  lazyDriver,
  postgresDialect,
  registerDialect,
  type ColumnInfo,
  type Dialect,
  type DialectDefinition,
  type DialectSession,
  type HeldLock,
  type MigrationLock,
} from '../index.js';
import { checkPgliteOptions, pgliteConnector } from './pglite-driver.js';

/**
 * A migration run holds the pool's one connection, the database itself, in one transaction; each migration is
 * a savepoint in it. No other process can use the database meanwhile (its folder is locked while open).
 */
function migrationLock(session: DialectSession): MigrationLock {
  const held: HeldLock = { verify: () => Promise.resolve() };
  return {
    hold: (work) => session.runInteraction(() => work(held)),
    step: (work) => session.runInteraction(work),
  };
}

/**
 * PGlite decodes each text value with a TextDecoder, which drops a leading U+FEFF (byte order mark): such text
 * would not read back as written, so a save refuses it rather than lose the mark.
 */
function unholdableText(column: ColumnInfo, text: string): string | undefined {
  if (text.charCodeAt(0) !== 0xfeff) return undefined;
  return (
    `column "${column.name}" would not read back the leading U+FEFF (byte order mark) of this text: PGlite drops ` +
    'it when it returns the value; leave the mark out'
  );
}

/** PostgreSQL's rules, on a database one connection of one process holds. */
const pgliteDialect: Dialect = { ...postgresDialect, displayName: 'PGlite', migrationLock, unholdableText };

/** PGlite: `pglite:` or `pglite::memory:` (a new database in memory), `pglite:./folder` (kept in that folder). */
export const pglite: DialectDefinition = {
  dialect: pgliteDialect,
  urlSchemes: ['pglite'],
  parseUrl(url) {
    const rest = url.slice(url.indexOf(':') + 1);
    const filename = rest.startsWith('//') ? rest.slice(2) : rest;
    return { filename: filename === '' ? ':memory:' : filename };
  },
  createDriver(config) {
    checkPgliteOptions(config.driverOptions);
    // One connection, the database itself; PGlite cannot cancel a statement.
    const traits = { defaultPoolSize: 1, fixedPoolSize: true, connectionsHoldData: true };
    return lazyDriver(traits, '@electric-sql/pglite', 'PGlite', async () =>
      pgliteConnector(config, await import('@electric-sql/pglite')),
    );
  },
};

registerDialect('pglite', pglite);
