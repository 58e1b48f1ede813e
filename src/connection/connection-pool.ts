import { AsyncLocalStorage } from 'node:async_hooks';
import { EventEmitter } from 'node:events';
import {
  ConnectionError,
  ConnectionLostError,
  InvalidQueryError,
  TransactionError,
  TwistarError,
} from '../errors.js';
import type { Dialect, DialectDefinition, DialectName } from '../dialects/dialect.js';
import { definitionNamed } from '../dialects/dialect-registry.js';
import type { IsolationLevel } from '../dialects/isolation-level.js';
import type { DriverConnection, OperationResult, QueryResult, Row } from '../dialects/driver.js';
import { assertParameterCount, type CompiledSql } from '../sql/placeholders.js';
import { checkParameters } from '../sql/values.js';
import { ownProperties } from '../options.js';
import { translateError } from './error-translation.js';
import { formatStatement, queryLog } from './query-log.js';
import { driverConfig, type PoolOptions } from './pool-options.js';
import { ReplicaSet, isReadOnly, isUnreachable } from './replicas.js';
import { ResourcePool, type PoolStats } from './resource-pool.js';
import { withStatementTimeout } from './statement-timeout.js';
import {
  TransactionScope,
  type TransactionHandle,
  type TransactionParticipant,
} from './transaction-scope.js';

export type { PoolOptions } from './pool-options.js';
export type { PoolStats } from './resource-pool.js';
export type { OperationResult } from '../dialects/driver.js';

/** The `'query'` event: one per statement executed, including BEGIN, COMMIT and savepoints. */
export interface QueryEvent {
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly durationMs: number;
  /** Set when the statement failed. */
  readonly error?: unknown;
}

/** The handle `runInteraction` passes to its callback: statements on the transaction's own connection. */
export type Transaction = TransactionHandle<ConnectionPool>;

/** Options of `runInteraction`. */
export interface InteractionOptions {
  /** The isolation level of the transaction (default: the database's own); refused for a nested one. */
  readonly isolation?: IsolationLevel | undefined;
}

export interface ConnectionPoolEvents {
  query: [QueryEvent];
}

/** `kind` as a definition: a registered name, or a definition given as it is. */
function definitionOf(kind: DialectName | DialectDefinition): DialectDefinition {
  return typeof kind === 'string' ? definitionNamed(kind) : kind;
}

/**
 * Connections to one database, and the way every statement reaches it. Work inside `runInteraction`
 * (or `transaction()`) runs on that transaction's connection, found through AsyncLocalStorage.
 */
export class ConnectionPool extends EventEmitter<ConnectionPoolEvents> {
  readonly dialect: Dialect;
  /** Statements are answered in the caller's turn (in-process SQLite): nothing gains from merging them. */
  readonly synchronous: boolean;
  readonly #resources: ResourcePool;
  readonly #statementTimeoutMs: number | undefined;
  /** A connection is the database itself (SQLite): never closed because a statement changed its session. */
  readonly #keepConnections: boolean;
  readonly #replicas: ReplicaSet<ConnectionPool> | null;
  /** Set inside `primary(…)`: reads stay on the primary. */
  readonly #onPrimary = new AsyncLocalStorage<true>();
  readonly #transactions: TransactionScope<ConnectionPool>;

