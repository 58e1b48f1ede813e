import { AsyncLocalStorage } from 'node:async_hooks';
import { currentContext, runInContext, type ContextEntry } from './context.js';
import { EventEmitter } from 'node:events';
import {
  CommitOutcomeUnknownError,
  ConnectionError,
  ConnectionLostError,
  NodeUnavailableError,
  DeadlockError,
  InvalidQueryError,
  QueryError,
  SerializationError,
  StatementTimeoutError,
  TransactionError,
  TwistarError,
  ValueOutOfRangeError,
  CharacterSetError,
  ValueTooLargeError,
  constraintClassOf,
  messageOf,
} from '../errors.js';
import type { Dialect, DialectName } from '../dialects/dialect.js';
import { assertParameterCount, type CompiledSql } from '../sql/placeholders.js';
import { checkParameters } from '../sql/values.js';
import { ownProperties } from '../options.js';
import type { DriverConnection, QueryResult, Row } from './driver.js';
import { formatStatement, queryLog } from './query-log.js';
import { driverFor } from './drivers.js';
import { errorKind } from './error-kinds.js';
import type { PoolOptions } from './pool-options.js';
import { ReplicaSet, isReadOnly, isUnreachable } from './replicas.js';
import { ResourcePool, type PoolStats } from './resource-pool.js';

export type { PoolOptions } from './pool-options.js';
export type { PoolStats } from './resource-pool.js';

/** The `'query'` event: one per statement executed, including BEGIN, COMMIT and savepoints. */
export interface QueryEvent {
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly durationMs: number;
  /** Set when the statement failed. */
  readonly error?: unknown;
}

/** What `runOperation` resolves to. */
export interface OperationResult {
  readonly affectedRows: number;
  readonly insertId: number | bigint | string | null;
}

/** The handle `runInteraction` passes to its callback: statements on the transaction's own connection. */
export interface Transaction {
  readonly pool: ConnectionPool;
  runQuery(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  runOperation(sql: string, params?: readonly unknown[]): Promise<OperationResult>;
}

interface TransactionState {
  readonly connection: DriverConnection;
  /** Savepoint names given so far (each nested transaction takes the next). */
  savepoints: number;
  /** The nested transactions open now, outermost first. */
  readonly open: Nested[];
  active: boolean;
  /**
   * The error that made the transaction rollback-only: a statement failed (and no savepoint around it was
   * rolled back), or a savepoint could not be rolled back. Null while it can commit.
   */
  aborted: unknown;
  /** A statement changed the session (SET, USE, …): the connection is closed afterwards, not reused. */
  sessionChanged: boolean;
}

/**
 * Where a piece of work runs in a transaction: the transaction, and how many nested transactions (savepoints)
 * around it; the AsyncLocalStorage carries one per level.
 */
interface Frame extends ContextEntry {
  readonly pool: ConnectionPool;
  readonly state: TransactionState;
  readonly depth: number;
  /** This level's nested transaction in `state.open` (none at the top). */
  readonly entry: Nested | null;
  readonly handle: Transaction;
}

/** A nested transaction while it is open: `done` settles once it has ended (or was abandoned). */
interface Nested {
  readonly done: Promise<void>;
  readonly end: () => void;
}

function nested(): Nested {
  let end!: () => void;
  const done = new Promise<void>((resolve) => (end = resolve));
  return { done, end };
}

/**
 * Ends the nested transactions from `depth` on (work left running inside a transaction that has ended): their
 * frames are no longer current, so nothing of theirs is sent any more, and whatever waits for them goes on.
 */
function abandon(state: TransactionState, depth: number): void {
  for (const entry of state.open.splice(depth)) entry.end();
}

/** For a transaction whose callback returned while a nested transaction it started was still running. */
function unawaitedError(): TransactionError {
  return new TransactionError(
    'A nested transaction() started in this transaction was still running when its callback returned, so ' +
      'the transaction was rolled back rather than commit part of that work. Await every nested transaction.',
  );
}

/** Work that `outsideTransaction()` runs: no transaction of `pool`, whatever surrounds it. */
interface Outside extends ContextEntry {
  readonly pool: ConnectionPool;
  readonly state: null;
}

type Scope = Frame | Outside;

export interface ConnectionPoolEvents {
  query: [QueryEvent];
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
  readonly #replicas: ReplicaSet<ConnectionPool> | null;
  /** Set inside `primary(…)`: reads stay on the primary. */
  readonly #onPrimary = new AsyncLocalStorage<true>();

