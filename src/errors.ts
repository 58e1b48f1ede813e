import type { Errors } from './validation/errors.js';

/** The message of anything thrown: an Error's message, or the value as text. @internal */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Base class of every error Twistar raises; `cause` keeps the underlying error when there is one. */
export class TwistarError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A model's table does not exist in the database it is saved to or read from. */
export class ImaginaryTableError extends TwistarError {}

/**
 * An instance write or refresh through the model's PRIMARY_KEY matched more than one row: the key is not
 * unique, so the statement was undone (nothing changed) and the object left as it was.
 */
export class KeyNotUniqueError extends TwistarError {}

/** A relationship or reference was used on an object that has not been saved yet (it has no id). */
export class ReferenceNotSavedError extends TwistarError {}

/** An object could not be saved, e.g. because it was deleted. */
export class DBObjectSaveError extends TwistarError {}

/**
 * Optimistic locking: the object's row was changed (or deleted) by someone else since the object read it (its
 * `lock_version` differs), so its save or delete wrote nothing. Refresh it, apply the change again, and save.
 */
export class StaleObjectError extends DBObjectSaveError {}

/**
 * `saveOrFail()` found the object not valid: a validation failed, or a constraint the database enforces
 * refused the row. `errors` is the object's Errors; nothing was written.
 */
export class ValidationError<R extends object = object> extends TwistarError {
  readonly errors: Errors;
  readonly record: R;

  constructor(record: R, errors: Errors) {
    const id = (record as { id?: unknown }).id;
    const which = `${record.constructor.name}${id === null || id === undefined ? '' : ` #${String(id)}`}`;
    super(`${which} is not valid: ${errors.fullMessages().join(' ')}`);
    this.errors = errors;
    this.record = record;
  }
}

/**
 * A delete refused by a relation declared `dependent: 'restrict'`: the object still has related rows. Nothing was
 * deleted; delete or move them first.
 */
export class DeleteRestrictionError extends DBObjectSaveError {}

/** `refresh()` was called on an object without an id, or whose row no longer exists. */
export class CannotRefreshError extends TwistarError {}

/** A `transaction()` failed and was rolled back; `cause` is the error that made it fail. */
export class TransactionError extends TwistarError {}

/** A class name was looked up in the Registry but never registered. */
export class ClassNotRegisteredError extends TwistarError {}

/** A relationship declaration is malformed, or names a relation that does not exist. */
export class InvalidRelationshipError extends TwistarError {}

/** A write (set, clear, add, remove) to a through relation, which is read-only: write to the relations it follows. */
export class ReadOnlyRelationError extends InvalidRelationshipError {}

/** With `Registry.STRICT_LOADING`, a relation was about to be loaded for one object alone (a likely N+1). */
export class StrictLoadingError extends TwistarError {}

/** A connection URL or pool option is malformed, or the pool was used after `close()`. */
export class ConnectionError extends TwistarError {}

/**
 * A dialect definition given to `registerDialect` or `connect({ dialect })` is not one: a member is missing or of
 * the wrong type, or its name or URL scheme is taken by another. The message names what is wrong.
 */
export class InvalidDialectError extends ConnectionError {}

/** No connection became free within the pool's acquire timeout. */
export class PoolTimeoutError extends ConnectionError {}

/**
 * An argument that would become part of the SQL text (a where clause, a value, an identifier,
 * an ORDER BY list, a limit) is malformed; nothing was sent to the database.
 */
export class InvalidQueryError extends TwistarError {}

/**
 * A structural argument (an ORDER BY or GROUP BY list, a select list, an identifier) is not one Twistar
 * accepts as plain names; nothing was sent. Mark trusted SQL with the `sql` tag instead.
 */
export class UnsafeSqlError extends InvalidQueryError {}

/**
 * A value cannot be bound as a parameter: an object, array, function, symbol or `undefined`, a NaN or infinite
 * number, an invalid Date. Nothing was sent.
 */
export class InvalidValueError extends InvalidQueryError {}

/**
 * A plain object (a request's body, say) tried to set columns its model guards (`static GUARDED`) or does not
 * list as fillable (`static FILLABLE`); nothing was set or sent. `columns` names them.
 */
export class MassAssignmentError extends TwistarError {
  readonly columns: readonly string[];

  constructor(message: string, columns: readonly string[]) {
    super(message);
    this.columns = columns;
  }
}

