import { ConnectionLostError } from '../errors.js';
import type { DriverConnection, QueryResult } from '../dialects/driver.js';
import { isolationLevel, type IsolationLevel } from '../dialects/isolation-level.js';
import { currentContext, runInContext } from './context.js';
import { isReadOnly } from './replicas.js';
import {
  abandon,
  canOnlyRollBackError,
  commitLostError,
  commitRefusedError,
  current,
  finishedError,
  nested,
  nestedIsolationError,
  rolledBackError,
  transactionState,
  unawaitedError,
  type Frame,
  type Nested,
  type Outside,
  type ScopeHost,
  type TransactionHandle,
  type TransactionState,
} from './transaction-state.js';
import {
  enlistIn,
  finishCommitted,
  finishRolledBack,
  hasParticipants,
  keep,
  undo,
  type TransactionParticipant,
} from './transaction-participants.js';

export type { Frame, ScopeHost, TransactionHandle } from './transaction-state.js';
export type { TransactionParticipant } from './transaction-participants.js';

/**
 * The transactions of one pool: which one the running work belongs to (found through AsyncLocalStorage, so that
 * concurrent work outside stays outside), nested transactions as savepoints run one at a time, and the rule that
 * a transaction in which a statement failed can only roll back.
 */
export class TransactionScope<Owner> {
  readonly #host: ScopeHost<Owner>;

  constructor(host: ScopeHost<Owner>) {
    this.#host = host;
  }

  /** The frame of this pool's transaction the running work belongs to (even one that has ended), if any. */
  frame(): Frame<Owner> | undefined {
    const pool = this.#host.owner;
    for (let entry = currentContext(); entry !== undefined; entry = entry.outer) {
      const scope = entry as Partial<Frame<Owner> | Outside<Owner>>;
      if (scope.pool === pool) return scope.state === null ? undefined : (scope as Frame<Owner>);
    }
    return undefined;
  }

  /** True while the caller runs inside a transaction of this pool. */
  get active(): boolean {
    return this.frame()?.state.active === true;
  }

  /** An object standing for the caller's transaction, the same at every level and after it ended; see the pool's. */
  token(): object | undefined {
    return this.frame()?.state;
  }