  constructor(kind: DialectName, given: PoolOptions = {}) {
    super();
    // Own properties only: an option inherited from a polluted Object.prototype is no option.
    const options = ownProperties(given);
    const driver = driverFor(kind, options);
    this.dialect = driver.dialect;
    this.synchronous = driver.synchronous === true;
    const timeout = options.statementTimeoutMs;
    if (timeout !== undefined && (!Number.isInteger(timeout) || timeout < 1))
      throw new ConnectionError(`statementTimeoutMs must be a positive integer, got ${String(timeout)}.`);
    if (timeout !== undefined && kind === 'sqlite')
      throw new ConnectionError(
        'statementTimeoutMs is for PostgreSQL and MySQL: SQLite cannot cancel a statement.',
      );
    this.#statementTimeoutMs = timeout;
    // In-process SQLite is one connection (writers serialise anyway); in worker mode, one per worker.
    const max = kind === 'sqlite' ? driver.defaultPoolSize : (options.max ?? driver.defaultPoolSize);
    if (!Number.isInteger(max) || max < 1)
      throw new ConnectionError(`Pool size must be a positive integer, got ${max}.`);
    this.#resources = new ResourcePool(() => driver.connect(), max, options.acquireTimeoutMs ?? 30_000);
    const { replicas, replicaRetryMs = 5_000, ...rest } = options;
    if (replicas !== undefined && replicas.length > 0) {
      if (kind === 'sqlite')
        throw new ConnectionError('SQLite has no replicas; replicas are for PostgreSQL and MySQL.');
      const pools = replicas.map((url) => new ConnectionPool(kind, { ...rest, url }));
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
    const state = this.#scopeFrame()?.state;
    if (state !== undefined && state.aborted === error && !this.dialect.abortsTransactionOnError)
      state.aborted = null;
  }

  /**
   * Makes the caller's transaction rollback-only with `error` as the reason (nothing outside one): when its
   * callback returns, it rolls back and rejects with TransactionError. @internal
   */
  markRollbackOnly(error: unknown): void {
    const state = this.#scopeFrame()?.state;
    if (state !== undefined && state.active && state.aborted === null) state.aborted = error;
  }

  /** True while the caller runs inside a transaction of this pool. */
  get inTransaction(): boolean {
    return this.#scopeFrame()?.state.active === true;
  }

  /**
   * An object standing for the transaction of this pool the caller runs in (the same one at every nesting
   * level, and after it has ended), or undefined outside one: work in a transaction's scope, even a finished
   * one (whose statements will be refused), must not be merged with other callers'. @internal
   */
  transactionToken(): object | undefined {
    return this.#scopeFrame()?.state;
  }

  /**
   * Runs `work` outside any transaction of this pool, e.g. background work started from inside a
   * transaction that must outlive it: its statements run on their own, autocommitted.
   */
  outsideTransaction<T>(work: () => T): T {
    const outside: Outside = { pool: this, outer: currentContext(), state: null };
    return runInContext(outside, work);
  }

  /**
   * The full result of one statement, on the current transaction's connection if there is one. With
   * `single`, the caller wants at most one row (a driver may then read just one).
   */
  async execute(sql: string, params: readonly unknown[] = [], single = false): Promise<QueryResult> {
    const compiled = this.#check(sql, params);
    const frame = this.#scopeFrame();
    if (frame !== undefined) return this.#inTransaction(frame, compiled.text, sql, params);
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
   * Runs `work` in one transaction: commits when it resolves, rolls back and rejects with its error when
   * it throws. Inside another transaction of this pool it becomes a savepoint.
   */
  async runInteraction<T>(work: (txn: Transaction) => Promise<T> | T): Promise<T> {
    const outer = this.#scopeFrame();
    if (outer !== undefined) {
      // Started by work of a transaction that has ended: it must not run apart from it either.
      if (!this.#current(outer)) throw finishedError();
      return this.#savepoint(outer, work);
    }
    const connection = await this.#begin();
    const state: TransactionState = {
      connection,
      savepoints: 0,
      open: [],
      active: true,
      aborted: null,
      sessionChanged: false,
    };
    const frame = this.#frame(state, 0, null);
    let result: T;
    try {
      result = await runInContext(frame, () => work(frame.handle));
    } catch (error) {
      state.active = false;
      abandon(state, 0);
      await this.#rollbackAndRelease(connection, state.sessionChanged);
      throw error;
    }
    state.active = false;
    const unawaited = state.open.length > 0;
    abandon(state, 0);
    if (state.aborted !== null || unawaited) {
      await this.#rollbackAndRelease(connection, state.sessionChanged);
      throw unawaited ? unawaitedError() : rolledBackError(state.aborted);
    }
    try {
      await this.#control(connection, 'COMMIT');
    } catch (error) {
      if (error instanceof ConnectionLostError) {
        // The server may have committed before the connection broke: never guess, never reuse it.
        this.#resources.release(connection, true);
        throw new CommitOutcomeUnknownError(
          'The connection was lost during COMMIT, so the outcome of the transaction is unknown: check the data ' +
            'before running it again.',
          { cause: error },
        );
      }
      // COMMIT refused (e.g. a deferred constraint or a serialisation failure): nothing was committed.
      await this.#rollbackAndRelease(connection, false);
      throw new TransactionError(`COMMIT was refused, so nothing was committed: ${messageOf(error)}`, {
        cause: error,
      });
    }
    this.#resources.release(connection, state.sessionChanged);
    return result;
  }

  #frame(state: TransactionState, depth: number, entry: Nested | null): Frame {
    const outer = currentContext();
    const frame: Frame = { pool: this, outer, state, depth, entry, handle: this.#handle(() => frame) };
    return frame;
  }

  /** The frame of this pool's transaction the running work belongs to (even one that has ended), if any. */
  #scopeFrame(): Frame | undefined {
    for (let entry = currentContext(); entry !== undefined; entry = entry.outer) {
      const scope = entry as Partial<Scope>;
      if (scope.pool === this) return scope.state === null ? undefined : (scope as Frame);
    }
    return undefined;
  }

  /** False when the frame's transaction, or the nested transaction it ran in, has ended. */
  #current({ state, depth, entry }: Frame): boolean {
    return state.active && (depth === 0 || state.open[depth - 1] === entry);
  }

  /** Rolls back and returns the connection; closes it when ROLLBACK failed or `discard` says so. */
  async #rollbackAndRelease(connection: DriverConnection, discard: boolean): Promise<void> {
    const rolledBack = await this.#control(connection, 'ROLLBACK').then(
      () => true,
      () => false,
    );
    this.#resources.release(connection, discard || !rolledBack);
  }

