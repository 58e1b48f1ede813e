import { CommitOutcomeUnknownError, TransactionError, messageOf } from '../errors.js';
import type { DriverConnection, OperationResult, QueryResult, Row } from '../dialects/driver.js';
import type { IsolationLevel } from '../dialects/isolation-level.js';
import type { ContextEntry } from './context.js';
import { undo, type Level, type TopLevel } from './transaction-participants.js';

/*
 * The state of one transaction and its nested ones (savepoints), and the errors of the rules transactions keep:
 * work of an ended transaction sends nothing, a failed statement makes the transaction rollback-only, and a
 * nested transaction left running when its parent returns rolls the parent back.
 */

/** What transactions need of the pool they belong to. */
export interface ScopeHost<Owner> {
  /** The pool: the key of its transactions in the context, and the handle's `pool`. */
  readonly owner: Owner;
  /** After a failed statement the database refuses the rest of the transaction (PostgreSQL). */
  readonly abortsTransactionOnError: boolean;
  /** A connection with a transaction begun on it, at `isolation` if given. */
  begin(isolation: IsolationLevel | undefined): Promise<DriverConnection>;
  /** Gives a connection back to the pool; `discard` closes it instead. */
  release(connection: DriverConnection, discard: boolean): void;
  /** Checks a statement and its parameters; resolves to the text the driver takes. */
  check(sql: string, params: readonly unknown[]): string;
  /** Runs a checked statement (`text` for the driver, `sql` as the caller wrote it, for errors and logs). */
  run(
    connection: DriverConnection,
    text: string,
    sql: string,
    params: readonly unknown[],
  ): Promise<QueryResult>;
  /** Runs BEGIN, COMMIT, ROLLBACK or a savepoint statement (never cancelled). */
  control(connection: DriverConnection, sql: string): Promise<QueryResult>;
  /** The statement changes its connection's session (SET, USE, …): the connection is closed afterwards. */
  changesSession(sql: string): boolean;
}

/** The handle a transaction's callback gets: statements on the transaction's own connection. */
export interface TransactionHandle<Owner> {
  readonly pool: Owner;
  runQuery(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  runOperation(sql: string, params?: readonly unknown[]): Promise<OperationResult>;
}

export interface TransactionState extends TopLevel {
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

/** The state of a transaction just begun on `connection`. */
export function transactionState(connection: DriverConnection): TransactionState {
  return {
    connection,
    savepoints: 0,
    open: [],
    active: true,
    aborted: null,
    sessionChanged: false,
    written: null,
    undone: null,
  };
}

/**
 * Where a piece of work runs in a transaction: the transaction, and how many nested transactions (savepoints)
 * around it; the AsyncLocalStorage carries one per level.
 */
export interface Frame<Owner> extends ContextEntry {
  readonly pool: Owner;
  readonly state: TransactionState;
  readonly depth: number;
  /** This level's nested transaction in `state.open` (none at the top). */
  readonly entry: Nested | null;
  readonly handle: TransactionHandle<Owner>;
}

/** A nested transaction while it is open: `done` settles once it has ended (or was abandoned). */
export interface Nested extends Level {
  readonly done: Promise<void>;
  readonly end: () => void;
}

export function nested(): Nested {
  let end!: () => void;
  const done = new Promise<void>((resolve) => (end = resolve));
  return { done, end, written: null };
}

/**
 * Ends the nested transactions from `depth` on (work left running inside a transaction that has ended): their
 * frames are no longer current, so nothing of theirs is sent any more, and whatever waits for them goes on.
 */
export function abandon(state: TransactionState, depth: number): void {
  for (const entry of state.open.splice(depth)) {
    // Its savepoint is rolled back with the level around it (which cannot commit with it left open).
    undo(state, entry);
    entry.end();
  }
}

/** Work that `outside()` runs: no transaction of `pool`, whatever surrounds it. */
export interface Outside<Owner> extends ContextEntry {
  readonly pool: Owner;
  readonly state: null;
}

/** False when the frame's transaction, or the nested transaction it ran in, has ended. */
export function current({ state, depth, entry }: Frame<unknown>): boolean {
  return state.active && (depth === 0 || state.open[depth - 1] === entry);
}

/** For a transaction whose callback returned while a nested transaction it started was still running. */
export function unawaitedError(): TransactionError {
  return new TransactionError(
    'A nested transaction() started in this transaction was still running when its callback returned, so ' +
      'the transaction was rolled back rather than commit part of that work. Await every nested transaction.',
  );
}

/** For work of a transaction (or nested transaction) that has ended. */
export function finishedError(): TransactionError {
  return new TransactionError(
    'This transaction has already finished; work started inside it (not awaited: a late save(), a timer, an ' +
      'event listener) cannot run in it, nor on its own. Await every query inside the transaction callback, or ' +
      'start background work with pool.outsideTransaction(…).',
  );
}

/** For a nested transaction given an isolation level. */
export function nestedIsolationError(isolation: string): TransactionError {
  return new TransactionError(
    `A nested transaction() is a savepoint, which cannot change the isolation of the transaction it is in, so ` +
      `isolation: '${isolation}' is refused. Give the isolation to the outermost transaction().`,
  );
}

/** For a statement in a transaction that a failed statement made rollback-only. */
export function canOnlyRollBackError(cause: unknown): TransactionError {
  return new TransactionError(
    `This transaction can only roll back: a statement in it failed (${messageOf(cause)}). To go on ` +
      'after a statement that may fail, run that statement in a nested transaction() (a savepoint).',
    { cause },
  );
}

/** A transaction that ended normally although a statement in it failed: it was rolled back. */
export function rolledBackError(cause: unknown): TransactionError {
  return new TransactionError(
    `The transaction was rolled back: a statement in it failed (${messageOf(cause)}) and committing ` +
      'the rest would keep only part of the work, even though the error was caught. To go on after a ' +
      'statement that may fail, run that statement in a nested transaction() (a savepoint).',
    { cause },
  );
}

/** The connection was lost during COMMIT (`cause`): the outcome is unknown. */
export function commitLostError(cause: unknown): CommitOutcomeUnknownError {
  return new CommitOutcomeUnknownError(
    'The connection was lost during COMMIT, so the outcome of the transaction is unknown: check the data ' +
      'before running it again.',
    { cause },
  );
}

/** The database refused COMMIT (`cause`): the transaction was rolled back. */
export function commitRefusedError(cause: unknown): TransactionError {
  return new TransactionError(`COMMIT was refused, so nothing was committed: ${messageOf(cause)}`, { cause });
}
