import {
  SOCKET_CODES,
  driverFields,
  errorKindReader,
  textField,
  violation,
  type ConstraintViolation,
  type ErrorKind,
} from '../driver-errors.js';

/** MySQL's and MariaDB's error numbers, and mysql2's own codes and messages, as error kinds. */
function kindOf(code: unknown, errno: unknown, message: string, fatal: boolean): ErrorKind | undefined {
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

/** The kind of a mysql2 error; undefined for an ordinary statement error. */
export const mysqlErrorKind = errorKindReader(({ code, errno, fatal }, message) =>
  kindOf(code, errno, message, fatal === true),
);

/** Names between backticks, in order (a doubled backtick is one). */
function backticked(list: string): string[] {
  return [...list.matchAll(/`((?:[^`]|``)*)`/g)].map((match) => (match[1] ?? '').replaceAll('``', '`'));
}

/**
 * The violation a mysql2 error reports, from its `errno` and the server's message. A unique violation names the
 * index (MySQL 8 as `table.index`), which only the catalogue maps to columns. MariaDB reports a failed CHECK as
 * errno 4025, for which mysql2 gives a MySQL code name that means something else, so errno decides.
 */
export function mysqlConstraintViolation(error: unknown): ConstraintViolation | null {
  const fields = driverFields(error);
  if (fields === null) return null;
  const message = textField(fields.message) ?? '';
  let match: RegExpExecArray | null;
  // An error that lost its number (rebuilt from another process's report) may still carry its name.
  switch (Number(fields.errno ?? (fields.code === 'ER_DUP_ENTRY' ? 1062 : undefined))) {
    case 1062: // ER_DUP_ENTRY
      match = /^Duplicate entry '(.*)' for key '(.*)'$/s.exec(message);
      return match ? violation('unique', match[2] ?? null, [], match[1] ?? null) : violation('unique', null);
    case 1048: // ER_BAD_NULL_ERROR
      match = /^Column '(.*)' cannot be null$/s.exec(message);
      return violation('not-null', null, match?.[1] === undefined ? [] : [match[1]]);
    case 1364: // ER_NO_DEFAULT_FOR_FIELD: a NOT NULL column without a default was left out
      match = /^Field '(.*)' doesn't have a default value$/s.exec(message);
      return violation('not-null', null, match?.[1] === undefined ? [] : [match[1]]);
    case 1216: // ER_NO_REFERENCED_ROW
    case 1452: // ER_NO_REFERENCED_ROW_2
      match = /CONSTRAINT `((?:[^`]|``)*)` FOREIGN KEY \((.*?)\) REFERENCES/s.exec(message);
      return match
        ? violation('foreign-key', (match[1] ?? '').replaceAll('``', '`'), backticked(match[2] ?? ''))
        : violation('foreign-key', null);
    case 1217: // ER_ROW_IS_REFERENCED
    case 1451: // ER_ROW_IS_REFERENCED_2: this row's key is what other rows point at
      match = /CONSTRAINT `((?:[^`]|``)*)` FOREIGN KEY .*? REFERENCES `(?:[^`]|``)*` \((.*?)\)\)?$/s.exec(
        message,
      );
      return match
        ? violation('referenced', (match[1] ?? '').replaceAll('``', '`'), backticked(match[2] ?? ''))
        : violation('referenced', null);
    case 4025: // MariaDB ER_CONSTRAINT_FAILED: CONSTRAINT `name` failed for `db`.`table`
      match = /^CONSTRAINT `((?:[^`]|``)*)` failed/s.exec(message);
      return violation('check', match?.[1]?.replaceAll('``', '`') ?? null);
    case 3819: // MySQL ER_CHECK_CONSTRAINT_VIOLATED: Check constraint 'name' is violated.
      match = /^Check constraint '(.*)' is violated/s.exec(message);
      return violation('check', match?.[1] ?? null);
    default:
      return null;
  }
}

/** ER_BAD_FIELD_ERROR: "Unknown column … in 'field list'". */
export function mysqlStaleColumns(error: unknown): boolean {
  return driverFields(error)?.errno === 1054;
}

/** ER_NO_SUCH_TABLE: "Table 'shop.albums' doesn't exist". */
export function mysqlMissingTable(error: unknown): string | undefined {
  const { errno, message } = driverFields(error) ?? {};
  if (errno !== 1146) return undefined;
  const named = /^Table '(?:[^'.]*\.)?(.*)' doesn't exist/.exec(String(message));
  return named?.[1] ?? '';
}
