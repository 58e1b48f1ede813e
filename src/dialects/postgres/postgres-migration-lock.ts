import { createHash } from 'node:crypto';
import type { DialectSession } from '../driver.js';
import { lockTimedOut, sessionLock, type MigrationLock, type SessionLock } from '../migration-lock.js';

/** The advisory-lock key of a migrations table: the first 48 bits of a hash of its name. */
export function advisoryKey(table: string): number {
  return Number.parseInt(createHash('sha256').update(`twistar:${table}`).digest('hex').slice(0, 12), 16);
}

function advisoryLock(table: string, timeoutMs: number): SessionLock {
  const key = advisoryKey(table);
  return {
    async acquire(txn) {
      // A transaction-level lock: released by COMMIT, or with the session if the process dies. The transaction
      // stays idle while the migrations run on other connections: a server-wide idle timeout must spare it.
      await txn.runOperation('SET LOCAL idle_in_transaction_session_timeout = 0');
      if (timeoutMs <= 0) {
        const [row] = await txn.runQuery(
          'SELECT pg_try_advisory_xact_lock(?) AS locked, pg_backend_pid() AS session',
          [key],
        );
        if (row?.locked !== true) throw lockTimedOut(timeoutMs);
        return `PostgreSQL session ${String(row.session)}`;
      }
      await txn.runOperation(`SET LOCAL lock_timeout = ${Math.ceil(timeoutMs)}`);
      try {
        const [row] = await txn.runQuery(
          'SELECT pg_advisory_xact_lock(?) AS locked, pg_backend_pid() AS session',
          [key],
        );
        return `PostgreSQL session ${String(row?.session)}`;
      } catch (error) {
        if ((error as { code?: unknown }).code === '55P03') throw lockTimedOut(timeoutMs, error);
        throw error;
      }
    },
    async holds(txn) {
      // Granted at once to the session that holds it (the lock is re-entrant), refused to any other.
      const [row] = await txn.runQuery('SELECT pg_try_advisory_xact_lock(?) AS locked', [key]);
      return row?.locked === true;
    },
    release: async () => undefined,
  };
}

/**
 * PostgreSQL: a transaction-level advisory lock, held by a connection of its own for the whole run (see
 * sessionLock); each migration is a transaction of its own, DDL included.
 */
export function postgresMigrationLock(pool: DialectSession, table: string, timeoutMs: number): MigrationLock {
  return sessionLock(pool, advisoryLock(table, timeoutMs), true);
}
