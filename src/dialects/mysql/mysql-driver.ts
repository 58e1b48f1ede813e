import mysql from 'mysql2';
import type { Driver, DriverConnection, QueryResult, Row } from '../../connection/driver.js';
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

class MysqlConnection implements DriverConnection {
  readonly #connection: mysql.Connection;
  broken = false;

  constructor(connection: mysql.Connection) {
    this.#connection = connection;
    connection.on('error', () => {
      this.broken = true;
    });
    connection.on('end', () => {
      this.broken = true;
    });
  }

  execute(sql: string, params: readonly unknown[]): Promise<QueryResult> {
    return new Promise((resolve, reject) => {
      const done = (error: mysql.QueryError | null, result: unknown, fields?: mysql.FieldPacket[]) => {
        if (error) {
          if (error.fatal) this.broken = true;
          reject(error);
        } else if (Array.isArray(result)) {
          resolve({ rows: widenBigints(result as Row[], fields), affectedRows: 0, insertId: null });
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
      if (params.length === 0) this.#connection.query(sql, done);
      else this.#connection.execute(sql, params as mysql.ExecuteValues, done);
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
export function mysqlDriver(options: MysqlOptions): Driver {
  return {
    dialect: mysqlDialect,
    defaultPoolSize: 10,
    connect() {
      return new Promise((resolve, reject) => {
        const connection = mysql.createConnection({
          ...(options.uri === undefined ? {} : { uri: options.uri }),
          charset: 'utf8mb4',
          timezone: 'Z',
          supportBigNumbers: true,
          bigNumberStrings: false,
          // The server keeps each prepared statement per connection; bound them (max_prepared_stmt_count is global).
          maxPreparedStatements: 256,
          ...options.driverOptions,
        });
        connection.connect((error) => {
          if (error) {
            connection.destroy();
            reject(error);
            return;
          }
          // NOW() and TIMESTAMP columns then agree with the UTC values Twistar writes.
          connection.query("SET time_zone = '+00:00'", (setError) => {
            if (setError) {
              connection.destroy();
              reject(setError);
            } else resolve(new MysqlConnection(connection));
          });
        });
      });
    },
  };
}
