import Database from 'better-sqlite3';
import type mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import pg from 'pg';

/** A row as the raw drivers return it. */
type Row = Record<string, unknown>;

/** The benchmark's operations written directly against a driver, with hand-written SQL and prepared statements. */
export interface RawClient {
  findByPk(id: number): Promise<Row | undefined> | Row | undefined;
  findWhere(low: number, high: number): Promise<Row[]> | Row[];
  insertOne(row: UserRow): Promise<unknown> | unknown;
  insertBulk(rows: readonly UserRow[]): Promise<unknown> | unknown;
  updateOne(id: number, age: number): Promise<unknown> | unknown;
  /** Inserts the user, or updates the one with its id, and gives the row where the database can in that statement. */
  upsertOne(row: KeyedUserRow): Promise<unknown> | unknown;
  /** upsertOne for many rows: multi-row statements in one transaction. */
  upsertBulk(rows: readonly KeyedUserRow[]): Promise<unknown> | unknown;
  /** Adds 1 to the user's age in the database, giving the new age where the database can in that statement. */
  increment(id: number): Promise<unknown> | unknown;
  count(age: number): Promise<number> | number;
  /** One page of the users with an age from `age` up (by id) and how many there are in all, as paginate gives. */
  page(
    age: number,
    limit: number,
    offset: number,
  ): Promise<{ rows: Row[]; total: number }> | { rows: Row[]; total: number };
  /** Users with ids up to `lastId` and their pictures, attached to them. */
  eagerLoad(lastId: number): Promise<Row[]> | Row[];
  all(): Promise<Row[]> | Row[];
  close(): Promise<void> | void;
}

export interface UserRow {
  first_name: string;
  last_name: string;
  age: number;
  created_at: Date;
}

/** A user row with its key, for the upserts. */
export interface KeyedUserRow extends UserRow {
  id: number;
}

const UPSERT_COLUMNS = '(id, first_name, last_name, age, created_at)';
const keyedValues = (r: KeyedUserRow, date: (d: Date) => unknown = (d) => d) => [
  r.id,
  r.first_name,
  r.last_name,
  r.age,
  date(r.created_at),
];
/** The ON CONFLICT clause of SQLite and PostgreSQL. */
const ON_CONFLICT =
  ' ON CONFLICT (id) DO UPDATE SET first_name = excluded.first_name, last_name = excluded.last_name, ' +
  'age = excluded.age, created_at = excluded.created_at';
const ON_DUPLICATE =
  ' ON DUPLICATE KEY UPDATE first_name = VALUES(first_name), last_name = VALUES(last_name), ' +
  'age = VALUES(age), created_at = VALUES(created_at)';
const tuples = (count: number, size: number, place: (n: number) => string) =>
  Array.from(
    { length: count },
    (_, i) => `(${Array.from({ length: size }, (_, j) => place(i * size + j + 1)).join(', ')})`,
  ).join(', ');

function attach(users: Row[], pictures: Row[]): Row[] {
  const byUser = new Map<unknown, Row[]>();
  for (const picture of pictures) {
    const list = byUser.get(picture.user_id);
    if (list) list.push(picture);
    else byUser.set(picture.user_id, [picture]);
  }
  for (const user of users) user.pictures = byUser.get(user.id) ?? [];
  return users;
}

function utc(date: Date): string {
  return date.toISOString().slice(0, 23).replace('T', ' ');
}

