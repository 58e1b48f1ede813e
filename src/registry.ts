import { ClassNotRegisteredError, ConnectionError, TwistarError } from './errors.js';
import type { ConnectionPool } from './connection/connection-pool.js';
import { InteractionBase } from './crud/interaction-base.js';
import type { SchemaProblem } from './schema/schema-problem.js';
import type { VerifyOptions } from './schema/verify-options.js';

const configs = new WeakMap<ConnectionPool, InteractionBase>();
const classes = new Map<string, abstract new (...args: never[]) => unknown>();
// The schema tools depend on the Registry, so they hand it their verifier rather than being imported by it.
let verifier: ((options: VerifyOptions) => Promise<SchemaProblem[]>) | undefined;

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

  static set DBPOOL(pool: ConnectionPool | null) {
    Registry.#pool = pool;
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
