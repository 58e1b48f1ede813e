import { Worker } from 'node:worker_threads';
import { ConnectionError } from '../../errors.js';
import type { DriverConnection, QueryResult, Row } from '../driver.js';
import type { SqliteOptions } from './sqlite-driver.js';

/** The worker's script, beside this module: `.js` when built, `.ts` when running from source under tsx. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_ENTRY = new URL(FROM_SOURCE ? './sqlite-worker.ts' : './sqlite-worker.js', import.meta.url);

/** Starts the worker; from source, Node 20 does not pass tsx's loader to workers, so the worker registers it. */
function startWorker(options: SqliteOptions): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_ENTRY, { workerData: options });
  const tsx = import.meta.resolve('tsx/esm/api');
  const script =
    `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); ` +
    `return import(${JSON.stringify(WORKER_ENTRY.href)}); })`;
  return new Worker(script, { eval: true, workerData: options });
}

interface Pending {
  resolve(result: QueryResult): void;
  reject(error: Error): void;
}

interface Reply {
  readonly id?: number;
  readonly ready?: boolean;
  readonly result?: QueryResult;
  readonly error?: { message: string; code?: unknown; name?: string };
}

/** An error from the worker, with the driver's code kept (so that e.g. isUniqueViolation works). */
function revive(error: NonNullable<Reply['error']>): Error {
  if (error.name === 'ConnectionError') return new ConnectionError(error.message);
  return Object.assign(new Error(error.message), { code: error.code });
}

/** Buffers cross the thread boundary as plain Uint8Arrays; they come back as Buffers. */
function reviveRows(rows: Row[]): Row[] {
  for (const row of rows) {
    for (const key in row) {
      const value = row[key];
      if (value instanceof Uint8Array && !Buffer.isBuffer(value)) {
        row[key] = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      }
    }
  }
  return rows;
}

/** One SQLite connection living on its own thread: statements run there, the event loop here stays free. */
class WorkerConnection implements DriverConnection {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  broken = false;

  constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (reply: Reply) => {
      if (reply.id === undefined) return;
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (reply.error !== undefined) pending?.reject(revive(reply.error));
      else if (reply.result !== undefined)
        pending?.resolve({ ...reply.result, rows: reviveRows(reply.result.rows) });
    });
    const fail = (error: Error) => {
      this.broken = true;
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', () => fail(new ConnectionError('The SQLite worker thread stopped.')));
  }

  execute(sql: string, params: readonly unknown[], single = false): Promise<QueryResult> {
    if (this.broken) return Promise.reject(new ConnectionError('The SQLite worker thread stopped.'));
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, sql, params, single });
    });
  }

  async close(): Promise<void> {
    this.broken = true;
    this.#worker.postMessage('close');
    await new Promise((resolve) => {
      this.#worker.once('exit', resolve);
      setTimeout(resolve, 1000).unref();
    });
    await this.#worker.terminate();
  }
}

/**
 * SQLite on worker threads, one connection each: a long statement no longer blocks the event loop. A file
 * database only (each worker would get its own `:memory:` database). Transactions take one worker for their
 * whole length; SQLite lets one writer at a time in, so other writers wait (busy timeout), readers do not (in WAL mode).
 * @internal
 */
export function sqliteWorkerConnector(options: SqliteOptions): () => Promise<DriverConnection> {
  return () =>
    new Promise((resolve, reject) => {
      const worker = startWorker(options);
      worker.once('message', (reply: Reply) => {
        if (reply.ready === true) resolve(new WorkerConnection(worker));
        else {
          void worker.terminate();
          reject(reply.error ? revive(reply.error) : new Error('The SQLite worker did not start.'));
        }
      });
      worker.once('error', reject);
    });
}
