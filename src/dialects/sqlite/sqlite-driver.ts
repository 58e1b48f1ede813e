import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ConnectionError, InvalidQueryError } from '../../errors.js';
import {
  INT64_MAX,
  INT64_MIN,
  narrowInteger,
  type DriverConnection,
  type QueryResult,
  type Row,
} from '../driver.js';
import { setOwnProperty } from '../../own-property.js';
import { utcDateTime } from '../dialect-kit.js';

/** Options for SQLite connections. */
export interface SqliteOptions {
  /** A file path, or `:memory:`. */
  filename: string;
  /** Passed to better-sqlite3's constructor. */
  driverOptions?: object;
  /**
   * `'wal'` switches the file to WAL (persistent: it stays so for every program). By default only a file
   * Twistar creates gets WAL; an existing file keeps the journal mode it has.
   */
  journalMode?: 'wal';
}

/** The size of `filename` in bytes, or null when there is no such file. */
function sizeOf(filename: string): number | null {
  try {
    return statSync(filename).size;
  } catch {
    return null;
  }
}

const STATEMENT_CACHE_LIMIT = 500;

/** SQLite can bind numbers, bigints, strings, Buffers and null; Twistar also takes booleans and Dates. */
function bindable(value: unknown): unknown {
  switch (typeof value) {
    case 'number':
      // better-sqlite3 binds every number as REAL, which a TEXT column stores as '5.0'; whole numbers go as INTEGER.
      return Number.isSafeInteger(value) ? BigInt(value) : value;
    case 'string':
      return value;
    case 'bigint':
      if (value < INT64_MIN || value > INT64_MAX)
        throw new RangeError(`${value} is outside the 64-bit integer range SQLite stores.`);
      return value;
    case 'boolean':
      // As INTEGER (a number would be REAL, which a TEXT column stores as '1.0').
      return value ? 1n : 0n;
    default:
      if (value === null || Buffer.isBuffer(value)) return value;
      if (value instanceof Date) return utcDateTime(value);
      if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      throw new InvalidQueryError(
        `SQLite cannot store a ${describe(value)} as a parameter; pass a string, number, bigint, boolean, Date, Buffer or null.`,
      );
  }
}

function describe(value: unknown): string {
  return value === undefined
    ? 'undefined value (use null for NULL)'
    : (value?.constructor?.name ?? typeof value);
}

/** Integers come back as bigint (safeIntegers) so that none is rounded; those that fit become numbers. */
function narrowRows(rows: Row[]): Row[] {
  for (const row of rows) {
    for (const key in row) {
      const value = row[key];
      if (typeof value === 'bigint') row[key] = narrowInteger(value);
    }
  }
  return rows;
}

/** Statements that may change a table's columns; after one runs, statements are prepared (and checked) anew. */
const SCHEMA_CHANGE = /^\s*(?:CREATE|ALTER|DROP)\b/i;

/** Rows built from raw arrays, with every column an own property (also one named `__proto__`). */
function objectRows(columns: readonly string[], arrays: readonly unknown[][]): Row[] {
  return arrays.map((values) => {
    const row: Row = {};
    columns.forEach((name, i) => setOwnProperty(row, name, values[i]));
    return row;
  });
}

class SqliteConnection implements DriverConnection {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  /**
   * Statements with a column named `__proto__`, read as arrays (raw mode), with their column names:
   * better-sqlite3 assigns each column to the row, and that assignment would set the row's prototype.
   */
  readonly #rawColumns = new WeakMap<Database.Statement, string[]>();
  readonly #schemaChanges = new WeakSet<Database.Statement>();
  broken = false;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      statement.safeIntegers(true);
      if (statement.reader) {
        // Decided once per statement, from its column names: other statements keep better-sqlite3's own rows.
        const columns = statement.columns().map((column) => column.name);
        if (columns.includes('__proto__')) {
          statement.raw(true);
          this.#rawColumns.set(statement, columns);
        }
      } else if (SCHEMA_CHANGE.test(sql)) this.#schemaChanges.add(statement);
      if (this.#statements.size >= STATEMENT_CACHE_LIMIT) {
        const oldest = this.#statements.keys().next().value;
        if (oldest !== undefined) this.#statements.delete(oldest);
      }
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  // Synchronous, like better-sqlite3: the pool awaits the result either way.
  execute(sql: string, params: readonly unknown[], single = false): QueryResult {
    try {
      const statement = this.#prepare(sql);
      const args = params.length === 0 ? params : params.map(bindable);
      if (statement.reader) {
        const raw = this.#rawColumns.get(statement);
        if (raw !== undefined) {
          const found = (single ? [statement.get(...args)] : statement.all(...args)) as unknown[][];
          const arrays = found.filter((values) => values !== undefined);
          return { rows: narrowRows(objectRows(raw, arrays)), affectedRows: 0, insertId: null };
        }
        if (single) {
          const row = statement.get(...args) as Row | undefined;
          return { rows: row === undefined ? [] : narrowRows([row]), affectedRows: 0, insertId: null };
        }
        return { rows: narrowRows(statement.all(...args) as Row[]), affectedRows: 0, insertId: null };
      }
      const info = statement.run(...args);
      // A cached SELECT * may now have other columns: check each statement again when next prepared.
      if (this.#schemaChanges.has(statement)) this.#statements.clear();
      const insertId =
        typeof info.lastInsertRowid === 'bigint' ? narrowInteger(info.lastInsertRowid) : info.lastInsertRowid;
      return { rows: [], affectedRows: info.changes, insertId };
    } catch (error) {
      if (!this.#db.open) this.broken = true;
      throw error;
    }
  }

  close(): Promise<void> {
    this.broken = true;
    this.#statements.clear();
    if (this.#db.open) this.#db.close();
    return Promise.resolve();
  }
}

/** Opens one better-sqlite3 connection: WAL for new files (or when asked), a busy timeout, foreign keys on. */
export function openSqlite(
  options: SqliteOptions,
): DriverConnection & { execute(sql: string, params: readonly unknown[], single?: boolean): QueryResult } {
  const { filename } = options;
  const driverOptions = options.driverOptions as Database.Options | undefined;
  const inFile = filename !== ':memory:' && filename !== '';
  // An empty file is an empty database: one another Twistar connection has only just created, as a rule.
  const size = inFile ? sizeOf(filename) : null;
  if (
    inFile &&
    size === null &&
    (driverOptions?.fileMustExist === true || driverOptions?.readonly === true)
  ) {
    throw new ConnectionError(
      `The SQLite database file ${filename} does not exist; check the path (nothing was created).`,
    );
  }
  const db = new Database(filename, driverOptions);
  try {
    // journal_mode = WAL is written into the file: only for files Twistar creates, or when asked.
    const wal = options.journalMode === 'wal' || (size ?? 0) === 0;
    db.pragma('busy_timeout = 5000');
    if (inFile && wal && driverOptions?.readonly !== true) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteConnection(db);
}

/**
 * Opens better-sqlite3 databases. SQLite serialises writers, so a pool keeps one connection and queues
 * work behind an open transaction instead of failing with SQLITE_BUSY.
 * @internal
 */
export function sqliteConnector(options: SqliteOptions): () => Promise<DriverConnection> {
  return () => Promise.resolve(openSqlite(options));
}
