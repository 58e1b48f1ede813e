import { InvalidValueError } from '../../errors.js';
import {
  SOCKET_CODES,
  driverFields,
  errorKindReader,
  textField,
  violation,
  type ConstraintKind,
  type ConstraintViolation,
  type ErrorKind,
} from '../driver-errors.js';

/** PostgreSQL's SQLSTATE codes, and node-postgres's own messages, as error kinds. */
function kindOf(code: unknown, message: string): ErrorKind | undefined {
  switch (code) {
    case '40P01':
      return 'deadlock';
    case '40001':
      return 'serialization';
    case '57014': // query_canceled: statement_timeout, or a cancel request
      return 'timeout';
    case '22001': // string_data_right_truncation
    case '22003': // numeric_value_out_of_range
    case '22008': // datetime_field_overflow: a date PostgreSQL cannot hold (before 4714 BC)
      return 'range';
    case '08P01': // protocol_violation: the server refused the message itself; the statement did not run
      return undefined;
    case '57P01': // admin_shutdown: pg_terminate_backend, or a fast/smart shutdown
    case '57P02': // crash_shutdown
    case '57P03': // cannot_connect_now
      return 'lost';
  }
  if (typeof code === 'string' && code.startsWith('08')) return 'lost';
  // node-postgres refuses to send on a client that has already failed or ended.
  if (/is not queryable|Client was closed/i.test(message)) return 'unsent';
  if (/Connection terminated|Connection ended|server closed the connection/i.test(message)) return 'lost';
  return typeof code === 'string' && SOCKET_CODES.has(code) ? 'lost' : undefined;
}

/** The kind of a PostgreSQL driver's error; undefined for an ordinary statement error. */
export const postgresErrorKind = errorKindReader(({ code }, message) => kindOf(code, message));

const KINDS: Readonly<Record<string, ConstraintKind>> = {
  '23505': 'unique',
  '23502': 'not-null',
  '23503': 'foreign-key',
  '23514': 'check',
};

/** PostgreSQL quotes an identifier in `detail` when it needs quoting. */
function unquote(name: string): string {
  return /^".*"$/s.test(name) ? name.slice(1, -1).replaceAll('""', '"') : name;
}

/**
 * The violation a PostgreSQL error reports. pg's error carries `constraint`, `column` (not-null) and `detail`:
 * `Key (a, b)=(1, x) already exists.`, `Key (user_id)=(9) is not present in table "users".`,
 * `Key (id)=(1) is still referenced from table "x".`
 */
export function postgresConstraintViolation(error: unknown): ConstraintViolation | null {
  const fields = driverFields(error);
  let kind = fields === null ? undefined : KINDS[String(fields.code)];
  if (fields === null || kind === undefined) return null;
  const constraint = textField(fields.constraint);
  if (kind === 'not-null') {
    const column =
      textField(fields.column) ?? /column "((?:[^"]|"")+)"/.exec(textField(fields.message) ?? '')?.[1];
    return violation(kind, constraint, column === undefined ? [] : [column.replaceAll('""', '"')]);
  }
  const key = /^Key \((.*)\)=\((.*)\) (already exists|is not present|is still referenced)/s.exec(
    textField(fields.detail) ?? '',
  );
  if (key === null) return violation(kind, constraint);
  if (key[3] === 'is still referenced') kind = 'referenced';
  const columns = (key[1] ?? '').split(', ').map(unquote);
  return violation(kind, constraint, columns, key[2] ?? null);
}

/** 42703 undefined_column; 0A000 "cached plan must not change result type" (a prepared SELECT * after ALTER). */
export function postgresStaleColumns(error: unknown): boolean {
  const code = driverFields(error)?.code;
  return code === '42703' || (code === '0A000' && /cached plan/i.test(String((error as Error).message)));
}

/** undefined_table: 'relation "albums" does not exist'. */
export function postgresMissingTable(error: unknown): string | undefined {
  const { code, message } = driverFields(error) ?? {};
  if (code !== '42P01') return undefined;
  return /^relation "(.*)" does not exist/.exec(String(message))?.[1] ?? '';
}

/** What the server answers when a value bound as bytes stands where bytes do not belong. */
const BYTES_MISPLACED = new Set([
  '42804', // datatype_mismatch: column "n" is of type integer but expression is of type bytea
  '42883', // undefined_function: operator does not exist: integer = bytea
  '42846', // cannot_coerce
]);

/**
 * For a statement that bound bytes (see bindPostgresParameters): the InvalidValueError when the server refused
 * them where bytes do not belong, else undefined.
 */
export function misplacedBytesError(error: unknown, sql: string): InvalidValueError | undefined {
  if (!BYTES_MISPLACED.has(String(driverFields(error)?.code))) return undefined;
  return new InvalidValueError(
    `A Buffer/Uint8Array was bound where bytes do not belong (${String((error as Error).message)}); bind bytes ` +
      `only to a BYTEA column, and convert them first (e.g. to a number or a string) for any other. (SQL: ${sql})`,
    { cause: error },
  );
}
