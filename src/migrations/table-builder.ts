import { ColumnsBuilder } from './column-builder.js';
import {
  foreignKey,
  indexDefinition,
  list,
  nameOrColumns,
  type AlterOperation,
  type ColumnDefinition,
  type ForeignOptions,
  type IndexOptions,
  type NameOrColumns,
  type TableDefinition,
} from './table-definition.js';

/** What a `createTable` callback receives. */
export class TableBuilder extends ColumnsBuilder {
  readonly #definition: TableDefinition;

  constructor(name: string) {
    super();
    this.#definition = { name, columns: [], primaryKey: undefined, indexes: [], foreignKeys: [] };
  }

  /** The table as described so far. */
  get definition(): TableDefinition {
    return this.#definition;
  }

  protected addColumnDefinition(column: ColumnDefinition): void {
    this.#definition.columns.push(column);
  }

  /** A composite PRIMARY KEY. */
  primary(columns: readonly string[]): void {
    this.#definition.primaryKey = list(columns);
  }

  /** An index, named `<table>_<columns>_index` unless named. */
  index(columns: string | readonly string[], options: IndexOptions = {}): void {
    this.#definition.indexes.push(indexDefinition(columns, options, false));
  }

  /** A unique index, named `<table>_<columns>_unique` unless named. */
  unique(columns: string | readonly string[], options: IndexOptions = {}): void {
    this.#definition.indexes.push(indexDefinition(columns, options, true));
  }

  /** A foreign key from existing `columns` to `table` (`options.column`, default id). */
  foreign(columns: string | readonly string[], table: string, options: ForeignOptions = {}): void {
    this.#definition.foreignKeys.push(foreignKey(columns, table, options));
  }
}

/** What an `alterTable` callback receives; the column methods add columns. */
export class AlterTableBuilder extends ColumnsBuilder {
  readonly #operations: AlterOperation[] = [];

  /** The changes asked for, in order. */
  get operations(): readonly AlterOperation[] {
    return this.#operations;
  }

  protected addColumnDefinition(column: ColumnDefinition): void {
    this.#operations.push({ kind: 'addColumn', column });
  }

  /** DROP COLUMN (SQLite 3.35 or newer; not for an indexed, key or referenced column there). */
  dropColumn(name: string): void {
    this.#operations.push({ kind: 'dropColumn', name });
  }

  /** RENAME COLUMN. */
  renameColumn(from: string, to: string): void {
    this.#operations.push({ kind: 'renameColumn', from, to });
  }

  /** CREATE INDEX, named `<table>_<columns>_index` unless named. */
  index(columns: string | readonly string[], options: IndexOptions = {}): void {
    this.#operations.push({ kind: 'addIndex', index: indexDefinition(columns, options, false) });
  }

  /** CREATE UNIQUE INDEX, named `<table>_<columns>_unique` unless named. */
  unique(columns: string | readonly string[], options: IndexOptions = {}): void {
    this.#operations.push({ kind: 'addIndex', index: indexDefinition(columns, options, true) });
  }

  /** DROP INDEX by name, or by the columns of an index whose name Twistar generated. */
  dropIndex(index: NameOrColumns): void {
    this.#operations.push({ kind: 'dropIndex', index: nameOrColumns(index), unique: false });
  }

  /** Drops a unique index, by name or by the columns of one whose name Twistar generated. */
  dropUnique(index: NameOrColumns): void {
    this.#operations.push({ kind: 'dropIndex', index: nameOrColumns(index), unique: true });
  }

  /** ADD a foreign key from existing `columns` (PostgreSQL, MySQL; SQLite cannot: UnsupportedSchemaChangeError). */
  foreign(columns: string | readonly string[], table: string, options: ForeignOptions = {}): void {
    this.#operations.push({ kind: 'addForeign', foreign: foreignKey(columns, table, options) });
  }

  /** DROP a foreign key by name, or by the columns of one whose name Twistar generated (not on SQLite). */
  dropForeign(foreign: NameOrColumns): void {
    this.#operations.push({ kind: 'dropForeign', foreign: nameOrColumns(foreign) });
  }
}
