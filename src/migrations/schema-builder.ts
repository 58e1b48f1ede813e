import type { ConnectionPool } from '../connection/connection-pool.js';
import type { QueryResult } from '../dialects/driver.js';
import type { MysqlServer } from '../dialects/mysql/mysql-server.js';
import { forgetColumns } from '../crud/schema-cache.js';
import type { Dialect, DialectName } from '../dialects/dialect.js';
import { dialectNamed } from '../dialects/dialect-registry.js';
import { ConnectionError } from '../errors.js';
import { ddlName } from './ddl-literals.js';
import {
  alterTableSql,
  createIndexSql,
  createTableSql,
  dropIndexSql,
  dropTableSql,
  renameTableSql,
  type DdlStatement,
} from './ddl.js';
import { AlterTableBuilder, TableBuilder } from './table-builder.js';
import { indexDefinition, nameOrColumns, type IndexOptions, type NameOrColumns } from './table-definition.js';

/** Options of a SchemaBuilder. */
export interface SchemaBuilderOptions {
  /** Collect the statements in `statements` without running them. */
  readonly dryRun?: boolean;
  /** Called with each statement before it is sent (in a dry run, instead of sending it). */
  readonly onStatement?: (sql: string, params: readonly unknown[]) => void;
  /**
   * Which server a `mysql` builder writes for: MariaDB takes CREATE INDEX IF NOT EXISTS; for MySQL, which does
   * not, the builder looks the index up in information_schema first and skips it when it exists. Asked of the
   * pool's server when not given; a builder without a pool assumes MariaDB.
   */
  readonly mysqlServer?: MysqlServer;
}

/** Options of `createTable`. */
export interface CreateTableOptions {
  /** CREATE TABLE IF NOT EXISTS (and its indexes IF NOT EXISTS). */
  readonly ifNotExists?: boolean;
}

/** Options of `addIndex`. */
export interface AddIndexOptions extends IndexOptions {
  readonly unique?: boolean;
}

const NO_RESULT: QueryResult = { rows: [], affectedRows: 0, insertId: null };

/**
 * Portable DDL: each call builds its statements for the pool's database and runs them in order (joining the
 * caller's transaction, if any). With `dryRun`, or built for a database name instead of a pool, it only
 * collects them in `statements`.
 */
export class SchemaBuilder {
  /** The database the statements are written for. */
  readonly dialect: DialectName;
  /** True when statements are collected, not run. */
  readonly dryRun: boolean;
  /** The statements run so far (in a dry run: collected), in order. */
  readonly statements: string[] = [];
  readonly #pool: ConnectionPool | undefined;
  readonly #rules: Dialect;
  readonly #onStatement: SchemaBuilderOptions['onStatement'];
  readonly #mysqlServer: MysqlServer | undefined;
  #failedStatement: string | undefined;

  /** A builder running on `pool`; or, given a database name, one that only collects SQL for it. */
  constructor(target: ConnectionPool | DialectName, options: SchemaBuilderOptions = {}) {
    if (typeof target === 'string') {
      this.#rules = dialectNamed(target);
      this.#pool = undefined;
      this.dryRun = true;
    } else {
      this.#rules = target.dialect;
      this.#pool = target;
      this.dryRun = options.dryRun === true;
    }
    this.dialect = this.#rules.name;
    this.#onStatement = options.onStatement;
    this.#mysqlServer = options.mysqlServer;
  }

  /** The statement the database refused, if one was. */
  get failedStatement(): string | undefined {
    return this.#failedStatement;
  }

