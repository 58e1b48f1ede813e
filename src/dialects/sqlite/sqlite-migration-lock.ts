import { setTimeout as sleep } from 'node:timers/promises';
import { SerializationError } from '../../errors.js';
import type { DialectSession } from '../driver.js';
import { lockTimedOut, type HeldLock, type MigrationLock } from '../migration-lock.js';

/**
 * SQLite: the whole run is one BEGIN IMMEDIATE transaction, which holds the database's write lock (so a run in
 * another process waits); each migration is a savepoint in it. Committing keeps the migrations that succeeded.
 * The lock is the connection the migrations run on: it cannot be lost without them failing too.
 */
export function sqliteMigrationLock(pool: DialectSession, timeoutMs: number): MigrationLock {
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
          if (Date.now() >= deadline) throw lockTimedOut(timeoutMs, error);
          await sleep(50);
        }
      }
    },
    step: (work) => pool.runInteraction(work),
  };
}
