import { InvalidQueryError } from '../errors.js';
import { UnsupportedSchemaChangeError } from '../tooling-errors.js';
import type { Dialect } from '../dialects/dialect.js';
import { typeSql } from './column-types.js';
import { ddlName, defaultSql, generatedName } from './ddl-literals.js';
import type {
  AlterOperation,
  ColumnDefinition,
  ForeignKeyDefinition,
  IndexDefinition,
  NameOrColumns,
  ForeignKeyAction,
  TableDefinition,
} from './table-definition.js';

/**
 * One DDL statement to send. With `unlessIndex`, it is sent only when that index does not exist yet: the way to
 * write CREATE INDEX IF NOT EXISTS on MySQL, which lacks it (MariaDB, PostgreSQL and SQLite have it).
 */
export interface DdlStatement {
  readonly sql: string;
  readonly unlessIndex?: { readonly table: string; readonly name: string };
}

/** How a CREATE INDEX may skip an index that exists. */
export interface IfNotExists {
  /** Leave out what exists already (CREATE TABLE IF NOT EXISTS and its indexes). */
  readonly ifNotExists: boolean;
  /** The server takes CREATE INDEX IF NOT EXISTS; when not, the statement names the index to look for first. */
  readonly indexIfNotExists: boolean;
}

const ACTION_SQL: Record<ForeignKeyAction, string> = {
  cascade: 'CASCADE',
  'set null': 'SET NULL',
  restrict: 'RESTRICT',
  'no action': 'NO ACTION',
};

function names(dialect: Dialect, columns: readonly string[], what = 'Column'): string {
  return columns.map((column) => ddlName(dialect, column, what)).join(', ');
}

/** A column as it appears in CREATE TABLE or ADD COLUMN (without foreign keys). */
export function columnSql(dialect: Dialect, column: ColumnDefinition, inlinePrimary = true): string {
  const parts = [ddlName(dialect, column.name, 'Column name'), typeSql(dialect, column.type)];
  if (column.type.name === 'id') return parts.join(' ');
  if (column.notNull) parts.push('NOT NULL');
  if (column.default !== undefined)
    parts.push(`DEFAULT ${defaultSql(dialect, column.default.value, column.type)}`);
  if (column.primary && inlinePrimary) parts.push('PRIMARY KEY');
  return parts.join(' ');
}

/** `REFERENCES "teams" ("id") ON DELETE CASCADE`. */
function referencesSql(dialect: Dialect, foreign: ForeignKeyDefinition): string {
  let text = `REFERENCES ${ddlName(dialect, foreign.table, 'Table name')} (${names(dialect, foreign.referencedColumns)})`;
  if (foreign.onDelete !== undefined) text += ` ON DELETE ${ACTION_SQL[foreign.onDelete]}`;
  if (foreign.onUpdate !== undefined) text += ` ON UPDATE ${ACTION_SQL[foreign.onUpdate]}`;
  return text;
}

/** The name of an index or key given by name, or by the columns of one whose name Twistar generated. */
function nameOf(table: string, nameOrColumns: NameOrColumns, suffix: string): string {
  return typeof nameOrColumns === 'string' ? nameOrColumns : generatedName(table, nameOrColumns, suffix);
}

function foreignName(table: string, foreign: ForeignKeyDefinition): string {
  return nameOf(table, foreign.name ?? foreign.columns, 'foreign');
}

/** `CONSTRAINT "x" FOREIGN KEY ("a") REFERENCES …`, as a table constraint. */
function foreignKeySql(dialect: Dialect, table: string, foreign: ForeignKeyDefinition): string {
  return (
    `CONSTRAINT ${ddlName(dialect, foreignName(table, foreign), 'Constraint name')} ` +
    `FOREIGN KEY (${names(dialect, foreign.columns)}) ${referencesSql(dialect, foreign)}`
  );
}

/** CREATE [UNIQUE] INDEX [IF NOT EXISTS], or a CREATE INDEX to send unless the index exists (MySQL). */
export function createIndexSql(
  dialect: Dialect,
  table: string,
  index: IndexDefinition,
  options: IfNotExists = { ifNotExists: false, indexIfNotExists: true },
): DdlStatement {
  const name = nameOf(table, index.name ?? index.columns, index.unique ? 'unique' : 'index');
  const inline = options.ifNotExists && options.indexIfNotExists;
  const sql =
    `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${inline ? 'IF NOT EXISTS ' : ''}` +
    `${ddlName(dialect, name, 'Index name')} ON ${ddlName(dialect, table, 'Table name')} (${names(dialect, index.columns)})` +
    partialSql(dialect, table, index);
  return options.ifNotExists && !inline ? { sql, unlessIndex: { table, name } } : { sql };
}

