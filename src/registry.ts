import { ClassNotRegisteredError, ConnectionError, TwistarError } from './errors.js';
import type { ConnectionPool } from './connection/connection-pool.js';
import { InteractionBase } from './crud/interaction-base.js';
import type { SchemaProblem } from './schema/schema-problem.js';
import type { VerifyOptions } from './schema/verify-options.js';

const configs = new WeakMap<ConnectionPool, InteractionBase>();
const classes = new Map<string, abstract new (...args: never[]) => unknown>();
// The schema tools depend on the Registry, so they hand it their verifier rather than being imported by it.
let verifier: ((options: VerifyOptions) => Promise<SchemaProblem[]>) | undefined;

/**
 * A pool from `connect()`, told by its methods rather than its class, so that a pool of another copy of
 * Twistar in the process is one too.
 */
function isPool(value: unknown): value is ConnectionPool {
  if (value === null || typeof value !== 'object') return false;
  const pool = value as Partial<Record<'runQuery' | 'runOperation' | 'runInteraction' | 'dialect', unknown>>;
  return (
    typeof pool.runQuery === 'function' &&
    typeof pool.runOperation === 'function' &&
    typeof pool.runInteraction === 'function' &&
    typeof pool.dialect === 'object' &&
    pool.dialect !== null
  );
}

function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value)}`;
  if (typeof value === 'object' && value !== null)
    return `an object (${value.constructor?.name ?? 'null prototype'})`;
  return value === undefined ? 'undefined' : `a ${typeof value}`;
}

/** Called once by the schema tools when they load: what `Registry.verify()` runs. */
export function provideVerifier(verify: (options: VerifyOptions) => Promise<SchemaProblem[]>): void {
  verifier = verify;
}

/** Twistar's global settings: the default pool, and model classes by name (for relationships). */
// A class of statics because Twistar's API is `Registry.DBPOOL = …`.
// eslint-disable-next-line @typescript-eslint/no-extraneous-class
export class Registry {
  static #pool: ConnectionPool | null = null;

  /**
   * Objects loaded by one query know each other, so the first `get()` of a relation on one of them loads it
   * for all of them in one query. Turn it off here, or per query with `find({ batch: false })`.
   */
  static AUTO_BATCH = true;

  /**
   * Throw StrictLoadingError whenever a relation would be loaded for one object alone (neither included nor
   * batched): a way to find N+1 queries in development.
   */
  static STRICT_LOADING = false;

  /**
   * Merge `find(id)` calls issued in the same tick (outside transactions, integer keys) into one
   * `WHERE key IN (…)` statement; each caller still gets its own object. Off: one statement per find.
   * In-process SQLite never merges (it answers each find at once).
   */
  static BATCH_FINDS = true;

  /** The pool every model and `transaction()` uses: `Registry.DBPOOL = connect('sqlite:app.db')`. */
  static get DBPOOL(): ConnectionPool | null {
    return Registry.#pool;
  }

  /**
   * `null` (or `undefined`) unsets it; anything but a pool from `connect()` is refused with ConnectionError
   * at once, rather than failing later in the first query.
   */
  static set DBPOOL(pool: ConnectionPool | null | undefined) {
    if (pool !== null && pool !== undefined && !isPool(pool)) {
      throw new ConnectionError(
        `Registry.DBPOOL takes a pool from connect() (or null), got ${describeValue(pool)}: write ` +
          "Registry.DBPOOL = connect('sqlite:app.db') (or another URL).",
      );
    }
    Registry.#pool = pool ?? null;
  }

  /** The default pool, or a clear error when none was set. */
  static getPool(): ConnectionPool {
    if (Registry.#pool === null) {
      throw new ConnectionError(
        "No database: set Registry.DBPOOL = connect('sqlite:app.db') (or another URL) first.",
      );
    }
    return Registry.#pool;
  }

  /** The low-level interface of the default pool (or of `pool`). */
  static getConfig(pool: ConnectionPool = Registry.getPool()): InteractionBase {
    if (!isPool(pool)) {
      throw new ConnectionError(
        `Registry.getConfig() takes a pool from connect(), got ${describeValue(pool)}; call it without ` +
          'arguments for the pool of Registry.DBPOOL.',
      );
    }
    let config = configs.get(pool);
    if (config === undefined) {
      config = new InteractionBase(pool);
      configs.set(pool, config);
    }
    return config;
  }

  /** Makes classes known by name, so relationships can name them. */
  static register(...models: (abstract new (...args: never[]) => unknown)[]): void {
    for (const model of models) classes.set(model.name, model);
  }

  /** The class registered under `name`; ClassNotRegisteredError if there is none. */
  static getClass<T = unknown>(name: string): T {
    const model = classes.get(name);
    if (model === undefined) {
      throw new ClassNotRegisteredError(
        `No class named "${name}" is registered; call Registry.register(${name}) first.`,
      );
    }
    return model as T;
  }

  /** Every registered class, in the order they were registered. */
  static registeredClasses(): (abstract new (...args: never[]) => unknown)[] {
    return [...classes.values()];
  }

  /**
   * Compares the registered models (or `options.models`) with the live schema and resolves to the problems
   * found (missing tables, columns, join tables, classes), none when they agree; `{ throw: true }` rejects
   * with SchemaMismatchError instead. See `verifyModels`.
   */
  static async verify(options: VerifyOptions = {}): Promise<SchemaProblem[]> {
    if (verifier === undefined) {
      throw new TwistarError("Registry.verify() needs the schema tools: import it from 'twistar'.");
    }
    return verifier(options);
  }
}
