import type { ConnectionPool } from '../connection/connection-pool.js';
import { Registry } from '../registry.js';
import type { TableSchema } from '../dialects/table-schema.js';
import type { DatabaseSchema } from './database-schema.js';
import { tableExclusion, type IntrospectOptions } from './introspect-options.js';
import { compareText } from './text-order.js';

export { MIGRATIONS_TABLE, type IntrospectOptions } from './introspect-options.js';

function sorted(table: TableSchema): TableSchema {
  const keyOf = (key: TableSchema['foreignKeys'][number]) => `${key.name ?? ''}\0${key.columns.join('\0')}`;
  return {
    ...table,
    foreignKeys: [...table.foreignKeys].sort((a, b) => compareText(keyOf(a), keyOf(b))),
    indexes: [...table.indexes].sort((a, b) => compareText(a.name, b.name)),
  };
}

/**
 * Reads the tables of the database `pool` (default `Registry.DBPOOL`) is connected to: columns with their
 * declared and portable types, primary keys, foreign keys and indexes. System tables, Twistar's migration
 * bookkeeping (`options.migrationsTable`, default `twistar_migrations`) and the `options.exclude` tables are
 * left out; on PostgreSQL only the current schema is read. Reads go to the primary.
 */
export async function introspect(
  pool: ConnectionPool = Registry.getPool(),
  options: IntrospectOptions = {},
): Promise<DatabaseSchema> {
  const excluded = tableExclusion(options);
  const tables = await pool.primary(() => pool.dialect.introspect(pool));
  return {
    dialect: pool.dialect.name,
    tables: tables
      .filter((table) => !excluded(table.name))
      .map(sorted)
      .sort((a, b) => compareText(a.name, b.name)),
  };
}
