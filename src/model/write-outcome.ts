import type { ConnectionPool } from '../connection/connection-pool.js';
import type { TransactionParticipant } from '../connection/transaction-scope.js';
import { AfterCommitError } from '../errors.js';
import { followsOutcome, runAfter, runOutcome, type WriteOperation } from './lifecycle.js';

/** An object written in a transaction, waiting for its outcome to run afterCommit or afterRollback. */
class WrittenObject implements TransactionParticipant {
  readonly #obj: object;
  readonly operation: WriteOperation;

  constructor(obj: object, operation: WriteOperation) {
    this.#obj = obj;
    this.operation = operation;
  }

  /** Written twice: deleted if either write deleted it (Rails' after_commit on: :destroy), else created if either created it. */
  combine(other: TransactionParticipant): TransactionParticipant {
    const { operation } = other as WrittenObject;
    const both = [this.operation, operation];
    const combined = both.includes('delete') ? 'delete' : both.includes('create') ? 'create' : 'update';
    return combined === this.operation ? this : new WrittenObject(this.#obj, combined);
  }

  committed(): Promise<readonly unknown[]> {
    return runOutcome(this.#obj, 'commit', this.operation);
  }

  rolledBack(): Promise<readonly unknown[]> {
    return runOutcome(this.#obj, 'rollback', this.operation);
  }
}

/**
 * Once `obj`'s write (`operation`) has been sent: runs its after-hooks and listeners, and sees that
 * afterCommit or afterRollback follow. In a transaction they run when the outermost one ends. Outside one
 * the write is committed already, so afterCommit runs after the after-hooks, even if one of them threw (the
 * result then rejects with that error). Nothing to wait for when the object has none of these.
 */
export function afterWrite(
  obj: object,
  operation: WriteOperation,
  pool: ConnectionPool,
): Promise<void> | undefined {
  if (!followsOutcome(obj)) return runAfter(obj, operation);
  const written = new WrittenObject(obj, operation);
  // Enlisted before the after-hooks run: if one throws and the transaction rolls back, afterRollback runs.
  if (pool.enlist(obj, written)) return runAfter(obj, operation);
  return committedAfter(runAfter(obj, operation), written);
}

async function committedAfter(after: Promise<void> | undefined, written: WrittenObject): Promise<void> {
  let failure: { readonly error: unknown } | undefined;
  try {
    await after;
  } catch (error) {
    failure = { error };
  }
  const errors = await written.committed();
  if (failure !== undefined) throw failure.error;
  if (errors.length > 0) throw new AfterCommitError(errors);
}
