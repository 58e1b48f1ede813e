import { after, before, beforeEach } from 'node:test';
import type { BackendContext, DialectName } from './backends.js';
import { Registry, connect, type ConnectionPool } from '../../src/index.js';

/** Portable column types for test tables; modifiers (`unique`, `not null`, `default …`) follow the type word. */
const TYPES: Record<string, Record<DialectName, string>> = {
  pk: {
    sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT',
    postgres: 'SERIAL PRIMARY KEY',
    mysql: 'INT AUTO_INCREMENT PRIMARY KEY',
  },
  string: { sqlite: 'VARCHAR(255)', postgres: 'VARCHAR(255)', mysql: 'VARCHAR(255)' },
  text: { sqlite: 'TEXT', postgres: 'TEXT', mysql: 'TEXT' },
  bigpk: {
    sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT',
    postgres: 'BIGSERIAL PRIMARY KEY',
    mysql: 'BIGINT AUTO_INCREMENT PRIMARY KEY',
  },
  int: { sqlite: 'INTEGER', postgres: 'INTEGER', mysql: 'INT' },
  bigint: { sqlite: 'BIGINT', postgres: 'BIGINT', mysql: 'BIGINT' },
  bool: { sqlite: 'BOOLEAN', postgres: 'BOOLEAN', mysql: 'BOOLEAN' },
  date: { sqlite: 'DATE', postgres: 'DATE', mysql: 'DATE' },
  datetime: { sqlite: 'DATETIME', postgres: 'TIMESTAMP(3)', mysql: 'DATETIME(3)' },
  blob: { sqlite: 'BLOB', postgres: 'BYTEA', mysql: 'BLOB' },
  longtext: { sqlite: 'TEXT', postgres: 'TEXT', mysql: 'LONGTEXT' },
  longblob: { sqlite: 'BLOB', postgres: 'BYTEA', mysql: 'LONGBLOB' },
  real: { sqlite: 'REAL', postgres: 'DOUBLE PRECISION', mysql: 'DOUBLE' },
  json: { sqlite: 'JSON', postgres: 'JSONB', mysql: 'JSON' },
};

/**
 * The DDL type of a portable column description such as `'string not null unique'`; `string(n)`, `char(n)` and
 * `decimal(p,s)` are VARCHAR(n), CHAR(n) and DECIMAL(p,s) everywhere.
 */
export function columnType(dialect: string, description: string): string {
  const [word = '', ...rest] = description.split(' ');
  const sized = /^(string|char)\((\d+)\)$/.exec(word);
  const decimal = /^decimal\((\d+),(\d+)\)$/.exec(word);
  const type = sized
    ? `${sized[1] === 'char' ? 'CHAR' : 'VARCHAR'}(${sized[2]})`
    : decimal
      ? `DECIMAL(${decimal[1]},${decimal[2]})`
      : TYPES[word]?.[dialect as DialectName];
  if (type === undefined) throw new Error(`Unknown test column type "${word}"`);
  return [type, ...rest].join(' ');
}

/** (Re)creates `table` with `columns` on `pool`, and makes Twistar forget its old columns. */
export async function createTable(
  pool: ConnectionPool,
  table: string,
  columns: Readonly<Record<string, string>>,
): Promise<void> {
  const quote = (name: string) => pool.dialect.quoteIdentifier(name);
  await dropTable(pool, table);
  const body = Object.entries(columns)
    .map(([name, description]) => `${quote(name)} ${columnType(pool.dialect.name, description)}`)
    .join(', ');
  await pool.runOperation(`CREATE TABLE ${quote(table)} (${body})`);
  Registry.getConfig(pool).forgetColumns(table);
}

export async function dropTable(pool: ConnectionPool, table: string): Promise<void> {
  await pool.runOperation(`DROP TABLE IF EXISTS ${pool.dialect.quoteIdentifier(table)}`);
  Registry.getConfig(pool).forgetColumns(table);
}

/** The users table most suites share. */
export const USERS = {
  id: 'pk',
  first_name: 'string',
  last_name: 'string',
  age: 'int',
  created_at: 'datetime',
  updated_at: 'datetime',
} as const;

/**
 * Sets up a suite's own tables: created once, emptied before each test (then `seed`), dropped when the suite ends
 * (through another pool, since the suite's is closed by then; a database in memory vanishes with its pool).
 */
export function useTables(
  db: BackendContext,
  tables: Readonly<Record<string, Readonly<Record<string, string>>>>,
  seed?: () => Promise<void>,
): void {
  before(async () => {
    for (const [table, columns] of Object.entries(tables)) await createTable(db.pool, table, columns);
  });
  beforeEach(async () => {
    for (const table of Object.keys(tables)) await db.pool.runOperation(`DELETE FROM ${table}`);
    await seed?.();
  });
  after(async () => {
    if (db.url === 'pglite:' || db.url.includes(':memory:')) return;
    const pool = connect(db.url);
    try {
      for (const table of Object.keys(tables)) await dropTable(pool, table);
    } finally {
      await pool.close();
    }
  });
}
