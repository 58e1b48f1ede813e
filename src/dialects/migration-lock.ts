import { messageOf } from '../errors.js';
import { MigrationLockError } from '../tooling-errors.js';
import type { DialectSession, SessionTransaction } from './driver.js';

/**
 * How one migration run keeps others out, and how each migration runs inside it. `hold(work)` runs the whole
 * run holding the lock; `step(work)` runs one migration: in a transaction where DDL is transactional.
 */
export interface MigrationLock {
  hold<T>(work: (held: HeldLock) => Promise<T>): Promise<T>;
  step<T>(work: () => Promise<T>): Promise<T>;
}

/** The lock while a run holds it. */
export interface HeldLock {
  /**
   * Resolves while the run still holds the lock; rejects with LockLost once it does not (its connection was
   * closed or killed, which releases it), and from then on at once.
   */
  verify(): Promise<void>;
}

/** The run no longer holds the migration lock; the Migrator reports it as MigrationLockLostError. */
export class LockLost extends Error {}

/** How long a check of the lock's connection may take before the lock counts as lost. */
const VERIFY_TIMEOUT_MS = 10_000;

/** The error for a lock another run held past `timeoutMs`. */
export function lockTimedOut(timeoutMs: number, cause?: unknown): MigrationLockError {
  return new MigrationLockError(
    `Another migration run held the migration lock for more than ${timeoutMs} ms; try again once it has ` +
      'finished (or raise lockTimeoutMs).',
    { cause },
  );
}

/** A lock held by one database session. */
export interface SessionLock {
  /** Takes the lock; resolves to the session's name for messages (`PostgreSQL session 4242`). */
  acquire(txn: SessionTransaction): Promise<string>;
  /** Whether the session still holds the lock (a statement on it: fails once the connection is gone). */
  holds(txn: SessionTransaction): Promise<boolean>;
  release(txn: SessionTransaction): Promise<void>;
}

/**
 * PostgreSQL and MySQL: a connection of its own holds the lock for the whole run (in a transaction, the
 * pool's way of keeping one connection); the migrations run on other connections. A crash or a lost
 * connection releases the lock with the session, which `verify()` finds out.
 */
export function sessionLock(pool: DialectSession, lock: SessionLock, transactional: boolean): MigrationLock {
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
