import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionPool, Transaction } from '../connection/connection-pool.js';
import { MigrationLockError, SerializationError, messageOf } from '../errors.js';
import { galeraLock } from './galera-lock.js';
import { LockLost, type HeldLock, type MigrationLock } from './lock-contract.js';

export { LockLost, type HeldLock, type MigrationLock } from './lock-contract.js';

/** How long a check of the lock's connection may take before the lock counts as lost. */
const VERIFY_TIMEOUT_MS = 10_000;

/** The lock of the migrations table `table` on `pool`'s database. */
export function migrationLock(pool: ConnectionPool, table: string, timeoutMs: number): MigrationLock {
  switch (pool.dialect.name) {
    case 'sqlite':
      return sqliteLock(pool, timeoutMs);
    case 'postgres':
      return sessionLock(pool, postgresLock(table, timeoutMs), true);
    case 'mysql':
      return mysqlOrGalera(pool, table, timeoutMs);
  }
}

/**
 * MySQL/MariaDB: GET_LOCK, unless the server is a Galera node (`wsrep_on` is ON; plain MySQL has no such
 * variable), where GET_LOCK would keep out only the runs on the same node: then a replicated lock row.
 */
function mysqlOrGalera(pool: ConnectionPool, table: string, timeoutMs: number): MigrationLock {
  let chosen: Promise<MigrationLock> | undefined;
  const choose = async () => {
    const rows = await pool.runQuery("SHOW VARIABLES LIKE 'wsrep_on'");
    return String(rows[0]?.Value ?? '').toUpperCase() === 'ON'
      ? galeraLock(pool, table, timeoutMs)
      : sessionLock(pool, mysqlLock(table, timeoutMs), false);
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
 * The lock is the connection the migrations run on: it cannot be lost without them failing too.
 */
function sqliteLock(pool: ConnectionPool, timeoutMs: number): MigrationLock {
  const held: HeldLock = { verify: () => Promise.resolve() };
  return {
    async hold(work) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        let entered = false;
        try {
          return await pool.runInteraction(() => {
            entered = true;
            return work(held);
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

/** A lock held by one database session. */
interface SessionLock {
  /** Takes the lock; resolves to the session's name for messages (`PostgreSQL session 4242`). */
  acquire(txn: Transaction): Promise<string>;
  /** Whether the session still holds the lock (a statement on it: fails once the connection is gone). */
  holds(txn: Transaction): Promise<boolean>;
  release(txn: Transaction): Promise<void>;
}

/**
 * PostgreSQL and MySQL: a connection of its own holds the lock for the whole run (in a transaction, the
 * pool's way of keeping one connection); the migrations run on other connections. A crash or a lost
 * connection releases the lock with the session, which `verify()` finds out.
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
      let acquired!: (held: HeldLock) => void;
      const holding = new Promise<HeldLock>((resolve) => (acquired = resolve));
      const session = pool.runInteraction(async (txn) => {
        const session = await lock.acquire(txn);
        acquired(verifier(() => lock.holds(txn), session));
        await finished;
        await lock.release(txn);
      });
      // The session ends only after finish(), unless it fails first: then the lock was not taken.
      const held = (await Promise.race([holding, session])) as HeldLock;
      try {
        return await work(held);
      } finally {
        finish();
        // The lock goes with its session in any case: a release that fails changes nothing for the run.
        await session.catch(() => undefined);
      }
    },
    step: (work) => (transactional ? pool.runInteraction(work) : work()),
  };
}

/**
 * The HeldLock of a session: `holds()` asked on the lock's connection, one check at a time, within
 * VERIFY_TIMEOUT_MS. The first failure is kept: the lock cannot come back.
 */
function verifier(holds: () => Promise<boolean>, session: string): HeldLock {
  let lost: LockLost | undefined;
  let pending: Promise<void> | undefined;
  const check = async () => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the connection did not answer within ${VERIFY_TIMEOUT_MS} ms`)),
        VERIFY_TIMEOUT_MS,
      );
    });
    try {
      if (!(await Promise.race([holds(), late]))) throw new Error('the session no longer holds the lock');
    } catch (error) {
      const reason = messageOf(error).replace(/\.$/, '');
      lost ??= new LockLost(`its connection (${session}) was lost: ${reason}`, { cause: error });
      throw lost;
    } finally {
      clearTimeout(timer);
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
        const [row] = await txn.runQuery(
          'SELECT pg_try_advisory_xact_lock(?) AS locked, pg_backend_pid() AS session',
          [key],
        );
        if (row?.locked !== true) throw timedOut(timeoutMs);
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
        if ((error as { code?: unknown }).code === '55P03') throw timedOut(timeoutMs, error);
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

function mysqlLock(table: string, timeoutMs: number): SessionLock {
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
      if (Number(row.locked) !== 1) throw timedOut(timeoutMs);
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
