import { StatementTimeoutError } from '../errors.js';
import type { DriverConnection, QueryResult } from '../dialects/driver.js';
import { isReadOnly } from './replicas.js';

/** How long a cancelled statement may take to stop before its connection is closed. */
const STOP_GRACE_MS = 1_000;

/**
 * `pending` (a statement running on `connection`), unless it runs past `limitMs`: then the server is asked to
 * cancel it and the caller gets StatementTimeoutError once it has stopped. A connection whose statement does not
 * stop within a second more is closed.
 */
export async function withStatementTimeout(
  connection: DriverConnection,
  pending: Promise<QueryResult>,
  limitMs: number,
  sql: string,
  params: readonly unknown[],
): Promise<QueryResult> {
  let cancelled = false;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cancelled = true;
      void connection.cancel?.().catch(() => undefined);
      timer = setTimeout(() => {
        void connection.close();
        reject(new Error('the server did not stop the statement'));
      }, STOP_GRACE_MS);
    }, limitMs);
  });
  const timedOut = (cause: unknown) =>
    new StatementTimeoutError(
      `The statement ran longer than statementTimeoutMs (${limitMs} ms) and was cancelled. (SQL: ${sql})`,
      sql,
      params,
      cause,
    );
  try {
    const result = await Promise.race([pending, expired]);
    // A read stopped part-way may carry a partial answer (MySQL's SLEEP() returns 1): never hand it out.
    if (cancelled && isReadOnly(sql)) throw timedOut(null);
    return result;
  } catch (error) {
    if (cancelled) throw timedOut(error);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
