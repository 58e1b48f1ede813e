import { AfterCommitError, AfterRollbackError } from '../errors.js';

/*
 * What was written in a transaction and wants to know how it ended (model objects with afterCommit or
 * afterRollback hooks or listeners), kept per level: the transaction, and each savepoint open in it. A
 * savepoint released hands its participants to the level around it; one rolled back marks them undone.
 */

/**
 * Something written in a transaction that wants to know how the transaction ended. Each method resolves to
 * the errors its hooks threw.
 */
export interface TransactionParticipant {
  /** The participant for this one and another registered under the same key (an object written twice). */
  combine(other: TransactionParticipant): TransactionParticipant;
  committed(): Promise<readonly unknown[]>;
  rolledBack(): Promise<readonly unknown[]>;
}

/** The participants of one level, by key, in the order first written. */
export type Written = Map<object, TransactionParticipant>;

/** A level (the transaction, or a savepoint) and what was written in it; null until anything was. */
export interface Level {
  written: Written | null;
}

/** The top level of a transaction, which also keeps what its savepoints that rolled back wrote. */
export interface TopLevel extends Level {
  undone: Written | null;
}

/** Adds `from` to `into` (a participant in both is combined, keeping its first place); the map written to. */
export function mergeWritten(into: Written | null, from: Written | null): Written | null {
  if (from === null) return into;
  if (into === null) return new Map(from);
  for (const [key, participant] of from) {
    const had = into.get(key);
    into.set(key, had === undefined ? participant : had.combine(participant));
  }
  return into;
}

/** Registers `participant` under `key` with the level written at. */
export function enlistIn(level: Level, key: object, participant: TransactionParticipant): void {
  const written = (level.written ??= new Map());
  const had = written.get(key);
  written.set(key, had === undefined ? participant : had.combine(participant));
}

/** A savepoint released: what it wrote is kept as long as `parent` (the level around it) is. */
export function keep(parent: Level, savepoint: Level): void {
  parent.written = mergeWritten(parent.written, savepoint.written);
  savepoint.written = null;
}

/** A savepoint rolled back (or rolled back with its parent): what it wrote is undone. */
export function undo(top: TopLevel, savepoint: Level): void {
  top.undone = mergeWritten(top.undone, savepoint.written);
  savepoint.written = null;
}

/** True when something written in the transaction waits for its outcome. */
export function hasParticipants(top: TopLevel): boolean {
  return top.written !== null || top.undone !== null;
}

/**
 * After COMMIT: afterRollback for what only savepoints that rolled back wrote, then afterCommit for the rest,
 * each participant once. Every one runs; AfterCommitError (the data is committed) when any threw.
 */
export async function finishCommitted({ written, undone }: TopLevel): Promise<void> {
  const errors: unknown[] = [];
  if (undone !== null)
    for (const [key, participant] of undone)
      if (written?.has(key) !== true) errors.push(...(await participant.rolledBack()));
  if (written !== null)
    for (const participant of written.values()) errors.push(...(await participant.committed()));
  if (errors.length > 0) throw new AfterCommitError(errors);
}

/**
 * After ROLLBACK (for `reason`): afterRollback for everything written, each participant once. Every one runs;
 * AfterRollbackError (with `reason` as its cause) when any threw.
 */
export async function finishRolledBack({ written, undone }: TopLevel, reason: unknown): Promise<void> {
  const all = mergeWritten(written, undone);
  if (all === null) return;
  const errors: unknown[] = [];
  for (const participant of all.values()) errors.push(...(await participant.rolledBack()));
  if (errors.length > 0) throw new AfterRollbackError(reason, errors);
}
