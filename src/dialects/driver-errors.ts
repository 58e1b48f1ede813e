/**
 * What a driver's error means, in terms every dialect answers in: the kinds of failure the pool turns into typed
 * errors, and the constraint violations models report on a record. Each dialect reads its driver's errors in
 * `dialects/<db>/<db>-errors.ts`.
 */

/**
 * What a driver's error means for the caller:
 * - `deadlock`, `serialization`: the transaction was refused; running it again may succeed;
 * - `timeout`: the statement was cancelled for running too long;
 * - `unsent`: the connection was already unusable, so the statement never reached the server;
 * - `lost`: the connection broke while the statement was on it; it may or may not have run;
 * - `unavailable`: the server refused the statement without running it, as it cannot serve applications now
 *   (a Galera node outside the primary component); another server may answer it;
 * - `range`: a value does not fit its column (too long for `VARCHAR(n)`, outside the type's range);
 * - `tooLarge`: the statement's values are larger than the server takes in one message;
 * - `charset`: text holds a character its column's character set cannot (MySQL's utf8mb3 and an emoji).
 */
export type ErrorKind =
  | 'deadlock'
  | 'serialization'
  | 'timeout'
  | 'unsent'
  | 'lost'
  | 'unavailable'
  | 'range'
  | 'tooLarge'
  | 'charset';

/** The constraints a database enforces that Twistar reports on the record. */
export type ConstraintKind = 'unique' | 'not-null' | 'foreign-key' | 'referenced' | 'check';

/** A constraint violation as one driver error describes it. No I/O went into it. */
export interface ConstraintViolation {
  readonly kind: ConstraintKind;
  /** The constraint's or index's name, or an unnamed SQLite check's expression; null when the error has none. */
  readonly constraint: string | null;
  /** The columns the error names (possibly expressions, for an index on one); empty when it names none. */
  readonly columns: readonly string[];
  /** The offending values as the database printed them (PostgreSQL `1, x`, MySQL `1-x`), when it did. */
  readonly values: string | null;
}

/** The fields drivers put on their errors, any of which may be missing. */
export interface DriverError {
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly message?: unknown;
  readonly fatal?: unknown;
  readonly sqlState?: unknown;
  readonly constraint?: unknown;
  readonly column?: unknown;
  readonly detail?: unknown;
}

/** Socket failures, the same whichever driver saw them. */
export const SOCKET_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * An error kind reader for one driver: `read` sees the error's fields once the common cases are settled (not an
 * object: no kind; a refused connection: `unsent`).
 */
export function errorKindReader(
  read: (error: DriverError, message: string) => ErrorKind | undefined,
): (error: unknown) => ErrorKind | undefined {
  return (error) => {
    if (error === null || typeof error !== 'object') return undefined;
    const fields = error as DriverError;
    if (fields.code === 'ECONNREFUSED') return 'unsent';
    return read(fields, typeof fields.message === 'string' ? fields.message : '');
  };
}

/** A driver's error as its fields, or null for what is not an object (a string thrown, null). */
export function driverFields(error: unknown): DriverError | null {
  return error === null || typeof error !== 'object' ? null : (error as DriverError);
}

/** A non-empty string field, or null. */
export function textField(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A ConstraintViolation, with no columns or values unless given. */
export function violation(
  kind: ConstraintKind,
  constraint: string | null,
  columns: readonly string[] = [],
  values: string | null = null,
): ConstraintViolation {
  return { kind, constraint, columns, values };
}
