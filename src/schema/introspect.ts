import type { ConnectionPool } from '../connection/connection-pool.js';
import { Registry } from '../registry.js';
import type { DatabaseSchema, TableSchema } from './database-schema.js';
import { introspectMysql } from './mysql-introspector.js';
import { introspectPostgres } from './postgres-introspector.js';
import { introspectSqlite } from './sqlite-introspector.js';
import { compareText } from './text-order.js';

/** The table where migrations record what was applied; Twistar's bookkeeping, not the application's. */
export const MIGRATIONS_TABLE = 'twistar_migrations';

/** Twistar's own tables (the migrations table and any `twistar_migrations_…` companion), left out of a schema. */
export function isInternalTable(name: string): boolean {
  return name === MIGRATIONS_TABLE || name.startsWith(`${MIGRATIONS_TABLE}_`);
}

const READERS = {
  sqlite: introspectSqlite,
  postgres: introspectPostgres,
  mysql: introspectMysql,
} as const;

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
 * declared and portable types, primary keys, foreign keys and indexes. System tables and Twistar's migration
 * bookkeeping are left out; on PostgreSQL only the current schema is read. Reads go to the primary.
 */
export async function introspect(pool: ConnectionPool = Registry.getPool()): Promise<DatabaseSchema> {
  const tables = await pool.primary(() => READERS[pool.dialect.name](pool));
  return {
    dialect: pool.dialect.name,
    tables: tables
      .filter((table) => !isInternalTable(table.name))
      .map(sorted)
      .sort((a, b) => compareText(a.name, b.name)),
  };
}
