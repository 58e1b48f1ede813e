import { TransactionError } from './errors.js';
import type { ConnectionPool, Transaction } from './connection/connection-pool.js';
import { Registry } from './registry.js';

/**
 * Runs `work` in a transaction of `Registry.DBPOOL` (or `pool`) and resolves to its result. Every model and
 * low-level call made while it runs, however deep, joins the transaction; work started outside does not.
 * A throw rolls back and rejects with TransactionError (the error as `cause`). Nested, it is a savepoint.
 */
export async function transaction<T>(
  work: (txn: Transaction) => Promise<T> | T,
  pool?: ConnectionPool,
): Promise<T> {
  // Failures before the work starts (no pool, no free connection, BEGIN refused) are not wrapped: nothing began.
  return (pool ?? Registry.getPool()).runInteraction(async (txn) => {
    try {
      return await work(txn);
    } catch (error) {
      if (error instanceof TransactionError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new TransactionError(`The transaction was rolled back: ${reason}`, { cause: error });
    }
  });
}
