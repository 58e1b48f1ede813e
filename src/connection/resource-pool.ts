import { ConnectionError, PoolTimeoutError } from '../errors.js';
import type { DriverConnection } from '../dialects/driver.js';

/** A snapshot of a pool's connections. */
export interface PoolStats {
  /** The most connections the pool opens. */
  readonly max: number;
  /** Connections open now (idle or in use). */
  readonly open: number;
  readonly idle: number;
  /** Connections lent to a statement or transaction now. */
  readonly inUse: number;
  /** Callers waiting for a connection. */
  readonly waiting: number;
}

interface Waiter {
  resolve(connection: DriverConnection): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** A bounded set of connections: at most `max` open, waiters served in order, broken ones discarded. */
export class ResourcePool {
  readonly #open: () => Promise<DriverConnection>;
  readonly #max: number;
  readonly #acquireTimeoutMs: number;
  readonly #idle: DriverConnection[] = [];
  readonly #waiters: Waiter[] = [];
  #size = 0;
  #closed = false;

  constructor(open: () => Promise<DriverConnection>, max: number, acquireTimeoutMs: number) {
    this.#open = open;
    this.#max = max;
    this.#acquireTimeoutMs = acquireTimeoutMs;
  }

  /** Connections open now, idle or lent. */
  get size(): number {
    return this.#size;
  }

  /** Connections open, idle, lent out and the callers waiting for one. */
  get stats(): PoolStats {
    const idle = this.#idle.length;
    return {
      max: this.#max,
      open: this.#size,
      idle,
      inUse: this.#size - idle,
      waiting: this.#waiters.length,
    };
  }

  /** An idle connection, at once, if there is one. */
  tryAcquire(): DriverConnection | undefined {
    let connection = this.#idle.pop();
    while (connection?.broken) {
      this.#discard(connection);
      connection = this.#idle.pop();
    }
    return connection;
  }

  acquire(): Promise<DriverConnection> {
    if (this.#closed)
      return Promise.reject(new ConnectionError('The pool is closed; open a new one with connect().'));
    let connection = this.#idle.pop();
    while (connection?.broken) {
      this.#discard(connection);
      connection = this.#idle.pop();
    }
    if (connection) return Promise.resolve(connection);
    if (this.#size < this.#max) return this.#grow();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const at = this.#waiters.indexOf(waiter);
          if (at !== -1) this.#waiters.splice(at, 1);
          reject(
            new PoolTimeoutError(
              `No connection became free within ${this.#acquireTimeoutMs} ms (pool size ${this.#max}); ` +
                'raise the pool size or acquireTimeoutMs, or look for work that holds a connection (an unfinished transaction).',
            ),
          );
        }, this.#acquireTimeoutMs),
      };
      this.#waiters.push(waiter);
    });
  }

  /** Returns a connection; with `discard`, or when it is broken, it is closed instead of reused. */
  release(connection: DriverConnection, discard = false): void {
    if (discard || this.#closed || connection.broken) {
      this.#discard(connection);
      this.#serveWaiter();
      return;
    }
    const waiter = this.#waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(connection);
    } else this.#idle.push(connection);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new ConnectionError('The pool was closed while waiting for a connection.'));
    }
    await Promise.all(this.#idle.splice(0).map((connection) => this.#discard(connection)));
  }

  async #grow(): Promise<DriverConnection> {
    this.#size++;
    try {
      return await this.#open();
    } catch (error) {
      this.#size--;
      this.#serveWaiter();
      throw new ConnectionError(`Could not connect to the database: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** After a connection is discarded, a waiter may open a fresh one in its place. */
  #serveWaiter(): void {
    if (this.#closed || this.#size >= this.#max) return;
    const waiter = this.#waiters.shift();
    if (!waiter) return;
    clearTimeout(waiter.timer);
    this.#grow().then(waiter.resolve, waiter.reject);
  }

  #discard(connection: DriverConnection): Promise<void> {
    this.#size--;
    return connection.close().catch(() => undefined);
  }
}
