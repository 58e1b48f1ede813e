/**
 * The worker thread behind SQLite's worker mode: one better-sqlite3 connection, one statement at a time,
 * answering the messages of sqlite-worker-driver.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openSqlite, type SqliteOptions } from './sqlite-driver.js';

interface Request {
  readonly id: number;
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly single: boolean;
}

const port = parentPort;
if (port === null) throw new Error('sqlite-worker.ts runs as a worker thread only.');
let connection: ReturnType<typeof openSqlite> | null = null;
try {
  connection = openSqlite(workerData as SqliteOptions);
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ ready: false, error: describe(error) });
}

function describe(error: unknown): { message: string; code?: unknown; name?: string } {
  const { message, name } = error instanceof Error ? error : new Error(String(error));
  return { message, name, code: (error as { code?: unknown } | null)?.code };
}

port.on('message', (request: Request | 'close') => {
  if (request === 'close') {
    void connection?.close();
    port.close();
    return;
  }
  try {
    if (connection === null) throw new Error('The SQLite worker could not open its database.');
    port.postMessage({
      id: request.id,
      result: connection.execute(request.sql, request.params, request.single),
    });
  } catch (error) {
    port.postMessage({ id: request.id, error: describe(error) });
  }
});
