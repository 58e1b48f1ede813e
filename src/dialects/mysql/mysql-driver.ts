import mysql from 'mysql2';
import type { DriverConfig, DriverConnection, QueryResult, Row } from '../driver.js';
import { setOwnProperty } from '../../own-property.js';
import { parseUtcDate } from '../dialect-kit.js';

// mysql2's column type code for BIGINT.
const LONGLONG = 8;

/** With supportBigNumbers, a BIGINT beyond 2^53 arrives as text; it becomes a bigint. */
function widenBigints(rows: Row[], fields: readonly mysql.FieldPacket[] | undefined): Row[] {
  const big = fields?.filter((field) => field.columnType === LONGLONG).map((field) => field.name) ?? [];
  if (big.length === 0) return rows;
  for (const row of rows) {
    for (const name of big) {
      const value = row[name];
      if (typeof value === 'string') row[name] = BigInt(value);
    }
  }
  return rows;
}

// mysql2's column type codes for DATE and NEWDATE, and for TIMESTAMP and DATETIME.
const DAY_TYPES = new Set([10, 14]);
const TIME_TYPES = new Set([7, 12]);

/**
 * A DATE value read as text (mysql2's `dateStrings`) as Twistar reads it: a Date of that UTC day; null for
 * MySQL's zero date `0000-00-00` (which a session without NO_ZERO_DATE or strict mode can write); the text
 * itself for a day with a zero part (`2024-05-00`), which no Date holds. mysql2's own DATE reading rolls a zero
 * part over into another day (the zero date becomes 1899-11-30) and reads the years 0–99 as 1900–1999.
 */
function readDay(text: string): unknown {
  return text === '0000-00-00' ? null : parseUtcDate(text);
}

/**
 * Rows with their DATE text read as Dates (see readDay), and the zero DATETIME/TIMESTAMP
 * (`0000-00-00 00:00:00`), which mysql2 gives as an invalid Date, as null. DATETIME stays mysql2's to read:
 * reading it from text costs about twice as much, for dates Twistar never writes (years before 1000).
 */
function readDates(rows: Row[], fields: readonly mysql.FieldPacket[] | undefined, readDays: boolean): Row[] {
  if (fields === undefined) return rows;
  const days: string[] = [];
  const times: string[] = [];
  for (const field of fields) {
    if (DAY_TYPES.has(field.columnType ?? -1)) {
      if (readDays) days.push(field.name);
    } else if (TIME_TYPES.has(field.columnType ?? -1)) times.push(field.name);
  }
  if (days.length === 0 && times.length === 0) return rows;
  for (const row of rows) {
    for (const name of days) {
      const value = row[name];
      if (typeof value === 'string') row[name] = readDay(value);
    }
    for (const name of times) {
      const value = row[name];
      if (value instanceof Date && Number.isNaN(value.getTime())) row[name] = null;
    }
  }
  return rows;
}

/** Twistar's own `dateStrings` setting (compared by identity: an application's own setting is left alone). */
const DATE_STRINGS: 'DATE'[] = ['DATE'];

