import type { Id } from '../crud/interaction-base.js';
import { Errors } from '../validation/errors.js';

/** Key of the framework's state on a model object: a symbol, so it can never clash with a column. */
export const STATE = Symbol('twistar.state');

/** What Twistar keeps on each model object besides its column values. */
export interface ObjectState {
  /** A row exists for the object (it was loaded, or saved). */
  persisted: boolean;
  deleted: boolean;
  /** Column values as last read from or written to the row, to find what changed. */
  snapshot: Record<string, unknown> | null;
  /** Made on first use: most loaded objects are never validated. */
  errors: Errors | null;
  /** The key, when the key column is `id` (otherwise it lives in its own column property). */
  id: Id | null;
  /** Relation values loaded (by get, include or a batch), by relation name. */
  loaded: Map<string, unknown> | null;
  /** Row counts of relations read with the object (`withCount`), by relation name. */
  counts: Map<string, number> | null;
  /** The relation objects handed out (`user.pictures`), by relation name. */
  relations: Map<string, unknown> | null;
  /** The objects one query loaded together, so that a relation is loaded for all of them at once. */
  siblings: readonly object[] | null;
  /**
   * Whether the objects a relation of this one loads batch their own relations in turn: what the query that
   * loaded it said (`batch`, default Registry.AUTO_BATCH); null for an object no query loaded.
   */
  batch: boolean | null;
  /** The save or delete under way (settled, never rejecting): the next one waits for it. */
  writing: Promise<void> | null;
  /** The transaction (its token) the write under way runs in, if any. */
  writingIn: object | undefined;
}

/** Marks DBObject's own validate(), so that saving can skip it for a class with no validations. */
export const BUILTIN_VALIDATE = Symbol('twistar.builtinValidate');

/** The object's validation errors, made on first use. */
export function errorsOf(obj: { [STATE]: ObjectState }): Errors {
  return (obj[STATE].errors ??= new Errors());
}

export function newState(): ObjectState {
  return {
    persisted: false,
    deleted: false,
    snapshot: null,
    errors: null,
    id: null,
    loaded: null,
    counts: null,
    relations: null,
    siblings: null,
    batch: null,
    writing: null,
    writingIn: undefined,
  };
}
