/**
 * The raw-driver baseline, the same as bench/raw.ts (hand-written SQL, prepared statements), on this
 * package's own copies of better-sqlite3, pg and mysql2; plus an admin connection for seeding and resets.
 */
import Database from 'better-sqlite3';
import type mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import pg from 'pg';
import sqlite3 from 'sqlite3';
import { type UserRow, utc } from './workload.js';

type Row = Record<string, unknown>;

/** The benchmark's operations written directly against a driver. */
export interface RawClient {
  findByPk(id: number): Promise<Row | undefined> | Row | undefined;
  findWhere(low: number, high: number): Promise<Row[]> | Row[];
  insertOne(row: UserRow): unknown;
  insertBulk(rows: readonly UserRow[]): unknown;
  updateOne(id: number, age: number): unknown;
  count(age: number): Promise<number> | number;
  /** One page of the users with an age from `age` up (by id) and how many there are in all (bench/raw.ts's `page`). */
  paginate(
    age: number,
    limit: number,
    offset: number,
  ): Promise<{ rows: Row[]; total: number }> | { rows: Row[]; total: number };
  /** Users with ids up to `lastId` and their pictures, attached to them. */
  eagerLoad(lastId: number): Promise<Row[]> | Row[];
  close(): Promise<void> | void;
}

/** Untimed statements: schema, seeding, resets and the checks' own look-ups. `?` placeholders on every database. */
export interface Admin {
  run(sql: string, params?: unknown[]): Promise<void>;
  /** The first column of the first row. */
  value(sql: string, params?: unknown[]): Promise<unknown>;
  close(): Promise<void>;
}

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
  const pageCount = db.prepare('SELECT COUNT(*) AS count FROM bench_users WHERE age >= ?').pluck();
  const pageRows = db.prepare('SELECT * FROM bench_users WHERE age >= ? ORDER BY id LIMIT ? OFFSET ?');
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
    count: (age) => count.get(age) as number,
    paginate: (age, limit, offset) => ({
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
    close: () => {
      db.close();
    },
  };
}

/** node-postgres with named (server-side prepared) statements, on one client or a pool. */
export function rawPostgres(url: string, poolSize = 1): RawClient {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, options: '-c TimeZone=UTC' });
  const query = async (name: string, text: string, values: unknown[]) =>
    (await pool.query({ name, text, values })).rows as Row[];
  return {
    findByPk: async (id) => (await query('pk', 'SELECT * FROM bench_users WHERE id = $1', [id]))[0],
    findWhere: (low, high) =>
      query('where', 'SELECT * FROM bench_users WHERE age BETWEEN $1 AND $2 ORDER BY id', [low, high]),
    async paginate(age, limit, offset) {
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
    close: () => pool.end(),
  };
}

/** mysql2, through its text protocol (`query`) or prepared statements (`execute`). */
export function rawMysql(url: string, mode: 'query' | 'execute', poolSize = 1): RawClient {
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
    findByPk: async (id) => ((await run('SELECT * FROM bench_users WHERE id = ?', [id])) as Row[])[0],
    findWhere: async (low, high) =>
      (await run('SELECT * FROM bench_users WHERE age BETWEEN ? AND ? ORDER BY id', [low, high])) as Row[],
    async paginate(age, limit, offset) {
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
    close: () => pool.end(),
  };
}

/** A connection of its own for untimed work, so that it never shares a statement cache with a timed side. */
export function openAdmin(database: 'sqlite' | 'postgres' | 'mysql', url: string): Admin {
  if (database === 'sqlite') {
    const db = new Database(url);
    db.pragma('journal_mode = WAL');
    const bind = (params: unknown[]) => params.map((p) => (p instanceof Date ? utc(p) : p));
    return {
      run: async (sql, params = []) => {
        db.prepare(sql).run(...bind(params));
      },
      value: async (sql, params = []) =>
        db
          .prepare(sql)
          .pluck()
          .get(...bind(params)),
      close: async () => {
        db.close();
      },
    };
  }
  if (database === 'postgres') {
    const pool = new pg.Pool({ connectionString: url, max: 1, options: '-c TimeZone=UTC' });
    const numbered = (sql: string) => {
      let n = 0;
      return sql.replace(/\?/g, () => `$${++n}`);
    };
    return {
      run: async (sql, params = []) => {
        await pool.query(numbered(sql), params);
      },
      value: async (sql, params = []) =>
        Object.values((await pool.query(numbered(sql), params)).rows[0] as Row)[0],
      close: () => pool.end(),
    };
  }
  const pool = mysqlPromise.createPool({ uri: url, connectionLimit: 1, timezone: 'Z' });
  return {
    run: async (sql, params = []) => {
      await pool.query(sql, params);
    },
    value: async (sql, params = []) => {
      const [rows] = await pool.query(sql, params);
      return Object.values((rows as Row[])[0]!)[0];
    },
    close: () => pool.end(),
  };
}

/**
 * An admin connection through node-sqlite3, for the copy of the SQLite database that an ORM on node-sqlite3
 * uses: two SQLite libraries in one process must never open the same file, since POSIX locks are per
 * process and one library closing the file drops the other's locks (sqlite.org/howtocorrupt.html, 2.3).
 */
export async function openSqlite3Admin(filename: string): Promise<Admin> {
  const db = await new Promise<sqlite3.Database>((resolve, reject) => {
    const opened: sqlite3.Database = new sqlite3.Database(filename, (error) =>
      error ? reject(error) : resolve(opened),
    );
  });
  const bind = (params: unknown[]) => params.map((p) => (p instanceof Date ? utc(p) : p));
  // The same journal as the better-sqlite3 side (VACUUM INTO writes a rollback-journal file).
  await new Promise<void>((resolve, reject) =>
    db.get('PRAGMA journal_mode = WAL', (error) => (error ? reject(error) : resolve())),
  );
  return {
    run: (sql, params = []) =>
      new Promise((resolve, reject) =>
        db.run(sql, bind(params), (error) => (error ? reject(error) : resolve())),
      ),
    value: (sql, params = []) =>
      new Promise((resolve, reject) =>
        db.get(sql, bind(params), (error, row) =>
          error ? reject(error) : resolve(Object.values(row as Row)[0]),
        ),
      ),
    close: () => new Promise((resolve, reject) => db.close((error) => (error ? reject(error) : resolve()))),
  };
}