/**
 * `toJSON()` was asked for something it cannot give: an option it does not take, `only` with `except`, a name that
 * is not a column or relation of the model, a hidden column (`static HIDDEN`) not revealed with `showHidden`, or a
 * relation that is not loaded; or the model's HIDDEN names a column its table does not have.
 */
export class ToJsonError extends TwistarError {}

/**
 * Soft deletes were asked of a model that has none (`withDeleted()`, `onlyDeleted()`, `restore()` on a model
 * without `static SOFT_DELETE`), or its SOFT_DELETE is not a column of its table. Nothing was sent.
 */
export class SoftDeleteError extends TwistarError {}

/**
 * A model's `static CASTS` cannot work: a cast option it does not take, an entry that is not a cast, a cast on a
 * column its table lacks (or on the key), or on a column that cannot hold what the cast writes.
 */
export class CastError extends TwistarError {}

/** `firstOrFail()` found no row matching the query. */
export class NotFoundError extends TwistarError {}

/** The database rejected a statement; `sql` and `params` say which, `cause` is the driver's error. */
export class QueryError extends TwistarError {
  readonly sql: string;
  readonly params: readonly unknown[];
  /** The driver's error code (`SQLITE_CONSTRAINT_UNIQUE`, `23505`, `ER_DUP_ENTRY`, …) when it gave one. */
  readonly code: string | undefined;
  /** Running the whole transaction again may succeed (see DeadlockError, SerializationError). */
  readonly retryable: boolean = false;

  constructor(message: string, sql: string, params: readonly unknown[], cause: unknown) {
    super(message, { cause });
    this.sql = sql;
    this.params = params;
    const code = (cause as { code?: unknown } | null)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}

/** A constraint the database enforces refused the statement: one of the four subclasses below. */
export class ConstraintViolationError extends QueryError {}

/** A unique index or primary key refused the row (`23505`, `ER_DUP_ENTRY`, `SQLITE_CONSTRAINT_UNIQUE`). */
export class UniqueViolationError extends ConstraintViolationError {}

/** A NOT NULL column was left empty (`23502`, MySQL 1048/1364, `SQLITE_CONSTRAINT_NOTNULL`). */
export class NotNullViolationError extends ConstraintViolationError {}

/** A foreign key refused the row, or its deletion (`23503`, MySQL 1451/1452, `SQLITE_CONSTRAINT_FOREIGNKEY`). */
export class ForeignKeyViolationError extends ConstraintViolationError {}

/** A CHECK constraint refused the row (`23514`, MariaDB 4025 / MySQL 3819, `SQLITE_CONSTRAINT_CHECK`). */
export class CheckViolationError extends ConstraintViolationError {}

/**
 * A value does not fit its column: a string longer than the column's `VARCHAR(n)`/`CHAR(n)`, a number outside
 * the column type's range, a bigint outside 64 bits. Raised by the database (`22001`, `22003`, `ER_DATA_TOO_LONG`,
 * `ER_WARN_DATA_OUT_OF_RANGE`), or by Twistar before sending: `save()` and `createMany()` check each value
 * against its column (then `code` is undefined and `sql` is the statement that was not sent), and SQLite
 * cannot bind a bigint outside 64 bits. Never silently truncated or rounded.
 */
export class ValueOutOfRangeError extends QueryError {}

/**
 * The database refused text its column's character set cannot hold (MySQL/MariaDB 1366 "Incorrect string
 * value": an emoji in a utf8mb3 column). save() refuses such text before sending, as an InvalidValueError, where
 * it knows the column's character set; this is what a statement Twistar could not check gets. Change the column
 * to utf8mb4, or leave the character out.
 */
export class CharacterSetError extends QueryError {}

/**
 * A statement's values are larger than the server accepts in one message (MySQL/MariaDB's
 * `max_allowed_packet`, `ER_NET_PACKET_TOO_LARGE`; SQLite's maximum string or blob length). Twistar refuses
 * what it can tell is too large before sending; the pool's other statements are not affected.
 */
export class ValueTooLargeError extends QueryError {}

/**
 * The database chose this transaction as a deadlock victim and rolled it back. Retryable: run the whole
 * transaction again (`transaction(work, { retries })` does).
 */
export class DeadlockError extends QueryError {
  override readonly retryable = true;
}

/**
 * The transaction could not be serialised with concurrent ones (PostgreSQL SERIALIZABLE / REPEATABLE READ,
 * SQLite's busy snapshot). Retryable: run the whole transaction again.
 */
export class SerializationError extends QueryError {
  override readonly retryable = true;
}

/** A statement ran past its timeout (the server's, or the pool's `statementTimeoutMs`) and was cancelled. */
export class StatementTimeoutError extends QueryError {}

/**
 * The connection broke while a statement was on it (the server closed it, was restarted, or the network
 * failed). With `outcomeUnknown` false the statement never reached the server. Twistar retries reads and
 * BEGIN once on a fresh connection by itself; a write outside a transaction whose outcome is unknown is not
 * retried: check the data first.
 */
export class ConnectionLostError extends ConnectionError {
  readonly sql: string;
  readonly params: readonly unknown[];
  readonly outcomeUnknown: boolean;
  /** Inside a transaction nothing was committed, so the whole transaction may be run again. */
  readonly retryable = true;