  /** CREATE TABLE from the columns, keys and indexes `build` declares, then its indexes. */
  async createTable(
    name: string,
    build: (t: TableBuilder) => unknown,
    options: CreateTableOptions = {},
  ): Promise<void> {
    const table = new TableBuilder(name);
    await build(table);
    const ifNotExists = options.ifNotExists === true;
    const indexIfNotExists = !ifNotExists || (await this.#takesIndexIfNotExists());
    await this.#runAll(
      createTableSql(this.#rules, table.definition, { ifNotExists, indexIfNotExists }),
      name,
    );
  }

  /** The changes `build` asks for (columns added, dropped and renamed; indexes; foreign keys), in order. */
  async alterTable(name: string, build: (t: AlterTableBuilder) => unknown): Promise<void> {
    ddlName(this.#rules, name, 'Table name');
    const table = new AlterTableBuilder();
    await build(table);
    await this.#runAll(alterTableSql(this.#rules, name, table.operations), name);
  }

  /** DROP TABLE; with `ifExists`, no error when there is none. */
  async dropTable(name: string, options: { readonly ifExists?: boolean } = {}): Promise<void> {
    await this.#runAll([dropTableSql(this.#rules, name, options.ifExists === true)], name);
  }

  /** Renames a table (its indexes keep their names). */
  async renameTable(from: string, to: string): Promise<void> {
    await this.#runAll([renameTableSql(this.#rules, from, to)], from);
    if (this.#pool !== undefined) forgetColumns(this.#pool, to);
  }

  /** CREATE [UNIQUE] INDEX, named `<table>_<columns>_index` (or `_unique`) unless named. */
  async addIndex(
    table: string,
    columns: string | readonly string[],
    options: AddIndexOptions = {},
  ): Promise<void> {
    const index = indexDefinition(columns, options, options.unique === true, 'addIndex()');
    await this.#runAll([createIndexSql(this.#rules, table, index)], table);
  }

  /** DROP INDEX by name, or by the columns of an index whose name Twistar generated. */
  async dropIndex(
    table: string,
    index: NameOrColumns,
    options: { readonly unique?: boolean } = {},
  ): Promise<void> {
    await this.#runAll(
      [dropIndexSql(this.#rules, table, nameOrColumns(index), options.unique === true)],
      table,
    );
  }

  /** True when the table exists (a read, run even in a dry run when there is a pool). */
  async hasTable(name: string): Promise<boolean> {
    ddlName(this.#rules, name, 'Table name');
    if (this.#pool === undefined) {
      throw new ConnectionError('hasTable() reads the database: build the SchemaBuilder with a pool.');
    }
    const [sql, params] = this.#rules.columnsQuery(name);
    return (await this.#pool.runQuery(sql, params)).length > 0;
  }

  /**
   * Sends one statement (in a dry run, collects it) and records it in `statements`; a refused statement is
   * kept as `failedStatement`.
   */
  protected async send(sql: string, params: readonly unknown[] = []): Promise<QueryResult> {
    this.#onStatement?.(sql, params);
    if (this.dryRun || this.#pool === undefined) {
      this.statements.push(sql);
      return NO_RESULT;
    }
    try {
      const result = await this.#pool.execute(sql, params);
      this.statements.push(sql);
      return result;
    } catch (error) {
      this.#failedStatement = sql;
      throw error;
    }
  }

  /** The pool statements run on; undefined for a builder made for a database name. */
  protected get pool(): ConnectionPool | undefined {
    return this.#pool;
  }

  /** Sends each statement in order, skipping one whose `unlessIndex` exists; the table's columns are read anew. */
  async #runAll(statements: readonly (string | DdlStatement)[], table: string): Promise<void> {
    try {
      for (const statement of statements) {
        if (typeof statement === 'string') await this.send(statement);
        else if (statement.unlessIndex === undefined || !(await this.#indexExists(statement.unlessIndex))) {
          await this.send(statement.sql);
        }
      }
    } finally {
      if (this.#pool !== undefined && !this.dryRun) forgetColumns(this.#pool, table);
    }
  }

  /** Whether the server takes CREATE INDEX IF NOT EXISTS (every one but MySQL's). */
  #takesIndexIfNotExists(): Promise<boolean> {
    return this.#rules.ddl.indexIfNotExists(this.#pool, this.#mysqlServer);
  }

  /** Whether `table` has the index `name` (a read, run in a dry run too; false without a pool). */
  async #indexExists(index: { readonly table: string; readonly name: string }): Promise<boolean> {
    const query = this.#rules.ddl.indexExistsQuery?.(index.table, index.name);
    if (this.#pool === undefined || query === undefined) return false;
    const [sql, params] = query;
    return (await this.#pool.runQuery(sql, params)).length > 0;
  }
}
