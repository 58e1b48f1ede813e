import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DialectSession } from '../driver.js';
import { DeadlockError, UniqueViolationError, messageOf } from '../../errors.js';
import { MigrationLockError } from '../../tooling-errors.js';
import { LockLost, type HeldLock, type MigrationLock } from '../migration-lock.js';
import { quoteWith } from '../dialect-kit.js';

/**
 * How long a lock row stays valid after its holder's last heartbeat. A run that crashed (or lost the cluster)
 * blocks others for at most this long; then the next run deletes the row and takes the lock.
 */
export const GALERA_LOCK_TTL_MS = 30_000;
/** How often a holder renews its row (besides before each migration and each statement). */
export const GALERA_HEARTBEAT_MS = 5_000;

/** The name of the lock table of migrations table `table`: `<table>_lock`, within MySQL's 64 characters. */
export function galeraLockTable(table: string): string {
  return `${table.slice(0, 59)}_lock`;
}

/**
 * MariaDB Galera: GET_LOCK is local to one node, so the lock is a row (id 1) of `<table>_lock`, which the
 * cluster replicates. Taking it is an autocommitted INSERT: when two nodes insert at once, certification
 * lets one commit and fails the other (a deadlock error, or a duplicate key once the server retries it), which
 * waits and tries again. The row names its owner and expires GALERA_LOCK_TTL_MS after the last renewal; the
 * holder renews it every GALERA_HEARTBEAT_MS and before each migration and statement (an UPDATE that must find
 * its own row: once another run has taken the row, or the update loses certification against that run's, the
 * lock is lost). A run waiting for the lock deletes a row past its expiry (its holder stopped renewing it) and
 * takes the lock. Releasing deletes the row.
 */
export function galeraLock(pool: DialectSession, table: string, timeoutMs: number): MigrationLock {
  const lockTable = galeraLockTable(table);
  const name = quoteWith('`', lockTable);
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`.slice(0, 100);
  const ttl = `INTERVAL ${GALERA_LOCK_TTL_MS * 1000} MICROSECOND`;

  const ensureTable = () =>
    pool.runOperation(
      `CREATE TABLE IF NOT EXISTS ${name} (id INT NOT NULL PRIMARY KEY, owner VARCHAR(100) NOT NULL, ` +
        'acquired_at DATETIME(6) NOT NULL, expires_at DATETIME(6) NOT NULL, renewals BIGINT NOT NULL DEFAULT 0) ' +
        'ENGINE=InnoDB',
    );

  /** Tries once: true when this run now holds the lock, else the current holder (for the message). */
  const tryTake = async (): Promise<true | string> => {
    try {
      await pool.runOperation(
        `INSERT INTO ${name} (id, owner, acquired_at, expires_at) VALUES (1, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + ${ttl})`,
        [owner],
      );
      return true;
    } catch (error) {
      // Another node's insert won certification (1213), or its row is there already (1062).
      if (!(error instanceof UniqueViolationError || error instanceof DeadlockError)) throw error;
    }
    // A row past its expiry belongs to a run that stopped renewing it: delete it, then try again at once.
    try {
      const { affectedRows } = await pool.runOperation(
        `DELETE FROM ${name} WHERE id = 1 AND expires_at < UTC_TIMESTAMP(6)`,
      );
      if (affectedRows > 0) return tryTake();
    } catch (error) {
      if (!(error instanceof DeadlockError)) throw error;
    }
    const [row] = await pool.runQuery(
      `SELECT owner, acquired_at, TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), expires_at) AS left_s FROM ${name} WHERE id = 1`,
    );
    return row === undefined
      ? 'another run'
      : `${String(row.owner)} (its row expires in ${String(row.left_s)} s unless renewed)`;
  };

  /** Renews the row; false when it is no longer this run's (taken over, deleted, or the update lost certification). */
  const renew = async (): Promise<boolean> => {
    try {
      const { affectedRows } = await pool.runOperation(
        `UPDATE ${name} SET expires_at = UTC_TIMESTAMP(6) + ${ttl}, renewals = renewals + 1 WHERE id = 1 AND owner = ?`,
        [owner],
      );
      return affectedRows === 1;
    } catch (error) {
      if (error instanceof DeadlockError) return false;
      throw error;
    }
  };

  return {
    async hold(work) {
      if (pool.stats.max < 2) {
        throw new MigrationLockError(
          'Migrations need a pool of at least 2 connections: one renews the migration lock while the others run them.',
        );
      }
      await ensureTable();
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const taken = await tryTake();
        if (taken === true) break;
        if (Date.now() >= deadline) {
          throw new MigrationLockError(
            `Another migration run held the migration lock for more than ${timeoutMs} ms: held by ${taken} ` +
              `(Galera lock row in ${lockTable}). Try again once it has finished (or raise lockTimeoutMs); a row ` +
              `whose run crashed expires ${GALERA_LOCK_TTL_MS / 1000} s after its last renewal.`,
          );
        }
        await sleep(Math.min(100 + Math.random() * 150, Math.max(0, deadline - Date.now())));
      }
      const held = rowVerifier(renew, lockTable, owner);
      const heartbeat = setInterval(() => void held.verify().catch(() => undefined), GALERA_HEARTBEAT_MS);
      heartbeat.unref();
      try {
        return await work(held);
      } finally {
        clearInterval(heartbeat);
        // A release that fails leaves a row that expires by itself.
        await pool
          .runOperation(`DELETE FROM ${name} WHERE id = 1 AND owner = ?`, [owner])
          .catch(() => undefined);
      }
    },
    // DDL commits at once on MariaDB: each migration runs statement by statement, as with GET_LOCK.
    step: (work) => work(),
  };
}

/** The HeldLock of a lock row: each check renews it, one at a time; the first failure is kept. */
function rowVerifier(renew: () => Promise<boolean>, lockTable: string, owner: string): HeldLock {
  let lost: LockLost | undefined;
  let pending: Promise<void> | undefined;
  const check = async () => {
    let reason: string | undefined;
    let cause: unknown;
    try {
      if (!(await renew())) reason = `its row in ${lockTable} is no longer held by this run (${owner})`;
    } catch (error) {
      reason = `its row in ${lockTable} could not be renewed: ${messageOf(error).replace(/\.$/, '')}`;
      cause = error;
    }
    if (reason !== undefined) {
      lost ??= new LockLost(reason, { cause });
      throw lost;
    }
  };
  return {
    verify() {
      if (lost !== undefined) return Promise.reject(lost);
      pending ??= check().finally(() => (pending = undefined));
      return pending;
    },
  };
}
