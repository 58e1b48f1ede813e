import type { ConnectionPool } from '../connection/connection-pool.js';
import type { Row } from '../connection/driver.js';
import type { ColumnSchema, ForeignKeySchema, IndexSchema, TableSchema } from './database-schema.js';
import { portableType, referentialAction } from './portable-kind.js';
import { groupBy } from './group-by.js';

const text = (value: unknown): string => String(value);

/** The tables of an SQLite database, from sqlite_master and the table-valued PRAGMA functions. */
export async function introspectSqlite(pool: ConnectionPool): Promise<TableSchema[]> {
  const names = await pool.runQuery(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
  );
  const tables: TableSchema[] = [];
  for (const { name } of names) tables.push(await sqliteTable(pool, text(name)));
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

async function sqliteTable(pool: ConnectionPool, table: string): Promise<TableSchema> {
  const columnRows = await pool.runQuery(
    'SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid',
    [table],
  );
  const primaryKey = columnRows
    .filter((row) => Number(row.pk) > 0)
    .sort((a, b) => Number(a.pk) - Number(b.pk))
    .map((row) => text(row.name));
  const columns = columnRows.map((row): ColumnSchema => {
    const type = text(row.type);
    // INTEGER PRIMARY KEY (alone, that exact type) is the rowid: never NULL, numbered by SQLite.
    const rowid = primaryKey.length === 1 && Number(row.pk) === 1 && type.toUpperCase() === 'INTEGER';
    return {
      name: text(row.name),
      type,
      ...portableType('sqlite', type),
      nullable: !rowid && Number(row.notnull) === 0,
      default: row.dflt_value == null ? null : text(row.dflt_value),
      primaryKey: Number(row.pk) > 0,
      autoIncrement: rowid,
    };
  });
  return {
    name: table,
    columns,
    primaryKey,
    foreignKeys: foreignKeysOf(
      await pool.runQuery(
        'SELECT id, seq, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq',
        [table],
      ),
    ),
    indexes: await indexesOf(pool, table),
  };
}

function foreignKeysOf(rows: readonly Row[]): ForeignKeySchema[] {
  return [...groupBy(rows, (row) => String(row.id)).values()].map((parts): ForeignKeySchema => {
    const first = parts[0] as Row;
    return {
      name: null,
      columns: parts.map((part) => text(part.from)),
      referencedTable: text(first.table),
      referencedColumns: parts.some((part) => part.to == null) ? [] : parts.map((part) => text(part.to)),
      onDelete: referentialAction(first.on_delete),
      onUpdate: referentialAction(first.on_update),
    };
  });
}

async function indexesOf(pool: ConnectionPool, table: string): Promise<IndexSchema[]> {
  const list = await pool.runQuery(
    'SELECT name, "unique", origin, partial FROM pragma_index_list(?) ORDER BY name',
    [table],
  );
  const indexes: IndexSchema[] = [];
  for (const index of list) {
    if (index.origin === 'pk') continue;
    const parts = await pool.runQuery('SELECT seqno, cid, name FROM pragma_index_info(?) ORDER BY seqno', [
      index.name,
    ]);
    // cid -2 is an expression, -1 the rowid.
    if (parts.some((part) => part.name == null)) continue;
    indexes.push({
      name: text(index.name),
      columns: parts.map((part) => text(part.name)),
      unique: Number(index.unique) === 1,
      partial: Number(index.partial) === 1,
    });
  }
  return indexes;
}