/** The WHERE of a partial index (` WHERE "deleted_at" IS NULL`), or nothing; refused where there are none. */
function partialSql(dialect: Dialect, table: string, index: IndexDefinition): string {
  if (index.whereNull === undefined) return '';
  if (dialect.ddl.partialIndexes !== true) {
    throw new UnsupportedSchemaChangeError(
      `Cannot create the index on ${table} (${index.columns.join(', ')}) over the rows where ${index.whereNull} ` +
        `IS NULL: ${dialect.ddl.partialIndexAdvice ?? `${dialect.name} has no partial indexes.`} Nothing was sent.`,
    );
  }
  return ` WHERE ${ddlName(dialect, index.whereNull, 'Column name')} IS NULL`;
}

/** DROP INDEX (MySQL names the table too: index names are per table there). */
export function dropIndexSql(dialect: Dialect, table: string, index: NameOrColumns, unique = false): string {
  const quoted = ddlName(dialect, nameOf(table, index, unique ? 'unique' : 'index'), 'Index name');
  return dialect.ddl.dropIndex(quoted, ddlName(dialect, table, 'Table name'));
}

/** The indexes a column asks for itself: `.unique()`, and `.index()` (which `references()` sets). */
function columnIndexes(column: ColumnDefinition): IndexDefinition[] {
  if (column.type.name === 'id') return [];
  if (column.unique) return [{ name: undefined, columns: [column.name], unique: true }];
  // A primary key is indexed already.
  if (column.index && !column.primary) return [{ name: undefined, columns: [column.name], unique: false }];
  return [];
}

/** The one primary key a table may declare: t.id(), columns marked primary(), or t.primary([…]). */
function checkOnePrimaryKey(table: TableDefinition): void {
  const ids = table.columns
    .filter((column) => column.type.name === 'id')
    .map((column) => `t.id('${column.name}')`);
  const marked = table.columns.filter((column) => column.primary && column.type.name !== 'id');
  const declared = [
    ...ids,
    ...(marked.length > 0 ? [`primary() on ${marked.map((column) => column.name).join(', ')}`] : []),
    ...(table.primaryKey !== undefined ? [`t.primary([${table.primaryKey.join(', ')}])`] : []),
  ];
  if (declared.length > 1) {
    throw new InvalidQueryError(
      `createTable(${table.name}) declares ${declared.length} primary keys (${declared.join('; ')}); a table has one. ` +
        'Keep one of them, and make the other columns unique() if they must be.',
    );
  }
}

/** CREATE TABLE, then the indexes its columns and callback asked for. */
export function createTableSql(
  dialect: Dialect,
  table: TableDefinition,
  options: IfNotExists = { ifNotExists: false, indexIfNotExists: true },
): DdlStatement[] {
  checkOnePrimaryKey(table);
  const primaries = table.columns.filter((column) => column.primary).map((column) => column.name);
  const primaryKey = table.primaryKey ?? (primaries.length > 1 ? primaries : undefined);
  const notNull = new Set(primaryKey);
  const body = table.columns.map((column) =>
    columnSql(
      dialect,
      // SQLite would let a composite key's columns hold NULL.
      notNull.has(column.name) ? { ...column, notNull: true } : column,
      primaryKey === undefined,
    ),
  );
  if (primaryKey !== undefined) body.push(`PRIMARY KEY (${names(dialect, primaryKey)})`);
  for (const column of table.columns) {
    if (column.references !== undefined) body.push(foreignKeySql(dialect, table.name, column.references));
  }
  for (const foreign of table.foreignKeys) body.push(foreignKeySql(dialect, table.name, foreign));
  if (body.length === 0) {
    throw new UnsupportedSchemaChangeError(
      `createTable(${table.name}) defines no column; declare at least one in its callback (t.id(), t.string(…)).`,
    );
  }
  const create = `CREATE TABLE ${options.ifNotExists ? 'IF NOT EXISTS ' : ''}${ddlName(dialect, table.name, 'Table name')}`;
  const indexes = [...table.columns.flatMap(columnIndexes), ...table.indexes];
  return [
    { sql: `${create} (${body.join(', ')})` },
    ...indexes.map((index) => createIndexSql(dialect, table.name, index, options)),
  ];
}