  constructor(
    message: string,
    sql: string,
    params: readonly unknown[],
    outcomeUnknown: boolean,
    cause: unknown,
  ) {
    super(message, { cause });
    this.sql = sql;
    this.params = params;
    this.outcomeUnknown = outcomeUnknown;
  }
}

/**
 * The server refused the statement because it cannot serve applications now: a MariaDB Galera node outside the
 * cluster's primary component (it lost quorum, or is still joining), or one set to reject queries (error 1047,
 * "WSREP has not yet prepared node for application use"). The statement did not run (`outcomeUnknown` is
 * false), so it may be sent to another node; the read-replica set skips such a node for `replicaRetryMs`.
 */
export class NodeUnavailableError extends ConnectionLostError {}

/**
 * The connection was lost while COMMIT ran: the transaction may or may not have been committed. Never
 * retried automatically; check the data before running the work again.
 */
export class CommitOutcomeUnknownError extends TransactionError {}

/**
 * An `afterCommit` (or `afterRollback`) hook or listener threw after the transaction had committed: the data IS
 * committed, so do not run the work again. Every such hook ran; `errors` holds what they threw, `cause` the
 * first. Never retried.
 */
export class AfterCommitError extends TwistarError {
  readonly errors: readonly unknown[];

  constructor(errors: readonly unknown[]) {
    super(
      `The work was committed, but ${hooksThrew(errors)} threw after the commit: ${messageOf(errors[0])}. ` +
        'The data is saved: do not run the work again.',
      { cause: errors[0] },
    );
    this.errors = errors;
  }
}

/**
 * An `afterRollback` hook or listener threw after the transaction had rolled back: nothing was committed.
 * `cause` is why the transaction rolled back (what `transaction()` rejects with otherwise), `errors` what the
 * hooks threw. Never retried.
 */
export class AfterRollbackError extends TransactionError {
  readonly errors: readonly unknown[];

  constructor(reason: unknown, errors: readonly unknown[]) {
    super(
      `The transaction was rolled back (${messageOf(reason)}), and ${hooksThrew(errors)} threw after the ` +
        `rollback: ${messageOf(errors[0])}. See \`errors\`.`,
      { cause: reason },
    );
    this.errors = errors;
  }
}

function hooksThrew(errors: readonly unknown[]): string {
  return errors.length === 1 ? 'a hook or listener' : `${errors.length} hooks or listeners`;
}

/** True when running the failed transaction again may succeed (a deadlock, a serialisation failure, a lost connection before COMMIT). */
export function isRetryable(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (
      current instanceof CommitOutcomeUnknownError ||
      current instanceof AfterCommitError ||
      current instanceof AfterRollbackError
    )
      return false;
    if ((current as { retryable?: unknown }).retryable === true) return true;
  }
  return false;
}

/**
 * A model object holds a value for a name that is not a column of its table, even after its columns were read
 * again (a typo, or a column dropped while the application runs): the value would not be saved, so the save is
 * refused and nothing is written. `columns` lists the names, `table` the table.
 */
export class UnknownColumnError extends DBObjectSaveError {
  readonly table: string;
  readonly columns: readonly string[];

  constructor(message: string, table: string, columns: readonly string[], options?: { cause?: unknown }) {
    super(message, options);
    this.table = table;
    this.columns = columns;
  }
}
