import type { DialectName } from '../dialects/dialect.js';

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

interface DriverError {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  fatal?: unknown;
}

/** Socket failures, the same whichever driver saw them. */
const SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

function postgresKind(code: unknown, message: string): ErrorKind | undefined {
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
  return undefined;
}

function mysqlKind(code: unknown, errno: unknown, message: string, fatal: boolean): ErrorKind | undefined {
  if (errno === 1213 || code === 'ER_LOCK_DEADLOCK') return 'deadlock';
  // ER_UNKNOWN_COM_ERROR: a Galera node that is not in the primary component (or rejects queries) answers
  // "WSREP has not yet prepared node for application use" before running anything.
  if (errno === 1047) return 'unavailable';
  // MariaDB max_statement_time (1969), MySQL max_execution_time (3024), KILL QUERY (1317).
  if (errno === 1969 || errno === 3024 || errno === 1317) return 'timeout';
  // ER_DATA_TOO_LONG, ER_WARN_DATA_OUT_OF_RANGE (strict sql_mode), ER_DATA_OUT_OF_RANGE (arithmetic).
  if (errno === 1406 || errno === 1264 || errno === 1690) return 'range';
  // ER_TRUNCATED_WRONG_VALUE (strict sql_mode) for a date its column cannot hold: a TIMESTAMP outside 1970–2038.
  if (errno === 1292 && /^Incorrect (?:date|datetime|timestamp) value: .* for column /i.test(message))
    return 'range';
  // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: "Incorrect string value: '\xF0\x9F\x8E\xB8' for column …".
  if (errno === 1366 && /^Incorrect string value/i.test(message)) return 'charset';
  // ER_NET_PACKET_TOO_LARGE: the server's, or the driver's own check against max_allowed_packet.
  if (errno === 1153 || code === 'ER_NET_PACKET_TOO_LARGE') return 'tooLarge';
  if (/closed state|enqueue after (fatal|quit)/i.test(message)) return 'unsent';
  // 1927: the connection was killed (KILL CONNECTION); 4031: disconnected for inactivity.
  if (errno === 1927 || errno === 4031 || errno === 2006 || errno === 2013) return 'lost';
  if (code === 'PROTOCOL_CONNECTION_LOST' || code === 'ER_CONNECTION_KILLED') return 'lost';
  if (fatal && typeof code === 'string' && SOCKET_CODES.has(code)) return 'lost';
  return undefined;
}

function sqliteKind(code: unknown, message: string): ErrorKind | undefined {
  if (code === 'SQLITE_BUSY_SNAPSHOT') return 'serialization';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_RECOVERY') return 'serialization';
  if (code === 'SQLITE_INTERRUPT') return 'timeout';
  if (code === 'SQLITE_TOOBIG') return 'tooLarge';
  // better-sqlite3 refuses to bind these (a RangeError, without a code); the bigint check is the driver's own.
  if (code === undefined && /outside the 64-bit integer range/.test(message)) return 'range';
  if (code === undefined && /bound string, buffer, or bigint is too big/.test(message)) return 'tooLarge';
  return undefined;
}

/** The kind of a driver's error, on `dialect`; undefined for an ordinary statement error. */
export function errorKind(dialect: DialectName, error: unknown): ErrorKind | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { code, errno, message, fatal } = error as DriverError;
  const text = typeof message === 'string' ? message : '';
  if (code === 'ECONNREFUSED') return 'unsent';
  switch (dialect) {
    case 'postgres':
      return (
        postgresKind(code, text) ?? (typeof code === 'string' && SOCKET_CODES.has(code) ? 'lost' : undefined)
      );
    case 'mysql':
      return mysqlKind(code, errno, text, fatal === true);
    case 'sqlite':
      return sqliteKind(code, text);
  }
}