  /** A connection with a transaction begun on it; a connection found dead on BEGIN is replaced once. */
  async #begin(): Promise<DriverConnection> {
    for (let attempt = 1; ; attempt++) {
      const connection = await this.#resources.acquire();
      try {
        await this.#control(connection, this.dialect.beginTransaction);
        return connection;
      } catch (error) {
        this.#resources.release(connection, true);
        if (attempt > 1 || !(error instanceof ConnectionLostError)) throw error;
      }
    }
  }

  /** Closes every connection (the replicas' too); queries waiting for one fail. */
  async close(): Promise<void> {
    await Promise.all([this.#resources.close(), this.#replicas?.close()]);
  }

  /**
   * A nested transaction: a savepoint, released when `work` resolves and rolled back when it throws, or when a
   * statement failed inside it (then it rejects with TransactionError and the transaction around it goes on).
   * Nested transactions started side by side in one transaction run one after the other.
   */
  async #savepoint<T>(outer: Frame, work: (txn: Transaction) => Promise<T> | T): Promise<T> {
    const { state } = outer;
    // Claimed in the same turn as the check, so that two waiting nested transactions cannot both start.
    while (state.open.length > outer.depth) await state.open[state.open.length - 1]?.done;
    if (!this.#current(outer)) throw finishedError();
    const entry = nested();
    state.open.push(entry);
    try {
      return await this.#inSavepoint(outer, entry, work);
    } finally {
      // Its own entry, and those of nested transactions it left running (their savepoints ended with its own).
      const at = state.open.indexOf(entry);
      if (at >= 0) abandon(state, at);
      entry.end();
    }
  }

  async #inSavepoint<T>(outer: Frame, entry: Nested, work: (txn: Transaction) => Promise<T> | T): Promise<T> {
    const { state } = outer;
    const name = `twistar_sp_${++state.savepoints}`;
    const abortedBefore = state.aborted;
    if (abortedBefore !== null) throw canOnlyRollBackError(abortedBefore);
    await this.#savepointControl(state, `SAVEPOINT ${name}`);
    const frame = this.#frame(state, outer.depth + 1, entry);
    let outcome: { readonly value: T } | { readonly error: unknown };
    try {
      const value = await runInContext(frame, () => work(frame.handle));
      outcome =
        state.open.length > frame.depth
          ? { error: unawaitedError() }
          : state.aborted === abortedBefore
            ? { value }
            : { error: rolledBackError(state.aborted) };
    } catch (error) {
      outcome = { error };
    }
    // Ended with the transaction around it (or its own parent): its savepoint is gone, and the connection
    // may already serve another transaction, so nothing more is sent.
    if (!this.#current(frame)) throw 'error' in outcome ? outcome.error : finishedError();
    abandon(state, frame.depth);
    if ('error' in outcome) {
      try {
        await this.#control(state.connection, `ROLLBACK TO SAVEPOINT ${name}`);
        await this.#control(state.connection, `RELEASE SAVEPOINT ${name}`);
        state.aborted = abortedBefore;
      } catch (rollbackError) {
        // The savepoint could not be undone: the outer transaction must not commit.
        state.aborted = rollbackError;
      }
      throw outcome.error;
    }
    await this.#savepointControl(state, `RELEASE SAVEPOINT ${name}`);
    return outcome.value;
  }

  /** SAVEPOINT or RELEASE: when it fails, the transaction can only roll back (PostgreSQL has aborted it). */
  async #savepointControl(state: TransactionState, sql: string): Promise<void> {
    try {
      await this.#control(state.connection, sql);
    } catch (error) {
      if (state.aborted === null) state.aborted = error;
      throw error;
    }
  }

  #handle(frame: () => Frame): Transaction {
    return {
      pool: this,
      runQuery: async (sql, params = []) => (await this.#onTransaction(frame(), sql, params)).rows,
      runOperation: async (sql, params = []) => {
        const { affectedRows, insertId } = await this.#onTransaction(frame(), sql, params);
        return { affectedRows, insertId };
      },
    };
  }

  #onTransaction(frame: Frame, sql: string, params: readonly unknown[]): Promise<QueryResult> {
    return this.#inTransaction(frame, this.#check(sql, params).text, sql, params);
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

  async #inTransaction(
    frame: Frame,
    text: string,
    sql: string,
    params: readonly unknown[],
  ): Promise<QueryResult> {
    const { state } = frame;
    // A nested transaction started by other work of this transaction is open on the one connection: a write
    // sent meanwhile would be rolled back with it, so it waits (and is sent in the same turn as the check).
    // Reads go ahead: they may serve that nested transaction too (a shared column lookup, a batched load).
    if (!isReadOnly(sql))
      while (state.open.length > frame.depth) await state.open[state.open.length - 1]?.done;
    if (!this.#current(frame)) throw finishedError();
    if (state.aborted !== null) throw canOnlyRollBackError(state.aborted);
    if (this.#changesSession(sql)) state.sessionChanged = true;
    try {
      return await this.#run(state.connection, text, sql, params);
    } catch (error) {
      // PostgreSQL refuses the rest of such a transaction; MySQL and SQLite would commit the rest. Either
      // way the transaction may only roll back (unless a savepoint around the statement is rolled back).
      if (state.aborted === null) state.aborted = error;
      throw error;
    }
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
          : await this.#timed(connection, pending, sql, params);
      if (observed) this.#observe(sql, params, started);
      return result;
    } catch (error) {
      if (observed) this.#observe(sql, params, started, error);
      if (error instanceof TwistarError) throw error;
      throw this.#wrap(error, sql, params);
    }
  }

  /**
   * `pending`, unless it runs past `statementTimeoutMs`: then the server is asked to cancel it and the caller
   * gets StatementTimeoutError once it has stopped. A connection whose statement does not stop within a
   * second more is closed.
   */
  async #timed(
    connection: DriverConnection,
    pending: Promise<QueryResult>,
    sql: string,
    params: readonly unknown[],
  ): Promise<QueryResult> {
    const limit = this.#statementTimeoutMs ?? 0;
    let cancelled = false;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        cancelled = true;
        void connection.cancel?.().catch(() => undefined);
        timer = setTimeout(() => {
          void connection.close();
          reject(new Error('the server did not stop the statement'));
        }, 1_000);
      }, limit);
    });
    const timedOut = (cause: unknown) =>
      new StatementTimeoutError(
        `The statement ran longer than statementTimeoutMs (${limit} ms) and was cancelled. (SQL: ${sql})`,
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

  /** SQLite's one connection is the database itself (`:memory:` lives in it): it is never replaced. */
  #changesSession(sql: string): boolean {
    return this.dialect.name !== 'sqlite' && SESSION_CHANGE.test(sql);
  }

  /** The typed error for a driver's error. */
  #wrap(error: unknown, sql: string, params: readonly unknown[]): Error {
    const reason = messageOf(error);
    switch (errorKind(this.dialect.name, error)) {
      case 'deadlock':
        return new DeadlockError(`Deadlock: ${reason} (SQL: ${sql})`, sql, params, error);
      case 'serialization':
        return new SerializationError(`${reason} (SQL: ${sql})`, sql, params, error);
      case 'timeout':
        return new StatementTimeoutError(`Statement cancelled: ${reason} (SQL: ${sql})`, sql, params, error);
      case 'unsent':
        return new ConnectionLostError(
          `The connection was lost before the statement was sent: ${reason} (SQL: ${sql})`,
          sql,
          params,
          false,
          error,
        );
      case 'unavailable':
        return new NodeUnavailableError(
          `The server cannot serve applications now, so the statement did not run: ${reason}. Send it to ` +
            `another node, or wait until this one is back in its cluster. (SQL: ${sql})`,
          sql,
          params,
          false,
          error,
        );
      case 'lost':
        return new ConnectionLostError(
          `The connection was lost while the statement ran, so whether it took effect is unknown: ${reason} (SQL: ${sql})`,
          sql,
          params,
          true,
          error,
        );
      case 'range':
        return new ValueOutOfRangeError(`${reason} (SQL: ${sql})`, sql, params, error);
      case 'tooLarge':
        return new ValueTooLargeError(`${reason} (SQL: ${sql})`, sql, params, error);
      case 'charset':
        return new CharacterSetError(
          `${reason}: the column's character set cannot hold this text; change the column to utf8mb4 or leave ` +
            `the character out. (SQL: ${sql})`,
          sql,
          params,
          error,
        );
      default: {
        const ErrorClass = constraintClassOf(error) ?? QueryError;
        return new ErrorClass(`${reason} (SQL: ${sql})`, sql, params, error);
      }
    }
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

