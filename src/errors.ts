/** Base class of every error Twistar raises; `cause` keeps the underlying error when there is one. */
export class TwistarError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A model's table does not exist in the database it is saved to or read from. */
export class ImaginaryTableError extends TwistarError {}

/** A relationship or reference was used on an object that has not been saved yet (it has no id). */
export class ReferenceNotSavedError extends TwistarError {}

/** An object could not be saved, e.g. because it was deleted. */
export class DBObjectSaveError extends TwistarError {}

/** `refresh()` was called on an object without an id, or whose row no longer exists. */
export class CannotRefreshError extends TwistarError {}

/** A `transaction()` failed and was rolled back; `cause` is the error that made it fail. */
export class TransactionError extends TwistarError {}

/** A class name was looked up in the Registry but never registered. */
export class ClassNotRegisteredError extends TwistarError {}

/** A relationship declaration is malformed, or names a relation that does not exist. */
export class InvalidRelationshipError extends TwistarError {}

/** With `Registry.STRICT_LOADING`, a relation was about to be loaded for one object alone (a likely N+1). */
export class StrictLoadingError extends TwistarError {}

/** A connection URL or pool option is malformed, or the pool was used after `close()`. */
export class ConnectionError extends TwistarError {}

/** No connection became free within the pool's acquire timeout. */
export class PoolTimeoutError extends ConnectionError {}

/**
 * An argument that would become part of the SQL text (a where clause, a value, an identifier,
 * an ORDER BY list, a limit) is malformed; nothing was sent to the database.
 */
export class InvalidQueryError extends TwistarError {}

/** The database rejected a statement; `sql` and `params` say which, `cause` is the driver's error. */
export class QueryError extends TwistarError {
  readonly sql: string;
  readonly params: readonly unknown[];
  /** The driver's error code (`SQLITE_CONSTRAINT_UNIQUE`, `23505`, `ER_DUP_ENTRY`, …) when it gave one. */
  readonly code: string | undefined;

  constructor(message: string, sql: string, params: readonly unknown[], cause: unknown) {
    super(message, { cause });
    this.sql = sql;
    this.params = params;
    const code = (cause as { code?: unknown } | null)?.code;
    this.code = typeof code === 'string' ? code : undefined;
  }
}

/** True when `error` is a unique-constraint violation, on any of the three databases. */
export function isUniqueViolation(error: unknown): boolean {
  const code = error instanceof QueryError ? error.code : (error as { code?: unknown } | null)?.code;
  return (
    code === '23505' ||
    code === 'ER_DUP_ENTRY' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
