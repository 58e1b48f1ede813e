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
