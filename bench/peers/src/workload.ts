/** The workload of bench/setup.ts and bench/run.ts, restated so that this package stands on its own. */

export type Database = 'sqlite' | 'postgres' | 'mysql';

/** In the order they run (as in bench/run.ts): reads first, then the writes that leave dead rows behind. */
export const OPERATIONS = [
  'find-by-pk',
  'find-where',
  'count',
  'paginate',
  'eager-load',
  'update-one',
  'insert-one',
  'insert-bulk',
  'concurrent-find',
] as const;
export type OperationName = (typeof OPERATIONS)[number];

/** Users seeded before the read operations; ages 0–99 spread evenly, so one age matches 1% of them. */
export const SEEDED_USERS = 10_000;
/** Users with pictures, for the eager load, and pictures each. */
export const USERS_WITH_PICTURES = 100;
export const PICTURES_EACH = 10;
/** paginate's page: the second of PAGE_SIZE rows (ordered by id) of the users with an age from a bound up. */
export const PAGE_SIZE = 20;
export const PAGE_OFFSET = 20;
/** Rows inserted by insert-bulk. */
export const BULK_ROWS = 10_000;
/** The user that update-one loads once and then saves over and over. */
export const UPDATED_USER = 7;
/** Pool size of every ORM and of the concurrent raw baseline; finds in flight for concurrent-find. */
export const POOL_SIZE = 10;
export const IN_FLIGHT = 32;

/** Rows per INSERT statement in the bulk insert, as bench/raw.ts chunks them. */
export const BULK_CHUNK: Record<Database, number> = { sqlite: 500, postgres: 1000, mysql: 1000 };

export const DDL: Record<Database, readonly string[]> = {
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
export const INDEXES = [
  'CREATE INDEX bench_pictures_user_id ON bench_pictures (user_id)',
  'CREATE INDEX bench_users_age ON bench_users (age)',
];

export interface UserRow {
  first_name: string;
  last_name: string;
  age: number;
  created_at: Date;
}

/** The row of seeded user `i` (its id is i + 1). */
export function userRow(i: number): UserRow {
  return {
    first_name: `First${i}`,
    last_name: `Last${i}`,
    age: i % 100,
    created_at: new Date(1_700_000_000_000 + i),
  };
}

/** A row for the insert operations. */
export function newRow(i: number): UserRow {
  return { first_name: `New${i}`, last_name: 'Bench', age: -1, created_at: new Date() };
}

/** The pictures of the first USERS_WITH_PICTURES users. */
export function pictureRows(): { user_id: number; name: string; size: number }[] {
  const rows = [];
  for (let user = 1; user <= USERS_WITH_PICTURES; user++) {
    for (let p = 0; p < PICTURES_EACH; p++)
      rows.push({ user_id: user, name: `u${user}p${p}.jpg`, size: p * 100 });
  }
  return rows;
}

/** A date as SQLite stores it here: UTC text with milliseconds (better-sqlite3 cannot bind a Date). */
export function utc(date: Date): string {
  return date.toISOString().slice(0, 23).replace('T', ' ');
}
