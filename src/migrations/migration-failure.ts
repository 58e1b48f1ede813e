import type { ConnectionPool } from '../connection/connection-pool.js';
import { MigrationError } from '../errors.js';
import type { MigrationDb } from './migration-db.js';
import type { Direction, MigrationFile } from './migration-files.js';

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
  const rolledBack = pool.dialect.transactionalDdl && !db.dryRun;
  const appliedStatements = rolledBack || db.dryRun ? [] : [...db.statements];
  const failed = db.failedStatement;
  const reason = (cause instanceof Error ? cause.message : String(cause)).replace(/\.$/, '');
  let message = `Migration ${file.name} (${direction}) failed: ${reason}.`;
  if (rolledBack) message += ' It was rolled back: nothing of it is applied.';
  else if (!db.dryRun) {
    message +=
      appliedStatements.length === 0
        ? ' None of its statements had been applied.'
        : ' The database commits DDL at once (it has no transactional DDL), so these statements of it stay ' +
          'applied; undo them (or finish the migration) by hand before running it again:\n' +
          appliedStatements.map((statement, i) => `  ${i + 1}. ${statement}`).join('\n');
  }
  return new MigrationError(
    message,
    { migration: file.name, direction, appliedStatements, failedStatement: failed, rolledBack, completed },
    cause,
  );
}