/** better-sqlite3 with statements prepared once. */
export function rawSqlite(filename: string): RawClient {
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  const byPk = db.prepare('SELECT * FROM bench_users WHERE id = ?');
  const where = db.prepare('SELECT * FROM bench_users WHERE age BETWEEN ? AND ? ORDER BY id');
  const insert = db.prepare(
    'INSERT INTO bench_users (first_name, last_name, age, created_at) VALUES (?, ?, ?, ?)',
  );
  const update = db.prepare('UPDATE bench_users SET age = ? WHERE id = ?');
  const count = db.prepare('SELECT COUNT(*) AS count FROM bench_users WHERE age > ?').pluck();
  const users = db.prepare('SELECT * FROM bench_users WHERE id <= ? ORDER BY id');
  const all = db.prepare('SELECT * FROM bench_users');
  const pageCount = db.prepare('SELECT COUNT(*) AS count FROM bench_users WHERE age >= ?').pluck();
  const pageRows = db.prepare('SELECT * FROM bench_users WHERE age >= ? ORDER BY id LIMIT ? OFFSET ?');
  const upsert = db.prepare(
    `INSERT INTO bench_users ${UPSERT_COLUMNS} VALUES (?, ?, ?, ?, ?)${ON_CONFLICT} RETURNING *`,
  );
  const increment = db.prepare('UPDATE bench_users SET age = age + 1 WHERE id = ? RETURNING age').pluck();
  const upsertBulk = db.transaction((rows: readonly KeyedUserRow[]) => {
    for (let start = 0; start < rows.length; start += 500) {
      const chunk = rows.slice(start, start + 500);
      db.prepare(
        `INSERT INTO bench_users ${UPSERT_COLUMNS} VALUES ${tuples(chunk.length, 5, () => '?')}${ON_CONFLICT} RETURNING *`,
      ).all(...chunk.flatMap((r) => keyedValues(r, utc)));
    }
  });
  const bulk = db.transaction((rows: readonly UserRow[]) => {
    for (let start = 0; start < rows.length; start += 500) {
      const chunk = rows.slice(start, start + 500);
      db.prepare(
        `INSERT INTO bench_users (first_name, last_name, age, created_at) VALUES ${chunk.map(() => '(?, ?, ?, ?)').join(', ')}`,
      ).run(...chunk.flatMap((r) => [r.first_name, r.last_name, r.age, utc(r.created_at)]));
    }
  });
  return {
    findByPk: (id) => byPk.get(id) as Row | undefined,
    findWhere: (low, high) => where.all(low, high) as Row[],
    insertOne: (r) => insert.run(r.first_name, r.last_name, r.age, utc(r.created_at)).lastInsertRowid,
    insertBulk: (rows) => bulk(rows),
    updateOne: (id, age) => update.run(age, id),
    upsertOne: (r) => upsert.get(...keyedValues(r, utc)),
    upsertBulk: (rows) => upsertBulk(rows),
    increment: (id) => increment.get(id),
    count: (age) => count.get(age) as number,
    page: (age, limit, offset) => ({
      total: pageCount.get(age) as number,
      rows: pageRows.all(age, limit, offset) as Row[],
    }),
    eagerLoad(lastId) {
      const found = users.all(lastId) as Row[];
      const ids = found.map((user) => user.id);
      const pictures = db
        .prepare(`SELECT * FROM bench_pictures WHERE user_id IN (${ids.map(() => '?').join(', ')})`)
        .all(...ids) as Row[];
      return attach(found, pictures);
    },
    all: () => all.all() as Row[],
    close: () => {
      db.close();
    },
  };
}

/** node-postgres with named (server-side prepared) statements, on one client or a pool. */
export function rawPostgres(url: string, poolSize = 1): RawClient & { pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: '-c TimeZone=UTC' });
  const query = async (name: string, text: string, values: unknown[]) =>
    (await pool.query({ name, text, values })).rows as Row[];
  return {
    pool,
    findByPk: async (id) => (await query('pk', 'SELECT * FROM bench_users WHERE id = $1', [id]))[0],
    findWhere: (low, high) =>
      query('where', 'SELECT * FROM bench_users WHERE age BETWEEN $1 AND $2 ORDER BY id', [low, high]),
    page: async (age, limit, offset) => {
      const counted = await query('page-count', 'SELECT COUNT(*) AS count FROM bench_users WHERE age >= $1', [
        age,
      ]);
      const rows = await query(
        'page-rows',
        'SELECT * FROM bench_users WHERE age >= $1 ORDER BY id LIMIT $2 OFFSET $3',
        [age, limit, offset],
      );
      return { rows, total: Number(counted[0]?.count) };
    },
    insertOne: async (r) =>
      (
        await query(
          'insert',
          'INSERT INTO bench_users (first_name, last_name, age, created_at) VALUES ($1, $2, $3, $4) RETURNING id',
          [r.first_name, r.last_name, r.age, r.created_at],
        )
      )[0]?.id,
    async insertBulk(rows) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (let start = 0; start < rows.length; start += 1000) {
          const chunk = rows.slice(start, start + 1000);
          const text = `INSERT INTO bench_users (first_name, last_name, age, created_at) VALUES ${chunk.map((_, i) => `($${i * 4 + 1}, $${i * 4 + 2}, $${i * 4 + 3}, $${i * 4 + 4})`).join(', ')}`;
          await client.query(
            text,
            chunk.flatMap((r) => [r.first_name, r.last_name, r.age, r.created_at]),
          );
        }
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    },
    updateOne: (id, age) => query('update', 'UPDATE bench_users SET age = $1 WHERE id = $2', [age, id]),
    upsertOne: async (r) =>
      (
        await query(
          'upsert',
          `INSERT INTO bench_users ${UPSERT_COLUMNS} VALUES ($1, $2, $3, $4, $5)${ON_CONFLICT} RETURNING *`,
          keyedValues(r),
        )
      )[0],
    async upsertBulk(rows) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (let start = 0; start < rows.length; start += 1000) {
          const chunk = rows.slice(start, start + 1000);
          const text = `INSERT INTO bench_users ${UPSERT_COLUMNS} VALUES ${tuples(chunk.length, 5, (n) => `$${n}`)}${ON_CONFLICT} RETURNING *`;
          await client.query(
            text,
            chunk.flatMap((r) => keyedValues(r)),
          );
        }
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    },
    increment: async (id) =>
      (await query('increment', 'UPDATE bench_users SET age = age + 1 WHERE id = $1 RETURNING age', [id]))[0],
    count: async (age) =>
      Number(
        (await query('count', 'SELECT COUNT(*) AS count FROM bench_users WHERE age > $1', [age]))[0]?.count,
      ),
    async eagerLoad(lastId) {
      const found = await query('users', 'SELECT * FROM bench_users WHERE id <= $1 ORDER BY id', [lastId]);
      const pictures = await query('pictures', 'SELECT * FROM bench_pictures WHERE user_id = ANY($1)', [
        found.map((u) => u.id),
      ]);
      return attach(found, pictures);
    },
    all: () => query('all', 'SELECT * FROM bench_users', []),
    close: () => pool.end(),
  };
}