  /** A pool of the database registered as `kind` (`'sqlite'`, `'postgres'`, `'mysql'`…), or of a definition. */
  constructor(kind: DialectName | DialectDefinition, given: PoolOptions = {}) {
    super();
    const definition = definitionOf(kind);
    // Own properties only: an option inherited from a polluted Object.prototype is no option.
    const options = ownProperties(given);
    const driver = definition.createDriver(driverConfig(definition, options));
    this.dialect = definition.dialect;
    this.synchronous = driver.synchronous === true;
    this.#keepConnections = driver.connectionsHoldData === true;
    const timeout = options.statementTimeoutMs;
    if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1))
      throw new ConnectionError(`statementTimeoutMs must be a positive integer, got ${String(timeout)}.`);
    if (timeout !== undefined && driver.cancellable !== true)
      throw new ConnectionError(
        `statementTimeoutMs is for databases that can cancel a statement: ${this.dialect.displayName} cannot.`,
      );
    this.#statementTimeoutMs = timeout;
    const max =
      driver.fixedPoolSize === true ? driver.defaultPoolSize : (options.max ?? driver.defaultPoolSize);
    if (!Number.isInteger(max) || max < 1)
      throw new ConnectionError(`Pool size must be a positive integer, got ${max}.`);
    this.#resources = new ResourcePool(() => driver.connect(), max, options.acquireTimeoutMs ?? 30_000);
    this.#transactions = new TransactionScope({
      owner: this,
      abortsTransactionOnError: this.dialect.abortsTransactionOnError,
      begin: (isolation) => this.#begin(isolation),
      release: (connection, discard) => this.#resources.release(connection, discard),
      check: (sql, params) => this.#check(sql, params).text,
      run: (connection, text, sql, params) => this.#run(connection, text, sql, params),
      control: (connection, sql) => this.#control(connection, sql),
      changesSession: (sql) => this.#changesSession(sql),
    });
    const { replicas, replicaRetryMs = 5_000, ...rest } = options;
    if (replicas !== undefined && replicas.length > 0) {
      if (definition.replicas !== true)
        throw new ConnectionError(
          `${this.dialect.displayName} has no replicas; replicas are for database servers.`,
        );
      const pools = replicas.map((url) => new ConnectionPool(definition, { ...rest, url }));
      // One 'query' event stream, whichever server answered.
      for (const replica of pools) replica.on('query', (event) => this.emit('query', event));
      this.#replicas = new ReplicaSet(pools, replicaRetryMs);
    } else this.#replicas = null;
  }

  /** Runs `work` with its reads sent to the primary, e.g. to read what it has just written. */
  primary<T>(work: () => Promise<T> | T): Promise<T> {
    return Promise.resolve(this.#replicas === null ? work() : this.#onPrimary.run(true, work));
  }

  /** Runs a statement that returns rows (SELECT, or anything with RETURNING) and resolves to them. */
  async runQuery(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.execute(sql, params)).rows;
  }

  /** Runs a statement for its effect and resolves to the rows it changed and the key it created. */
  async runOperation(sql: string, params: readonly unknown[] = []): Promise<OperationResult> {
    const { affectedRows, insertId } = await this.execute(sql, params);
    return { affectedRows, insertId };
  }

  /** The primary's connections now: open, idle, in use, and callers waiting (e.g. to find a leak). */
  get stats(): PoolStats {
    return this.#resources.stats;
  }

  /** True inside `primary(…)`: reads must not go to a replica. */
  get onPrimary(): boolean {
    return this.#onPrimary.getStore() === true;
  }

  /**
   * Twistar's own code has handled `error`, a statement's failure in the current transaction (e.g. save()
   * reporting a constraint as a validation error). Where the database undid only that statement (MySQL,
   * SQLite) the transaction may go on; PostgreSQL's stays rollback-only, which is why saves there run in a
   * savepoint. @internal
   */
  acknowledgeFailure(error: unknown): void {
    this.#transactions.acknowledgeFailure(error);
  }

  /**
   * Makes the caller's transaction rollback-only with `error` as the reason (nothing outside one): when its
   * callback returns, it rolls back and rejects with TransactionError. @internal
   */
  markRollbackOnly(error: unknown): void {
    this.#transactions.markRollbackOnly(error);
  }

  /** True while the caller runs inside a transaction of this pool. */
  get inTransaction(): boolean {
    return this.#transactions.active;
  }

  /**
   * An object standing for the transaction of this pool the caller runs in (the same one at every nesting
   * level, and after it has ended), or undefined outside one: work in a transaction's scope, even a finished
   * one (whose statements will be refused), must not be merged with other callers'. @internal
   */
  transactionToken(): object | undefined {
    return this.#transactions.token();
  }

  /** Registers `participant` with the caller's transaction, told how it ended; false outside one. @internal */
  enlist(key: object, participant: TransactionParticipant): boolean {
    return this.#transactions.enlist(key, participant);
  }

  /**
   * Runs `work` outside any transaction of this pool, e.g. background work started from inside a
   * transaction that must outlive it: its statements run on their own, autocommitted.
   */
  outsideTransaction<T>(work: () => T): T {
    return this.#transactions.outside(work);
  }

  /**
   * Runs `work` in one transaction: commits when it resolves, rolls back and rejects with its error when
   * it throws. Inside another transaction of this pool it becomes a savepoint (which takes no `isolation`).
   */
  runInteraction<T>(work: (txn: Transaction) => Promise<T> | T, options?: InteractionOptions): Promise<T> {
    return this.#transactions.run(work, options?.isolation);
  }

  /**
   * The full result of one statement, on the current transaction's connection if there is one. With
   * `single`, the caller wants at most one row (a driver may then read just one).
   */
  async execute(sql: string, params: readonly unknown[] = [], single = false): Promise<QueryResult> {
    const compiled = this.#check(sql, params);
    const frame = this.#transactions.frame();
    if (frame !== undefined) return this.#transactions.runIn(frame, compiled.text, sql, params);
    if (this.#replicas !== null && isReadOnly(sql) && this.#onPrimary.getStore() !== true) {
      const replica = this.#replicas.pick();
      if (replica !== undefined) {
        try {
          return await replica.execute(sql, params, single);
        } catch (error) {
          // A replica that cannot be reached is skipped for a while; its read goes to the primary.
          if (!isUnreachable(error)) throw error;
          this.#replicas.markDown(replica);
        }
      }
    }
    const connection = this.#resources.tryAcquire() ?? (await this.#resources.acquire());
    try {
      return await this.#runPooled(connection, compiled.text, sql, params, single);
    } catch (error) {
      // A statement that never reached the server, or a read, is sent once more on a fresh connection.
      if (!(error instanceof ConnectionLostError) || (error.outcomeUnknown && !isReadOnly(sql))) throw error;
    }
    return this.#runPooled(await this.#resources.acquire(), compiled.text, sql, params, single);
  }

  /** Closes every connection (the replicas' too); queries waiting for one fail. */
  async close(): Promise<void> {
    await Promise.all([this.#resources.close(), this.#replicas?.close()]);
  }

  /**
   * One statement on a pooled connection, which then goes back to the pool: closed instead when the
   * statement changed its session or the connection was lost.
   */
  async #runPooled(
    connection: DriverConnection,
    text: string,
    sql: string,
    params: readonly unknown[],
    single: boolean,
  ): Promise<QueryResult> {
    try {
      const result = await this.#run(connection, text, sql, params, single);
      this.#resources.release(connection, this.#changesSession(sql));
      return result;
    } catch (error) {
      this.#resources.release(connection, error instanceof ConnectionLostError);
      throw error;
    }
  }

  /**
   * A connection with a transaction begun on it, at `isolation` if given; a connection found dead while
   * beginning is replaced once, and the statements are sent again on the new one.
   */
  async #begin(isolation: IsolationLevel | undefined): Promise<DriverConnection> {
    const statements = this.#beginStatements(isolation);
    for (let attempt = 1; ; attempt++) {
      const connection = await this.#resources.acquire();
      try {
        for (const sql of statements) await this.#control(connection, sql);
        return connection;
      } catch (error) {
        // Closed whichever statement failed: MySQL's SET TRANSACTION, once sent, would set the isolation of
        // the connection's next transaction, whoever runs it.
        this.#resources.release(connection, true);
        if (attempt > 1 || !(error instanceof ConnectionLostError)) throw error;
      }
    }
  }

  /** The statements that begin a transaction (see Dialect.beginTransactionAt); nothing is sent yet. */
  #beginStatements(isolation: IsolationLevel | undefined): readonly string[] {
    if (isolation === undefined) return [this.dialect.beginTransaction];
    if (this.dialect.beginTransactionAt === undefined)
      throw new TransactionError(
        `${this.dialect.displayName} cannot begin a transaction at an isolation level (its dialect has no ` +
          `beginTransactionAt), so isolation: '${isolation}' is refused; leave it out for the database's default.`,
      );
    return this.dialect.beginTransactionAt(isolation);
  }

  /** Nothing is sent unless every `?` has a value and every value is a scalar. */
  #check(sql: string, params: readonly unknown[]): CompiledSql {
    if (typeof sql !== 'string') throw new InvalidQueryError(`SQL must be a string, got ${typeof sql}.`);
    if (!Array.isArray(params)) throw new InvalidQueryError('Parameters must be an array of values.');
    const compiled = this.dialect.compile(sql);
    assertParameterCount(sql, compiled.placeholders, params);
    checkParameters(params, sql, this.dialect.dateRange);
    return compiled;
  }

  #control(connection: DriverConnection, sql: string): Promise<QueryResult> {
    return this.#run(connection, sql, sql, [], false, false);
  }

  async #run(
    connection: DriverConnection,
    text: string,
    sql: string,
    params: readonly unknown[],
    single = false,
    cancellable = true,
  ): Promise<QueryResult> {
    const observed = queryLog.enabled || this.listenerCount('query') > 0;
    const started = observed ? performance.now() : 0;
    try {
      const pending = connection.execute(text, params, single);
      // In-process SQLite answers at once: no await (each one costs a promise, and a hook while the
      // transaction context is tracked).
      const result = !(pending instanceof Promise)
        ? pending
        : this.#statementTimeoutMs === undefined || !cancellable
          ? await pending
          : await withStatementTimeout(connection, pending, this.#statementTimeoutMs, sql, params);
      if (observed) this.#observe(sql, params, started);
      return result;
    } catch (error) {
      if (observed) this.#observe(sql, params, started, error);
      if (error instanceof TwistarError) throw error;
      throw translateError(this.dialect, error, sql, params);
    }
  }

  /** A connection that holds the database itself (SQLite's `:memory:`) is never replaced. */
  #changesSession(sql: string): boolean {
    return !this.#keepConnections && SESSION_CHANGE.test(sql);
  }

  #observe(sql: string, params: readonly unknown[], started: number, error?: unknown): void {
    const durationMs = performance.now() - started;
    if (queryLog.enabled) queryLog.logger(formatStatement(sql, params, durationMs));
    this.emit(
      'query',
      error === undefined ? { sql, params, durationMs } : { sql, params, durationMs, error },
    );
  }
}

/**
 * Statements after which a pooled connection is no longer like the others (a session setting, a schema or
 * database switched, a transaction or lock left open): the connection is closed rather than reused.
 */
const SESSION_CHANGE =
  /^\s*(SET(?!\s+(LOCAL|TRANSACTION|STATEMENT)\b)|USE|BEGIN|START|LOCK|UNLOCK|PREPARE|DECLARE|LISTEN|CREATE\s+TEMP|PRAGMA|ATTACH|DETACH)\b/i;
