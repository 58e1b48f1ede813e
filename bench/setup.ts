import type { ConnectionPool } from '../src/index.js';

/** The benchmark's schema: users(id, first_name, last_name, age, created_at), pictures(id, user_id, name, size). */
const DDL: Record<'sqlite' | 'postgres' | 'mysql', readonly string[]> = {
  sqlite: [
    'CREATE TABLE bench_users (id INTEGER PRIMARY KEY AUTOINCREMENT, first_name TEXT, last_name TEXT, age INTEGER, created_at DATETIME)',
    'CREATE TABLE bench_pictures (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER, name TEXT, size INTEGER)',
  ],
  postgres: [
    'CREATE TABLE bench_users (id SERIAL PRIMARY KEY, first_name VARCHAR(255), last_name VARCHAR(255), age INTEGER, created_at TIMESTAMP(3))',
    'CREATE TABLE bench_pictures (id SERIAL PRIMARY KEY, user_id INTEGER, name VARCHAR(255), size INTEGER)',
  ],
  mysql: [
    'CREATE TABLE bench_users (id INT AUTO_INCREMENT PRIMARY KEY, first_name VARCHAR(255), last_name VARCHAR(255), age INT, created_at DATETIME(3))',
    'CREATE TABLE bench_pictures (id INT AUTO_INCREMENT PRIMARY KEY, user_id INT, name VARCHAR(255), size INT)',
  ],
};

/** Users seeded before the read operations; ages 0–99 spread evenly, so one age matches ~1% of them. */
export const SEEDED_USERS = 10_000;
/** Users with pictures, for the eager load, and pictures each. */
export const USERS_WITH_PICTURES = 100;
export const PICTURES_EACH = 10;

/** Drops and creates the tables, then fills them through the low-level interface. */
export async function createSchema(pool: ConnectionPool): Promise<void> {
  await pool.runOperation('DROP TABLE IF EXISTS bench_pictures');
  await pool.runOperation('DROP TABLE IF EXISTS bench_users');
  for (const statement of DDL[pool.dialect.name as keyof typeof DDL]) await pool.runOperation(statement);
  await pool.runOperation('CREATE INDEX bench_pictures_user_id ON bench_pictures (user_id)');
  await pool.runOperation('CREATE INDEX bench_users_age ON bench_users (age)');
}

/** The row of seeded user `i`. */
export function userRow(i: number): { first_name: string; last_name: string; age: number; created_at: Date } {
  return {
    first_name: `First${i}`,
    last_name: `Last${i}`,
    age: i % 100,
    created_at: new Date(1_700_000_000_000 + i),
  };
}
