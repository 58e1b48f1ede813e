import type { ConnectionPool } from '../connection/connection-pool.js';
import { messageOf } from '../errors.js';
import { MigrationError, MigrationLockLostError } from '../tooling-errors.js';
import type { MigrationDb } from './migration-db.js';
import type { Direction, MigrationFile } from './migration-files.js';

/** What a migration that stopped part-way left behind, and how to say so. */
interface Leftover {
  /** Where DDL is transactional the migration's transaction was rolled back. */
  readonly rolledBack: boolean;
  /** Its statements that stay applied (none when rolled back, or in a dry run). */
  readonly appliedStatements: readonly string[];
  /** A sentence or two for the message; empty in a dry run. */
  readonly text: string;
}

function leftover(pool: ConnectionPool, db: MigrationDb): Leftover {
  if (db.dryRun) return { rolledBack: false, appliedStatements: [], text: '' };
  if (pool.dialect.transactionalDdl) {
    return {
      rolledBack: true,
      appliedStatements: [],
      text: ' It was rolled back: nothing of it is applied.',
    };
  }
  const appliedStatements = [...db.statements];
  const text =
    appliedStatements.length === 0
      ? ' None of its statements had been applied.'
      : ' The database commits DDL at once (it has no transactional DDL), so these statements of it stay ' +
        'applied; undo them (or finish the migration) by hand before running it again:\n' +
        appliedStatements.map((statement, i) => `  ${i + 1}. ${statement}`).join('\n');
  return { rolledBack: false, appliedStatements, text };
}

function reasonOf(cause: unknown): string {
  return messageOf(cause).replace(/\.$/, '');
}

/**
 * The MigrationError of a failed migration: where DDL is transactional it was rolled back; elsewhere the message
 * lists the statements of it that ran, which stay applied.
 */
export function migrationError(
  pool: ConnectionPool,
  file: MigrationFile,
  direction: Direction,
  db: MigrationDb,
  completed: readonly string[],
  cause: unknown,
): MigrationError {
  const { rolledBack, appliedStatements, text } = leftover(pool, db);
  return new MigrationError(
    `Migration ${file.name} (${direction}) failed: ${reasonOf(cause)}.${text}`,
    {
      migration: file.name,
      direction,
      appliedStatements,
      failedStatement: db.failedStatement,
      rolledBack,
      completed,
    },
    cause,
  );
}

/**
 * The MigrationLockLostError of a run that found its lock gone at `file`: before it started (`db` undefined), or
 * while it ran (it was rolled back, or its statements that ran are listed).
 */
export function lockLostError(
  pool: ConnectionPool,
  file: MigrationFile,
  direction: Direction,
  db: MigrationDb | undefined,
  completed: readonly string[],
  cause: unknown,
): MigrationLockLostError {
  const left = db === undefined ? undefined : leftover(pool, db);
  const stopped =
    left === undefined ? ` before ${file.name}, which did not start.` : ` in ${file.name}.${left.text}`;
  const before =
    completed.length === 0
      ? ''
      : ` ${direction === 'up' ? 'Applied' : 'Reverted'} before it: ${completed.join(', ')}.`;
  const again =
    direction === 'up'
      ? 'Run the migrations again (twistar migrate, or latest()) to apply the rest.'
      : 'See what is left to revert (twistar migrate:status, or status()) before rolling back again.';
  return new MigrationLockLostError(
    `The migration lock was lost: ${reasonOf(cause)}. Another run could take the lock now, so this run ` +
      `stopped${stopped}${before} ${again}`,
    { migration: file.name, direction, appliedStatements: left?.appliedStatements ?? [], completed },
    cause,
  );
}
