import type { ConnectionPool } from '../connection/connection-pool.js';
import type { Row } from '../dialects/driver.js';
import { queryLog } from '../connection/query-log.js';
import type { ColumnInfo } from '../dialects/dialect.js';
import { ImaginaryTableError, InvalidQueryError, QueryError } from '../errors.js';
import { quoteColumn } from '../sql/fragments.js';
import {
  countStatement,
  deleteStatement,
  insertManyStatements,
  insertStatement,
  quoteTable,
  selectStatement,
  updateStatement,
  type SelectClauses,
  type Statement,
} from '../sql/statements.js';
import { joinWheres, type AllRows, type WhereInput } from '../sql/where.js';
import { forgetColumns, tableColumns } from './schema-cache.js';
import { omitKeys, ownOptions } from '../options.js';

const SELECT_OPTIONS: readonly (keyof SelectOptions)[] = [
  'where',
  'orderBy',
  'group',
  'limit',
  'offset',
  'select',
  'lock',
  'id',
  'primaryKey',
];

/** A primary key value. */
export type Id = number | bigint | string;

/** Options of `InteractionBase.select`. */
export interface SelectOptions extends SelectClauses {
  /** Match this primary key value (and return one row or null). */
  id?: Id;
  /** The key column `id` refers to (default `id`). */
  primaryKey?: string;
}

/** The hooks `insertObj`, `updateObj` and `refreshObj` call on a model object (DBObject implements them). */
export const objectPersistence = Symbol('twistar.objectPersistence');

/** A model object the low-level interface can write and read. */
export interface PersistentObject {
  [objectPersistence]: {
    insert(config: InteractionBase): Promise<unknown>;
    update(config: InteractionBase): Promise<unknown>;
    refresh(config: InteractionBase): Promise<unknown>;
  };
}

/**
 * Twistar's low-level interface: CRUD on tables by name, with `?` where clauses, on one pool. Every
 * call joins the caller's transaction when there is one. Get it with `Registry.getConfig()`.
 */
export class InteractionBase {
  /** Log every statement and its parameters (to stderr, or to `InteractionBase.logger`). */
  static get LOG(): boolean {
    return queryLog.enabled;
  }

  static set LOG(enabled: boolean) {
    queryLog.enabled = enabled;
  }

  /** Where log lines go while LOG is on. */
  static get logger(): (line: string) => void {
    return queryLog.logger;
  }

  static set logger(logger: (line: string) => void) {
    queryLog.logger = logger;
  }

  readonly pool: ConnectionPool;
  /** `SELECT … WHERE key = ? LIMIT 1` per table and key column: the most frequent statement, built once. */
  readonly #byKey = new Map<string, Map<string, string>>();

  constructor(pool: ConnectionPool) {
    this.pool = pool;
  }

  /** Rows of `table`; with `id` or `limit: 1`, the one row or null. */
  select(table: string, options: SelectOptions & ({ id: Id } | { limit: 1 })): Promise<Row | null>;
  select(table: string, options?: SelectOptions): Promise<Row[]>;
  async select(table: string, options?: SelectOptions): Promise<Row[] | Row | null> {
    const checked = ownOptions(options, SELECT_OPTIONS, `select(${table}, …)`);
    const { id, primaryKey = 'id' } = checked;
    const clauses: SelectClauses = omitKeys(checked, 'id', 'primaryKey');
    if (id === undefined && 'id' in checked) {
      // Left out, id means "every row"; given as undefined, it is most likely a missing value.
      throw new InvalidQueryError(`select(${table}): id is undefined; leave id out to select every row.`);
    }
    if (id !== undefined && isEmpty(clauses)) {
      const { rows } = await this.#read(table, this.#selectByKey(table, primaryKey), [id], true);
      return rows[0] ?? null;
    }
    const single = id !== undefined || clauses.limit === 1;
    if (id !== undefined) {
      clauses.where = joinWheres(clauses.where, [`${quoteColumn(this.pool.dialect, primaryKey)} = ?`, id]);
      clauses.limit = 1;
    }
    const statement = selectStatement(this.pool.dialect, table, clauses);
    const { rows } = await this.#read(table, statement.sql, statement.params, single);
    return single ? (rows[0] ?? null) : rows;
  }

