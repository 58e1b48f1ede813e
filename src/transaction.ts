import { TransactionError, isRetryable, messageOf } from './errors.js';
import type { ConnectionPool, Transaction } from './connection/connection-pool.js';
import type { IsolationLevel } from './dialects/isolation-level.js';
import { Registry } from './registry.js';
import { ownOptions } from './options.js';

/** Options of `transaction()`. */
export interface TransactionOptions {
  /** The pool to run on (default `Registry.DBPOOL`). */
  pool?: ConnectionPool | undefined;
  /**
   * Run the whole callback again, up to this many more times, when the transaction failed in a way that
   * may pass on another attempt: a deadlock, a serialisation failure, or a connection lost before COMMIT
   * (see `isRetryable`). Never after a lost COMMIT, whose outcome is unknown. Default 0. Ignored for a
   * nested transaction (a savepoint), which cannot outlive the failure of the transaction around it.
   */
  retries?: number | undefined;
  /** The wait before the first retry, doubled for each further one, with jitter (ms, default 20). */
  retryDelayMs?: number | undefined;
  /**
   * The isolation level the transaction runs at, on every attempt (default: the database's own). SQLite's
   * transactions are all serializable, which keeps every level. Refused for a nested transaction (a savepoint
   * cannot change the isolation of the transaction it is in); anything but these levels is refused too.
   */
  isolation?: IsolationLevel | undefined;
}

/**
 * Runs `work` in a transaction of `Registry.DBPOOL` (or the pool given) and resolves to its result. Every
 * model and low-level call made while it runs, however deep, joins the transaction; work started outside
 * does not. A throw rolls back and rejects with TransactionError (the error as `cause`). Nested, it is a
 * savepoint. With `retries`, a deadlock or serialisation failure runs the whole callback again; with
 * `isolation`, the transaction runs at that level.
 */
export async function transaction<T>(
  work: (txn: Transaction) => Promise<T> | T,
  options?: ConnectionPool | TransactionOptions,
): Promise<T> {
  const {
    pool: given,
    retries = 0,
    retryDelayMs = 20,
    isolation,
  } = isOptions(options)
    ? ownOptions(
        options,
        ['pool', 'retries', 'retryDelayMs', 'isolation'],
        'transaction(work, …)',
        '',
        TransactionError,
      )
    : { pool: options };
  if (!Number.isInteger(retries) || retries < 0)
    throw new TransactionError(`retries must be a non-negative integer, got ${String(retries)}.`);
  const pool = given ?? Registry.getPool();
  const attempts = pool.inTransaction ? 1 : retries + 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await once(pool, work, isolation);
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      const delay = retryDelayMs * 2 ** (attempt - 1);
      await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * delay));
    }
  }
}

function isOptions(value: unknown): value is TransactionOptions {
  return (
    value !== undefined && value !== null && !(typeof (value as ConnectionPool).runInteraction === 'function')
  );
}

function once<T>(
  pool: ConnectionPool,
  work: (txn: Transaction) => Promise<T> | T,
  isolation: IsolationLevel | undefined,
): Promise<T> {
  // Failures before the work starts (no pool, no free connection, BEGIN refused) are not wrapped: nothing began.
  return pool.runInteraction(
    async (txn) => {
      try {
        return await work(txn);
      } catch (error) {
        if (error instanceof TransactionError) throw error;
        const reason = messageOf(error);
        throw new TransactionError(`The transaction was rolled back: ${reason}`, { cause: error });
      }
    },
    { isolation },
  );
}
