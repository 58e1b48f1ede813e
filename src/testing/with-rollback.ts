import { ConnectionPool, Registry, TransactionError, type Transaction } from '../index.js';
import { ownOptions } from '../options.js';

/** Options of `withRollback()`. */
export interface RollbackOptions {
  /**
   * The pool whose transaction the work runs in (default `Registry.DBPOOL`, the one models use). Give another
   * pool only for work on that pool: models keep to `Registry.DBPOOL`.
   */
  pool?: ConnectionPool | undefined;
}

/** The work's result, thrown out of the transaction's callback so that the transaction rolls back. */
class Finished {
  constructor(readonly value: unknown) {}
}

/**
 * Runs `work` in a transaction of `Registry.DBPOOL` (or the pool given) that always rolls back, and resolves to its result (or rejects with its error,
 * as thrown): whatever it wrote is gone afterwards, whether it passed or failed. For a test's body:
 * `it('…', () => withRollback(async () => { … }))`. Every model and low-level call made while it runs, however
 * deep and however concurrent (`Promise.all`), joins the transaction; a `transaction()` inside is a savepoint,
 * and `withRollback` inside a transaction is a savepoint rolled back. Work left running (not awaited) cannot
 * write after it ends: it fails with TransactionError. A statement that failed inside does not change the
 * outcome (nothing is committed anyway), but as in any transaction the statements after it are refused.
 */
export async function withRollback<T>(
  work: (txn: Transaction) => Promise<T> | T,
  options?: ConnectionPool | RollbackOptions,
): Promise<T> {
  const { pool: given } =
    options instanceof ConnectionPool
      ? { pool: options }
      : ownOptions(options, ['pool'], 'withRollback(work, …)', '', TransactionError);
  const pool = given ?? Registry.getPool();
  try {
    // runInteraction, not transaction(): the work's own error is rethrown as it is, not wrapped.
    await pool.runInteraction(async (txn) => {
      throw new Finished(await work(txn));
    });
  } catch (error) {
    if (error instanceof Finished) return error.value as T;
    throw error;
  }
  // The callback above only ends by throwing.
  throw new TransactionError('withRollback: the transaction ended without its work finishing.');
}
