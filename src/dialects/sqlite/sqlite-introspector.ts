import type { DialectSession } from '../driver.js';
import type { ColumnSchema, IndexSchema, TableSchema } from '../table-schema.js';
import { foreignKeyFromRows, groupBy, indexFromRows, text } from '../catalogue-rows.js';
import { sqliteType } from './sqlite-catalogue.js';

// The main database's ordinary tables: not views, virtual tables or their shadow tables, nor SQLite's own;
// every PRAGMA names 'main', since a TEMP table of the same name would otherwise answer instead.
const TABLES = `SELECT name, wr FROM pragma_table_list
 WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`;

/** The tables of an SQLite database (`main`), from the table-valued PRAGMA functions. */
export async function introspectSqlite(pool: DialectSession): Promise<TableSchema[]> {
  const tables: TableSchema[] = [];
  for (const { name, wr } of await pool.runQuery(TABLES)) {
    tables.push(await sqliteTable(pool, text(name), Number(wr) === 1));
  }
  // A foreign key that names no columns references the other table's primary key.
  return tables.map((table) => ({
    ...table,
    foreignKeys: table.foreignKeys.map((key) =>
      key.referencedColumns.length > 0
        ? key
        : {
            ...key,
            referencedColumns: tables.find((other) => other.name === key.referencedTable)?.primaryKey ?? [],
          },
    ),
  }));
}

async function sqliteTable(pool: DialectSession, table: string, withoutRowid: boolean): Promise<TableSchema> {
  const columnRows = await pool.runQuery(
    `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?, 'main') ORDER BY cid`,
    [table],
  );
  const primaryKey = columnRows
    .filter((row) => Number(row.pk) > 0)
    .sort((a, b) => Number(a.pk) - Number(b.pk))
    .map((row) => text(row.name));
  const columns = columnRows.map((row): ColumnSchema => {
    const type = text(row.type);
    // INTEGER PRIMARY KEY (alone, that exact type, in a rowid table) is the rowid: never NULL, numbered by SQLite.
    const rowid =
      !withoutRowid && primaryKey.length === 1 && Number(row.pk) === 1 && type.toUpperCase() === 'INTEGER';
    return {
      name: text(row.name),
      type,
      ...sqliteType(type),
      nullable: !rowid && Number(row.notnull) === 0,
      default: row.dflt_value == null ? null : text(row.dflt_value),
      primaryKey: Number(row.pk) > 0,
      autoIncrement: rowid,
    };
  });
  const keyRows = await pool.runQuery(
    `SELECT id, "from" AS column_name, "table" AS referenced_table, "to" AS referenced_column, on_update,
            on_delete
       FROM pragma_foreign_key_list(?, 'main') ORDER BY id, seq`,
    [table],
  );
  return {
    name: table,
    columns,
    primaryKey,
    foreignKeys: [...groupBy(keyRows, (row) => text(row.id)).values()].map((parts) =>
      foreignKeyFromRows(null, parts),
    ),
    indexes: await indexesOf(pool, table),
  };
}

async function indexesOf(pool: DialectSession, table: string): Promise<IndexSchema[]> {
  const list = await pool.runQuery(
    `SELECT name, "unique", origin, partial FROM pragma_index_list(?, 'main') ORDER BY name`,
    [table],
  );
  const indexes: IndexSchema[] = [];
  for (const index of list) {
    if (index.origin === 'pk') continue;
    const parts = await pool.runQuery(
      `SELECT seqno, name AS column_name FROM pragma_index_info(?, 'main') ORDER BY seqno`,
      [index.name],
    );
    // An expression (cid -2) or the rowid (cid -1) has no name.
    if (parts.some((part) => part.column_name == null)) continue;
    indexes.push(
      indexFromRows(text(index.name), parts, {
        unique: Number(index.unique) === 1,
        partial: Number(index.partial) === 1,
      }),
    );
  }
  return indexes;
}
