import { MigrationLockError } from '../../tooling-errors.js';
import type { DialectSession } from '../driver.js';
import { lockTimedOut, sessionLock, type MigrationLock, type SessionLock } from '../migration-lock.js';
import { galeraLock } from './galera-lock.js';

/**
 * MySQL/MariaDB: GET_LOCK, unless the server is a Galera node (`wsrep_on` is ON; plain MySQL has no such
 * variable), where GET_LOCK would keep out only the runs on the same node: then a replicated lock row.
 */
export function mysqlMigrationLock(pool: DialectSession, table: string, timeoutMs: number): MigrationLock {
  let chosen: Promise<MigrationLock> | undefined;
  const choose = async () => {
    const rows = await pool.runQuery("SHOW VARIABLES LIKE 'wsrep_on'");
    return String(rows[0]?.Value ?? '').toUpperCase() === 'ON'
      ? galeraLock(pool, table, timeoutMs)
      : sessionLock(pool, getLock(table, timeoutMs), false);
  };
  return {
    async hold(work) {
      chosen ??= choose();
      const lock = await chosen.catch((error: unknown) => {
        chosen = undefined;
        throw error;
      });
      return lock.hold(work);
    },
    // Either way DDL commits at once: a migration runs statement by statement, outside a transaction.
    step: (work) => work(),
  };
}

/** GET_LOCK, held by a connection of its own for the whole run. */
function getLock(table: string, timeoutMs: number): SessionLock {
  // GET_LOCK names are server-wide: the database's name keeps two databases' runs apart.
  const name = "LEFT(CONCAT(?, ':', DATABASE()), 64)";
  return {
    async acquire(txn) {
      const seconds = Math.max(0, Math.ceil(timeoutMs / 1000));
      const [row] = await txn.runQuery(`SELECT GET_LOCK(${name}, ?) AS locked, CONNECTION_ID() AS session`, [
        table,
        seconds,
      ]);
      if (row?.locked === null || row?.locked === undefined) {
        throw new MigrationLockError(
          'GET_LOCK answered NULL: the server failed to take the migration lock, or no database is selected. ' +
            'Name the database in the URL (mysql://user@host/app) and try again.',
        );
      }
      if (Number(row.locked) !== 1) throw lockTimedOut(timeoutMs);
      return `MySQL connection ${String(row.session)}`;
    },
    async holds(txn) {
      const [row] = await txn.runQuery(`SELECT IS_USED_LOCK(${name}) = CONNECTION_ID() AS held`, [table]);
      return Number(row?.held) === 1;
    },
    async release(txn) {
      await txn.runQuery(`SELECT RELEASE_LOCK(${name}) AS released`, [table]);
    },
  };
}
