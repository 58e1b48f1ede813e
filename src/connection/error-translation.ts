import {
  CharacterSetError,
  CheckViolationError,
  ConnectionLostError,
  DeadlockError,
  ForeignKeyViolationError,
  NodeUnavailableError,
  NotNullViolationError,
  QueryError,
  SerializationError,
  StatementTimeoutError,
  UniqueViolationError,
  ValueOutOfRangeError,
  ValueTooLargeError,
  messageOf,
} from '../errors.js';
import type { Dialect } from '../dialects/dialect.js';
import type { ConstraintKind } from '../dialects/driver-errors.js';

type QueryErrorClass = new (...args: ConstructorParameters<typeof QueryError>) => QueryError;

/** The typed error of each kind of constraint violation. */
const CONSTRAINT_ERRORS: Readonly<Record<ConstraintKind, QueryErrorClass>> = {
  unique: UniqueViolationError,
  'not-null': NotNullViolationError,
  'foreign-key': ForeignKeyViolationError,
  referenced: ForeignKeyViolationError,
  check: CheckViolationError,
};

/**
 * The typed Twistar error for a driver's `error` on a statement of `dialect`'s database: what the dialect says the
 * error means (ErrorKind), else the constraint it reports, else a plain QueryError. The driver's error is the
 * `cause`, `sql` and `params` name the statement.
 */
export function translateError(
  dialect: Dialect,
  error: unknown,
  sql: string,
  params: readonly unknown[],
): Error {
  const reason = messageOf(error);
  switch (dialect.errorKind(error)) {
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
      const violation = dialect.constraintViolation(error);
      const ErrorClass = violation === null ? QueryError : CONSTRAINT_ERRORS[violation.kind];
      return new ErrorClass(`${reason} (SQL: ${sql})`, sql, params, error);
    }
  }
}