/** Column names mysql2 refuses to build rows with (its generated code assigns each column to the row). */
const UNSAFE_NAMES = new Set([
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);
/** Marks a renamed column: no MySQL identifier may contain NUL, so no real column starts with it. */
const RENAMED = '\0';

/**
 * Before mysql2 builds its row parser for a result ('fields' comes first), renames the columns it would refuse,
 * so that the result arrives; `restoreNames` puts the names back. Decided per result, from its columns.
 */
function renameUnsafe(fields: mysql.FieldPacket[] | undefined): void {
  // A statement without a result set (an OK packet) reports undefined.
  if (fields === undefined) return;
  for (const field of fields) if (UNSAFE_NAMES.has(field.name)) field.name = RENAMED + field.name;
}

/** Rows (and fields) with the names `renameUnsafe` changed put back, each column an own property. */
function restoreNames(rows: Row[], fields: mysql.FieldPacket[] | undefined): Row[] {
  // Several result sets (a CALL) give a list of field lists; those keep mysql2's rows.
  if (fields === undefined || !fields.some((field) => field.name?.startsWith(RENAMED))) return rows;
  const keys = fields.map((field) => field.name);
  for (const field of fields)
    if (field.name.startsWith(RENAMED)) field.name = field.name.slice(RENAMED.length);
  return rows.map((row) => {
    const safe: Row = {};
    fields.forEach((field, i) => setOwnProperty(safe, field.name, row[keys[i] ?? field.name]));
    return safe;
  });
}

/** ER_NET_PACKET_TOO_LARGE: the server refuses the statement, then closes the connection. */
const PACKET_TOO_LARGE = 1153;

/**
 * The error for values that cannot fit in one packet of `limit` bytes, or null. A string takes at most 3 bytes
 * per UTF-16 unit, so the exact count is only made for values near the limit. What is counted is a lower bound
 * of the packet (its headers come on top): a statement refused here would have been refused by the server.
 */
function packetTooLarge(params: readonly unknown[], limit: number): Error | null {
  let bound = 0;
  for (const value of params)
    bound +=
      typeof value === 'string' ? value.length * 3 : value instanceof Uint8Array ? value.byteLength : 0;
  if (bound <= limit) return null;
  let bytes = 0;
  for (const value of params)
    bytes +=
      typeof value === 'string'
        ? Buffer.byteLength(value, 'utf8')
        : value instanceof Uint8Array
          ? value.byteLength
          : 0;
  if (bytes <= limit) return null;
  return Object.assign(
    new Error(
      `The values take ${bytes} bytes, more than the server's max_allowed_packet (${limit} bytes) allows in ` +
        'one statement; nothing was sent',
    ),
    { code: 'ER_NET_PACKET_TOO_LARGE', errno: PACKET_TOO_LARGE },
  );
}

class MysqlConnection implements DriverConnection {
  readonly #connection: mysql.Connection;
  broken = false;

  readonly #config: mysql.ConnectionOptions;
  /** The server's max_allowed_packet, read at connect. */
  readonly #maxPacket: number;
  /** DATE values come as text, for readDates (unless the application set mysql2's `dateStrings` itself). */
  readonly #readDays: boolean;

  constructor(connection: mysql.Connection, config: mysql.ConnectionOptions, maxPacket: number) {
    this.#connection = connection;
    this.#readDays = config.dateStrings === DATE_STRINGS;
    this.#config = config;
    this.#maxPacket = maxPacket;
    connection.on('error', () => {
      this.broken = true;
    });
    connection.on('end', () => {
      this.broken = true;
    });
  }

  execute(sql: string, params: readonly unknown[]): Promise<QueryResult> {
    // Sent, such a statement would make the server close the connection, or reset it while mysql2 still writes.
    const tooLarge = packetTooLarge(params, this.#maxPacket);
    if (tooLarge !== null) return Promise.reject(tooLarge);
    return new Promise((resolve, reject) => {
      const done = (error: mysql.QueryError | null, result: unknown, fields?: mysql.FieldPacket[]) => {
        if (error) {
          if (error.fatal || error.errno === PACKET_TOO_LARGE) this.broken = true;
          reject(error);
        } else if (Array.isArray(result)) {
          const rows = restoreNames(result as Row[], fields);
          const read = readDates(rows, fields, this.#readDays);
          resolve({ rows: widenBigints(read, fields), affectedRows: 0, insertId: null });
        } else {
          const header = result as mysql.ResultSetHeader;
          const insertId = header.insertId
            ? typeof header.insertId === 'string'
              ? BigInt(header.insertId)
              : header.insertId
            : null;
          resolve({ rows: [], affectedRows: header.affectedRows, insertId });
        }
      };
      // Statements without parameters use the text protocol: not every statement can be prepared.
      const command =
        params.length === 0
          ? this.#connection.query(sql, done)
          : this.#connection.execute(sql, params as mysql.ExecuteValues, done);
      command.on('fields', renameUnsafe);
    });
  }

  cancel(): Promise<void> {
    const id = this.#connection.threadId;
    return new Promise((resolve) => {
      const canceller = mysql.createConnection(this.#config);
      canceller.on('error', () => undefined);
      // KILL takes no parameters; the id is the number the server gave this connection.
      canceller.query(`KILL QUERY ${Math.trunc(id)}`, () => {
        canceller.end(() => canceller.destroy());
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.broken = true;
    return new Promise((resolve) => {
      this.#connection.end(() => {
        this.#connection.destroy();
        resolve();
      });
    });
  }
}

/**
 * Opens mysql2 connections in UTC with utf8mb4, 64-bit integers read without loss and server-side parameters.
 * @internal
 */
export function mysqlConnector(driverConfig: DriverConfig): () => Promise<DriverConnection> {
  const config: mysql.ConnectionOptions = {
    ...(driverConfig.url === undefined ? {} : { uri: driverConfig.url }),
    charset: 'utf8mb4',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    // The server keeps each prepared statement per connection; bound them (max_prepared_stmt_count is global).
    maxPreparedStatements: 256,
    connectTimeout: driverConfig.connectTimeoutMs,
    // DATE as text, for readDates, which reads the days mysql2 would misread.
    dateStrings: DATE_STRINGS,
    ...(driverConfig.driverOptions as mysql.ConnectionOptions | undefined),
  };
  return () =>
    new Promise((resolve, reject) => {
      const connection = mysql.createConnection(config);
      connection.connect((error) => {
        if (error) {
          connection.destroy();
          reject(error);
          return;
        }
        const fail = (failure: Error) => {
          connection.destroy();
          reject(failure);
        };
        // NOW() and TIMESTAMP columns then agree with the UTC values Twistar writes; strict mode makes a
        // value too long or out of range for its column an error on every table, never a truncation.
        const session =
          "SET time_zone = '+00:00', sql_mode = CONCAT_WS(',', NULLIF(@@sql_mode, ''), 'STRICT_ALL_TABLES')";
        connection.query(session, (setError) => {
          if (setError) return fail(setError);
          connection.query('SELECT @@max_allowed_packet AS max_packet', (readError, rows) => {
            if (readError) return fail(readError);
            const maxPacket = Number((rows as Row[])[0]?.max_packet);
            resolve(new MysqlConnection(connection, config, maxPacket > 0 ? maxPacket : Infinity));
          });
        });
      });
    });
}