  /** See ConnectionPool.acknowledgeFailure. */
  acknowledgeFailure(error: unknown): void {
    const state = this.frame()?.state;
    if (state !== undefined && state.aborted === error && !this.#host.abortsTransactionOnError)
      state.aborted = null;
  }

  /** See ConnectionPool.markRollbackOnly. */
  markRollbackOnly(error: unknown): void {
    const state = this.frame()?.state;
    if (state !== undefined && state.active && state.aborted === null) state.aborted = error;
  }

  /** Runs `work` outside any transaction of this pool. */
  outside<T>(work: () => T): T {
    const outside: Outside<Owner> = { pool: this.#host.owner, outer: currentContext(), state: null };
    return runInContext(outside, work);
  }

  /**
   * Runs `work` in one transaction, at `isolation` if given: commits when it resolves, rolls back and rejects
   * with its error when it throws. Inside another transaction of this pool it becomes a savepoint, which
   * refuses an `isolation`.
   */
  async run<T>(
    work: (txn: TransactionHandle<Owner>) => Promise<T> | T,
    isolation?: IsolationLevel,
  ): Promise<T> {
    if (isolation !== undefined) isolationLevel(isolation);
    const outer = this.frame();
    if (outer !== undefined) {
      if (isolation !== undefined) throw nestedIsolationError(isolation);
      // Started by work of a transaction that has ended: it must not run apart from it either.
      if (!current(outer)) throw finishedError();
      return this.#savepoint(outer, work);
    }
    const host = this.#host;
    const connection = await host.begin(isolation);
    const state = transactionState(connection);
    const frame = this.#frame(state, 0, null);
    let result: T;
    try {
      result = await runInContext(frame, () => work(frame.handle));
    } catch (error) {
      state.active = false;
      abandon(state, 0);
      await this.#rollbackAndRelease(connection, state.sessionChanged);
      return this.#rolledBack(state, error);
    }
    state.active = false;
    const unawaited = state.open.length > 0;
    abandon(state, 0);
    if (state.aborted !== null || unawaited) {
      await this.#rollbackAndRelease(connection, state.sessionChanged);
      return this.#rolledBack(state, unawaited ? unawaitedError() : rolledBackError(state.aborted));
    }
    try {
      await host.control(connection, 'COMMIT');
    } catch (error) {
      if (error instanceof ConnectionLostError) {
        // The server may have committed before the connection broke: never guess, never reuse it (and run
        // neither afterCommit nor afterRollback).
        host.release(connection, true);
        throw commitLostError(error);
      }
      // COMMIT refused (e.g. a deferred constraint or a serialisation failure): nothing was committed.
      await this.#rollbackAndRelease(connection, false);
      return this.#rolledBack(state, commitRefusedError(error));
    }
    host.release(connection, state.sessionChanged);
    // The hooks of what was written run outside the transaction, before the caller goes on.
    if (hasParticipants(state)) await finishCommitted(state);
    return result;
  }

  /** Enlists `participant` with the caller's transaction at its savepoint level; false outside one. */
  enlist(key: object, participant: TransactionParticipant): boolean {
    const frame = this.frame();
    if (frame === undefined) return false;
    // A transaction that has ended takes no write, so this is never reached for one.
    if (current(frame)) enlistIn(frame.entry ?? frame.state, key, participant);
    return true;
  }

  /** After ROLLBACK: the afterRollback hooks run, then the transaction rejects with `reason`. */
  async #rolledBack(state: TransactionState, reason: unknown): Promise<never> {
    if (hasParticipants(state)) await finishRolledBack(state, reason);
    throw reason;
  }

  /** Runs a statement (checked, `text` for the driver) in the transaction of `frame`. */
  async runIn(
    frame: Frame<Owner>,
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
    if (!current(frame)) throw finishedError();
    if (state.aborted !== null) throw canOnlyRollBackError(state.aborted);
    if (this.#host.changesSession(sql)) state.sessionChanged = true;
    try {
      return await this.#host.run(state.connection, text, sql, params);
    } catch (error) {
      // PostgreSQL refuses the rest of such a transaction; MySQL and SQLite would commit the rest. Either
      // way the transaction may only roll back (unless a savepoint around the statement is rolled back).
      if (state.aborted === null) state.aborted = error;
      throw error;
    }
  }

  #frame(state: TransactionState, depth: number, entry: Nested | null): Frame<Owner> {
    const outer = currentContext();
    const frame: Frame<Owner> = {
      pool: this.#host.owner,
      outer,
      state,
      depth,
      entry,
      handle: this.#handle(() => frame),
    };
    return frame;
  }

  #handle(frame: () => Frame<Owner>): TransactionHandle<Owner> {
    const statement = (sql: string, params: readonly unknown[]) =>
      this.runIn(frame(), this.#host.check(sql, params), sql, params);
    return {
      pool: this.#host.owner,
      runQuery: async (sql, params = []) => (await statement(sql, params)).rows,
      runOperation: async (sql, params = []) => {
        const { affectedRows, insertId } = await statement(sql, params);
        return { affectedRows, insertId };
      },
    };
  }

  /** Rolls back and returns the connection; closes it when ROLLBACK failed or `discard` says so. */
  async #rollbackAndRelease(connection: DriverConnection, discard: boolean): Promise<void> {
    const rolledBack = await this.#host.control(connection, 'ROLLBACK').then(
      () => true,
      () => false,
    );
    this.#host.release(connection, discard || !rolledBack);
  }

  /**
   * A nested transaction: a savepoint, released when `work` resolves and rolled back when it throws, or when a
   * statement failed inside it (then it rejects with TransactionError and the transaction around it goes on).
   * Nested transactions started side by side in one transaction run one after the other.
   */
  async #savepoint<T>(
    outer: Frame<Owner>,
    work: (txn: TransactionHandle<Owner>) => Promise<T> | T,
  ): Promise<T> {
    const { state } = outer;
    // Claimed in the same turn as the check, so that two waiting nested transactions cannot both start.
    while (state.open.length > outer.depth) await state.open[state.open.length - 1]?.done;
    if (!current(outer)) throw finishedError();
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

  async #inSavepoint<T>(
    outer: Frame<Owner>,
    entry: Nested,
    work: (txn: TransactionHandle<Owner>) => Promise<T> | T,
  ): Promise<T> {
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
    if (!current(frame)) throw 'error' in outcome ? outcome.error : finishedError();
    abandon(state, frame.depth);
    if ('error' in outcome) {
      undo(state, entry);
      try {
        await this.#host.control(state.connection, `ROLLBACK TO SAVEPOINT ${name}`);
        await this.#host.control(state.connection, `RELEASE SAVEPOINT ${name}`);
        state.aborted = abortedBefore;
      } catch (rollbackError) {
        // The savepoint could not be undone: the outer transaction must not commit.
        state.aborted = rollbackError;
      }
      throw outcome.error;
    }
    try {
      await this.#savepointControl(state, `RELEASE SAVEPOINT ${name}`);
    } catch (error) {
      // The transaction can only roll back now.
      undo(state, entry);
      throw error;
    }
    keep(outer.entry ?? state, entry);
    return outcome.value;
  }

  /** SAVEPOINT or RELEASE: when it fails, the transaction can only roll back (PostgreSQL has aborted it). */
  async #savepointControl(state: TransactionState, sql: string): Promise<void> {
    try {
      await this.#host.control(state.connection, sql);
    } catch (error) {
      if (state.aborted === null) state.aborted = error;
      throw error;
    }
  }
}
