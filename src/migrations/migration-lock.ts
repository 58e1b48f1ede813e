import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionPool, Transaction } from '../connection/connection-pool.js';
import { MigrationLockError, SerializationError } from '../errors.js';

/**
 * How one migration run keeps others out, and how each migration runs inside it. `hold(work)` runs the whole
 * run holding the lock; `step(work)` runs one migration: in a transaction where DDL is transactional.
 */
export interface MigrationLock {
  hold<T>(work: () => Promise<T>): Promise<T>;
  step<T>(work: () => Promise<T>): Promise<T>;
}

/** The lock of the migrations table `table` on `pool`'s database. */
export function migrationLock(pool: ConnectionPool, table: string, timeoutMs: number): MigrationLock {
  switch (pool.dialect.name) {
    case 'sqlite':
      return sqliteLock(pool, timeoutMs);
    case 'postgres':
      return sessionLock(pool, postgresLock(table, timeoutMs), true);
    case 'mysql':
      return sessionLock(pool, mysqlLock(table, timeoutMs), false);
  }
}

function timedOut(timeoutMs: number, cause?: unknown): MigrationLockError {
  return new MigrationLockError(
    `Another migration run held the migration lock for more than ${timeoutMs} ms; try again once it has ` +
      'finished (or raise lockTimeoutMs).',
    { cause },
  );
}

/**
 * SQLite: the whole run is one BEGIN IMMEDIATE transaction, which holds the database's write lock (so a run in
 * another process waits); each migration is a savepoint in it. Committing keeps the migrations that succeeded.
 */
function sqliteLock(pool: ConnectionPool, timeoutMs: number): MigrationLock {
  return {
    async hold(work) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        let entered = false;
        try {
          return await pool.runInteraction(() => {
            entered = true;
            return work();
          });
        } catch (error) {
          // BEGIN IMMEDIATE gave up after the busy timeout: another process is writing (or migrating).
          if (entered || !(error instanceof SerializationError)) throw error;
          if (Date.now() >= deadline) throw timedOut(timeoutMs, error);
          await sleep(50);
        }
      }
    },
    step: (work) => pool.runInteraction(work),
  };
}

interface SessionLock {
  acquire(txn: Transaction): Promise<void>;
  release(txn: Transaction): Promise<void>;
}

/**
 * PostgreSQL and MySQL: a connection of its own holds the lock for the whole run (in a transaction, the
 * pool's way of keeping one connection); the migrations run on other connections. A crash or a lost
 * connection releases the lock with the session.
 */
function sessionLock(pool: ConnectionPool, lock: SessionLock, transactional: boolean): MigrationLock {
  return {
    async hold(work) {
      if (pool.stats.max < 2) {
        throw new MigrationLockError(
          'Migrations need a pool of at least 2 connections: one holds the migration lock while the others run them.',
        );
      }
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      let held!: () => void;
      const acquired = new Promise<void>((resolve) => (held = resolve));
      const session = pool.runInteraction(async (txn) => {
        await lock.acquire(txn);
        held();
        await finished;
        await lock.release(txn);
      });
      await Promise.race([acquired, session]);
      try {
        return await work();
      } finally {
        finish();
        // The lock goes with its session in any case: a release that fails changes nothing for the run.
        await session.catch(() => undefined);
      }
    },
    step: (work) => (transactional ? pool.runInteraction(work) : work()),
  };
}

/** The advisory-lock key of a migrations table: the first 48 bits of a hash of its name. */
export function advisoryKey(table: string): number {
  return Number.parseInt(createHash('sha256').update(`twistar:${table}`).digest('hex').slice(0, 12), 16);
}

function postgresLock(table: string, timeoutMs: number): SessionLock {
  const key = advisoryKey(table);
  return {
    async acquire(txn) {
      // A transaction-level lock: released by COMMIT, or with the session if the process dies. The transaction
      // stays idle while the migrations run on other connections: a server-wide idle timeout must spare it.
      await txn.runOperation('SET LOCAL idle_in_transaction_session_timeout = 0');
      if (timeoutMs <= 0) {
        const [row] = await txn.runQuery('SELECT pg_try_advisory_xact_lock(?) AS locked', [key]);
        if (row?.locked !== true) throw timedOut(timeoutMs);
        return;
      }
      await txn.runOperation(`SET LOCAL lock_timeout = ${Math.ceil(timeoutMs)}`);
      try {
        await txn.runQuery('SELECT pg_advisory_xact_lock(?)', [key]);
      } catch (error) {
        if ((error as { code?: unknown }).code === '55P03') throw timedOut(timeoutMs, error);
        throw error;
      }
    },
    release: async () => undefined,
  };
}

function mysqlLock(table: string, timeoutMs: number): SessionLock {
  // GET_LOCK names are server-wide: the database's name keeps two databases' runs apart.
  const name = "LEFT(CONCAT(?, ':', DATABASE()), 64)";
  return {
    async acquire(txn) {
      const seconds = Math.max(0, Math.ceil(timeoutMs / 1000));
      const [row] = await txn.runQuery(`SELECT GET_LOCK(${name}, ?) AS locked`, [table, seconds]);
      if (Number(row?.locked) !== 1) throw timedOut(timeoutMs);
    },
    async release(txn) {
      await txn.runQuery(`SELECT RELEASE_LOCK(${name}) AS released`, [table]);
    },
  };
}
