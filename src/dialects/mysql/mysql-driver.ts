import mysql from 'mysql2';
import type { ConnectOptions, Driver, DriverConnection, QueryResult, Row } from '../../connection/driver.js';
import { setOwnProperty } from '../../own-property.js';
import { mysqlDialect } from './mysql-dialect.js';

/** Options for MySQL/MariaDB connections: a URL and/or mysql2 connection options. */
export interface MysqlOptions {
  uri?: string;
  /** Passed to mysql2's `createConnection()`. */
  driverOptions?: mysql.ConnectionOptions;
}

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

  constructor(connection: mysql.Connection, config: mysql.ConnectionOptions, maxPacket: number) {
    this.#connection = connection;
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
          resolve({ rows: widenBigints(rows, fields), affectedRows: 0, insertId: null });
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

/** Opens mysql2 connections in UTC with utf8mb4, 64-bit integers read without loss and server-side parameters. */
export function mysqlDriver(options: MysqlOptions, { connectTimeoutMs }: ConnectOptions): Driver {
  const config: mysql.ConnectionOptions = {
    ...(options.uri === undefined ? {} : { uri: options.uri }),
    charset: 'utf8mb4',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    // The server keeps each prepared statement per connection; bound them (max_prepared_stmt_count is global).
    maxPreparedStatements: 256,
    connectTimeout: connectTimeoutMs,
    ...options.driverOptions,
  };
  return {
    dialect: mysqlDialect,
    defaultPoolSize: 10,
    connect() {
      return new Promise((resolve, reject) => {
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
    },
  };
}