/** mysql2, with both its text protocol (`query`) and prepared statements (`execute`). */
export function rawMysql(
  url: string,
  mode: 'query' | 'execute',
  poolSize = 1,
): RawClient & { pool: mysqlPromise.Pool } {
  const pool = mysqlPromise.createPool({
    uri: url,
    connectionLimit: poolSize,
    timezone: 'Z',
    supportBigNumbers: true,
  });
  const run = async (sql: string, values: unknown[]) =>
    (mode === 'execute'
      ? await pool.execute(sql, values as mysql.ExecuteValues)
      : await pool.query(sql, values))[0];
  // A LIMIT or OFFSET value: query() inlines a string quoted, which the server rejects ("LIMIT '20'"); execute()
  // binds a number as a DOUBLE, which MySQL 8.0.22+ rejects there, so it gets the number as a string.
  const bound = (n: number) => (mode === 'execute' ? String(n) : n);
  return {
    pool,
    findByPk: async (id) => ((await run('SELECT * FROM bench_users WHERE id = ?', [id])) as Row[])[0],
    findWhere: async (low, high) =>
      (await run('SELECT * FROM bench_users WHERE age BETWEEN ? AND ? ORDER BY id', [low, high])) as Row[],
    page: async (age, limit, offset) => {
      const counted = (await run('SELECT COUNT(*) AS count FROM bench_users WHERE age >= ?', [age])) as Row[];
      const rows = (await run('SELECT * FROM bench_users WHERE age >= ? ORDER BY id LIMIT ? OFFSET ?', [
        age,
        bound(limit),
        bound(offset),
      ])) as Row[];
      return { rows, total: Number(counted[0]?.count) };
    },
    insertOne: async (r) =>
      (
        (await run('INSERT INTO bench_users (first_name, last_name, age, created_at) VALUES (?, ?, ?, ?)', [
          r.first_name,
          r.last_name,
          r.age,
          r.created_at,
        ])) as mysql.ResultSetHeader
      ).insertId,
    async insertBulk(rows) {
      const connection = await pool.getConnection();
      try {
        await connection.query('START TRANSACTION');
        for (let start = 0; start < rows.length; start += 1000) {
          const chunk = rows.slice(start, start + 1000);
          const sql = `INSERT INTO bench_users (first_name, last_name, age, created_at) VALUES ${chunk.map(() => '(?, ?, ?, ?)').join(', ')}`;
          const values = chunk.flatMap((r) => [r.first_name, r.last_name, r.age, r.created_at]);
          if (mode === 'execute') await connection.execute(sql, values);
          else await connection.query(sql, values);
        }
        await connection.query('COMMIT');
      } finally {
        connection.release();
      }
    },
    updateOne: (id, age) => run('UPDATE bench_users SET age = ? WHERE id = ?', [age, id]),
    // No RETURNING: the statement alone, the least any client sends.
    upsertOne: (r) =>
      run(`INSERT INTO bench_users ${UPSERT_COLUMNS} VALUES (?, ?, ?, ?, ?)${ON_DUPLICATE}`, keyedValues(r)),
    async upsertBulk(rows) {
      const connection = await pool.getConnection();
      try {
        await connection.query('START TRANSACTION');
        for (let start = 0; start < rows.length; start += 1000) {
          const chunk = rows.slice(start, start + 1000);
          const sql = `INSERT INTO bench_users ${UPSERT_COLUMNS} VALUES ${tuples(chunk.length, 5, () => '?')}${ON_DUPLICATE}`;
          const values = chunk.flatMap((r) => keyedValues(r));
          if (mode === 'execute') await connection.execute(sql, values as mysql.ExecuteValues);
          else await connection.query(sql, values);
        }
        await connection.query('COMMIT');
      } finally {
        connection.release();
      }
    },
    increment: (id) => run('UPDATE bench_users SET age = age + 1 WHERE id = ?', [id]),
    count: async (age) =>
      Number(
        ((await run('SELECT COUNT(*) AS count FROM bench_users WHERE age > ?', [age])) as Row[])[0]?.count,
      ),
    async eagerLoad(lastId) {
      const found = (await run('SELECT * FROM bench_users WHERE id <= ? ORDER BY id', [lastId])) as Row[];
      const ids = found.map((u) => u.id);
      const pictures = (await run(
        `SELECT * FROM bench_pictures WHERE user_id IN (${ids.map(() => '?').join(', ')})`,
        ids,
      )) as Row[];
      return attach(found, pictures);
    },
    all: async () => (await run('SELECT * FROM bench_users', [])) as Row[],
    close: () => pool.end(),
  };
}