  #selectByKey(table: string, primaryKey: string): string {
    let byColumn = this.#byKey.get(table);
    if (byColumn === undefined) this.#byKey.set(table, (byColumn = new Map()));
    let sql = byColumn.get(primaryKey);
    if (sql === undefined) {
      const where: WhereInput = [`${quoteColumn(this.pool.dialect, primaryKey)} = ?`, null];
      sql = selectStatement(this.pool.dialect, table, { where, limit: 1 }).sql;
      byColumn.set(primaryKey, sql);
    }
    return sql;
  }

  /**
   * Inserts one row and resolves to its key: the value given for `primaryKey`, or the one the database
   * generated; null when the table has no such column.
   */
  async insert(table: string, row: object, primaryKey = 'id'): Promise<Id | null> {
    const quotedKey = quoteColumn(this.pool.dialect, primaryKey);
    let values = row as Readonly<Record<string, unknown>>;
    const given = Object.hasOwn(values, primaryKey) ? values[primaryKey] : undefined;
    if (given !== undefined && given !== null) {
      await this.#operation(insertStatement(this.pool.dialect, table, values));
      return given as Id;
    }
    // A null key means "generate one"; written as NULL it would violate NOT NULL on PostgreSQL.
    if (given === null) values = { ...values, [primaryKey]: undefined };
    // Built, and so checked, before the key column is looked up: a malformed name sends nothing at all.
    const statement = insertStatement(this.pool.dialect, table, values);
    const columns = await this.columns(table);
    const key = columns.find((column) => column.name === primaryKey);
    const returning = key !== undefined && this.pool.dialect.insertReturning;
    const result = await this.pool.execute(
      returning ? `${statement.sql} RETURNING ${quotedKey}` : statement.sql,
      statement.params,
    );
    if (!key) return null;
    if (this.pool.dialect.insertReturning) return (result.rows[0]?.[primaryKey] as Id | undefined) ?? null;
    return key.kind === 'integer' ? result.insertId : null;
  }

  /**
   * Inserts any number of rows in as few statements as the database's parameter limit allows, all or
   * none (in a transaction when it takes more than one statement). Resolves to the number inserted.
   */
  async insertMany(table: string, rows: readonly object[]): Promise<number> {
    const statements = insertManyStatements(
      this.pool.dialect,
      table,
      rows as readonly Record<string, unknown>[],
    );
    if (statements.length === 0) return 0;
    const run = async () => {
      let inserted = 0;
      for (const statement of statements)
        inserted += (await this.pool.execute(...spread(statement))).affectedRows;
      return inserted;
    };
    return statements.length === 1 ? run() : this.pool.runInteraction(run);
  }

  /**
   * Updates the rows matching `where`; resolves to the number changed. `where` is required: pass `ALL_ROWS`
   * to update every row (a missing or empty where throws InvalidQueryError).
   */
  async update(table: string, values: object, where: WhereInput | AllRows): Promise<number> {
    return this.#operation(
      updateStatement(this.pool.dialect, table, values as Readonly<Record<string, unknown>>, where),
    );
  }

  /**
   * Deletes the rows matching `where`; resolves to the number deleted. `where` is required: pass `ALL_ROWS`
   * to delete every row (a missing or empty where throws InvalidQueryError).
   */
  async delete(table: string, where: WhereInput | AllRows): Promise<number> {
    return this.#operation(deleteStatement(this.pool.dialect, table, where));
  }

  /** The number of rows matching `where`. */
  async count(table: string, where?: WhereInput): Promise<number> {
    const statement = countStatement(this.pool.dialect, table, where);
    const { rows } = await this.#read(table, statement.sql, statement.params);
    return Number(rows[0]?.count ?? 0);
  }

  /** Writes a new model object (no validation or hooks), sets its id, and resolves to the object. */
  async insertObj<T extends PersistentObject>(obj: T): Promise<T> {
    await obj[objectPersistence].insert(this);
    return obj;
  }

  /** Writes a model object's changed columns (no validation or hooks) and resolves to the object. */
  async updateObj<T extends PersistentObject>(obj: T): Promise<T> {
    await obj[objectPersistence].update(this);
    return obj;
  }

  /** Reloads a model object's columns from its row and resolves to the object. */
  async refreshObj<T extends PersistentObject>(obj: T): Promise<T> {
    await obj[objectPersistence].refresh(this);
    return obj;
  }

  /** Column names quoted for this database (`"select"`, or `` `select` `` on MySQL). */
  escapeColNames(names: readonly string[]): string[] {
    return names.map((name) => this.pool.dialect.quoteIdentifier(name));
  }

  /** The columns of `table` (read once, then cached); ImaginaryTableError if it does not exist. */
  columns(table: string): Promise<ColumnInfo[]> {
    try {
      quoteTable(this.pool.dialect, table);
    } catch (error) {
      return Promise.reject(error);
    }
    return tableColumns(this.pool, table);
  }

  /** Forgets cached columns, e.g. after altering a table. */
  forgetColumns(table?: string): void {
    forgetColumns(this.pool, table);
  }

  /**
   * The rows of a read of `table` (or of tables joined to it) by SQL built elsewhere, such as a relation's join:
   * the database's "no such table" is ImaginaryTableError, as for every other read. With `single`, the statement
   * reads one row at most (a LIMIT 1), which a driver may read without building a list.
   */
  async readRows(table: string, sql: string, params: readonly unknown[], single = false): Promise<Row[]> {
    return (await this.#read(table, sql, params, single)).rows;
  }

  /** A read of `table`: the database's "no such table" is ImaginaryTableError, as for a write. */
  async #read(table: string, sql: string, params: readonly unknown[], single = false) {
    try {
      return await this.pool.execute(sql, params, single);
    } catch (error) {
      const missing = error instanceof QueryError ? this.pool.dialect.missingTable(error.cause) : undefined;
      if (missing === undefined) throw error;
      throw new ImaginaryTableError(
        `Table "${missing || table}" does not exist in the ${this.pool.dialect.name} database; create it, or ` +
          "set the model's static TABLENAME.",
        { cause: error },
      );
    }
  }

  async #operation(statement: Statement): Promise<number> {
    return (await this.pool.execute(statement.sql, statement.params)).affectedRows;
  }
}

function spread(statement: Statement): [string, unknown[]] {
  return [statement.sql, statement.params];
}

function isEmpty(object: object): boolean {
  for (const _ in object) return false;
  return true;
}