/** Refuses a change ALTER TABLE cannot make on `dialect` (see DdlRules.limitedAlterTable), if it is limited. */
function refuseIfLimited(dialect: Dialect, table: string, what: string): void {
  const limits = dialect.ddl.limitedAlterTable;
  if (limits === undefined) return;
  throw new UnsupportedSchemaChangeError(
    `${dialect.displayName} cannot ${what} of an existing table (alterTable(${table})). ${limits.advice}`,
  );
}

/** ADD COLUMN, with its foreign key and indexes. */
function addColumnSql(dialect: Dialect, table: string, column: ColumnDefinition): string[] {
  const quotedTable = ddlName(dialect, table, 'Table name');
  let definition = columnSql(dialect, column);
  const statements: string[] = [];
  if (column.primary || column.type.name === 'id')
    refuseIfLimited(dialect, table, 'add a primary key column');
  if (column.notNull && column.default === undefined) {
    refuseIfLimited(dialect, table, `add the NOT NULL column "${column.name}" without a default`);
  }
  const inline = dialect.ddl.addedColumnForeignKey === 'inline';
  if (column.references !== undefined && inline) {
    const name = ddlName(dialect, foreignName(table, column.references), 'Constraint name');
    definition += ` CONSTRAINT ${name} ${referencesSql(dialect, column.references)}`;
  }
  statements.push(`ALTER TABLE ${quotedTable} ADD COLUMN ${definition}`);
  if (column.references !== undefined && !inline) {
    statements.push(`ALTER TABLE ${quotedTable} ADD ${foreignKeySql(dialect, table, column.references)}`);
  }
  for (const index of columnIndexes(column)) statements.push(createIndexSql(dialect, table, index).sql);
  return statements;
}

function alterSql(dialect: Dialect, table: string, operation: AlterOperation): string[] {
  const quotedTable = ddlName(dialect, table, 'Table name');
  switch (operation.kind) {
    case 'addColumn':
      return addColumnSql(dialect, table, operation.column);
    case 'dropColumn':
      return [`ALTER TABLE ${quotedTable} DROP COLUMN ${ddlName(dialect, operation.name, 'Column name')}`];
    case 'renameColumn':
      return [
        `ALTER TABLE ${quotedTable} RENAME COLUMN ${ddlName(dialect, operation.from, 'Column name')} TO ` +
          ddlName(dialect, operation.to, 'Column name'),
      ];
    case 'addIndex':
      return [createIndexSql(dialect, table, operation.index).sql];
    case 'dropIndex':
      return [dropIndexSql(dialect, table, operation.index, operation.unique)];
    case 'addForeign':
      refuseIfLimited(dialect, table, 'add a foreign key to the columns');
      return [`ALTER TABLE ${quotedTable} ADD ${foreignKeySql(dialect, table, operation.foreign)}`];
    case 'dropForeign': {
      refuseIfLimited(dialect, table, 'drop a foreign key');
      const quoted = ddlName(dialect, nameOf(table, operation.foreign, 'foreign'), 'Constraint name');
      return [dialect.ddl.dropForeignKey(quotedTable, quoted)];
    }
  }
}

/** The statements of an alterTable, one change each (SQLite alters one thing per statement). */
export function alterTableSql(
  dialect: Dialect,
  table: string,
  operations: readonly AlterOperation[],
): string[] {
  return operations.flatMap((operation) => alterSql(dialect, table, operation));
}

/** DROP TABLE [IF EXISTS]. */
export function dropTableSql(dialect: Dialect, table: string, ifExists = false): string {
  return `DROP TABLE ${ifExists ? 'IF EXISTS ' : ''}${ddlName(dialect, table, 'Table name')}`;
}

/** Renames a table. */
export function renameTableSql(dialect: Dialect, from: string, to: string): string {
  const [old, next] = [ddlName(dialect, from, 'Table name'), ddlName(dialect, to, 'Table name')];
  return dialect.ddl.renameTable(old, next);
}