/** For work of a transaction (or nested transaction) that has ended. */
function finishedError(): TransactionError {
  return new TransactionError(
    'This transaction has already finished; work started inside it (not awaited: a late save(), a timer, an ' +
      'event listener) cannot run in it, nor on its own. Await every query inside the transaction callback, or ' +
      'start background work with pool.outsideTransaction(…).',
  );
}

/** For a statement in a transaction that a failed statement made rollback-only. */
function canOnlyRollBackError(cause: unknown): TransactionError {
  return new TransactionError(
    `This transaction can only roll back: a statement in it failed (${messageOf(cause)}). To go on ` +
      'after a statement that may fail, run that statement in a nested transaction() (a savepoint).',
    { cause },
  );
}

/** A transaction that ended normally although a statement in it failed: it was rolled back. */
function rolledBackError(cause: unknown): TransactionError {
  return new TransactionError(
    `The transaction was rolled back: a statement in it failed (${messageOf(cause)}) and committing ` +
      'the rest would keep only part of the work, even though the error was caught. To go on after a ' +
      'statement that may fail, run that statement in a nested transaction() (a savepoint).',
    { cause },
  );
}

/**
 * Statements after which a pooled connection is no longer like the others (a session setting, a schema or
 * database switched, a transaction or lock left open): the connection is closed rather than reused.
 */
const SESSION_CHANGE =
  /^\s*(SET(?!\s+(LOCAL|TRANSACTION|STATEMENT)\b)|USE|BEGIN|START|LOCK|UNLOCK|PREPARE|DECLARE|LISTEN|CREATE\s+TEMP|PRAGMA|ATTACH|DETACH)\b/i;
