import Database from 'better-sqlite3';
import { asc, between, count, eq, gt, gte, lte, relations } from 'drizzle-orm';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2';
import { int, datetime, mysqlTable, varchar as mysqlVarchar } from 'drizzle-orm/mysql-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import { integer as pgInteger, pgTable, serial, timestamp, varchar } from 'drizzle-orm/pg-core';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import mysql from 'mysql2';
import pg from 'pg';
import { POOL_SIZE, utc } from '../workload.js';
import { chunks, type Peer, type PeerClient, type Target } from './peer.js';

const sqliteUsers = sqliteTable('bench_users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  first_name: text('first_name'),
  last_name: text('last_name'),
  age: integer('age'),
  // Stored as UTC text (see bench/setup.ts); Drizzle's SQLite date modes are integer-only.
  created_at: text('created_at'),
});
const sqlitePictures = sqliteTable('bench_pictures', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  user_id: integer('user_id'),
  name: text('name'),
  size: integer('size'),
});
const sqliteSchema = {
  users: sqliteUsers,
  pictures: sqlitePictures,
  usersRelations: relations(sqliteUsers, ({ many }) => ({ pictures: many(sqlitePictures) })),
  picturesRelations: relations(sqlitePictures, ({ one }) => ({
    user: one(sqliteUsers, { fields: [sqlitePictures.user_id], references: [sqliteUsers.id] }),
  })),
};

const pgUsers = pgTable('bench_users', {
  id: serial('id').primaryKey(),
  first_name: varchar('first_name', { length: 255 }),
  last_name: varchar('last_name', { length: 255 }),
  age: pgInteger('age'),
  created_at: timestamp('created_at', { precision: 3, mode: 'date' }),
});
const pgPictures = pgTable('bench_pictures', {
  id: serial('id').primaryKey(),
  user_id: pgInteger('user_id'),
  name: varchar('name', { length: 255 }),
  size: pgInteger('size'),
});
const pgSchema = {
  users: pgUsers,
  pictures: pgPictures,
  usersRelations: relations(pgUsers, ({ many }) => ({ pictures: many(pgPictures) })),
  picturesRelations: relations(pgPictures, ({ one }) => ({
    user: one(pgUsers, { fields: [pgPictures.user_id], references: [pgUsers.id] }),
  })),
};

const mysqlUsers = mysqlTable('bench_users', {
  id: int('id').autoincrement().primaryKey(),
  first_name: mysqlVarchar('first_name', { length: 255 }),
  last_name: mysqlVarchar('last_name', { length: 255 }),
  age: int('age'),
  created_at: datetime('created_at', { mode: 'date', fsp: 3 }),
});
const mysqlPictures = mysqlTable('bench_pictures', {
  id: int('id').autoincrement().primaryKey(),
  user_id: int('user_id'),
  name: mysqlVarchar('name', { length: 255 }),
  size: int('size'),
});
const mysqlSchema = {
  users: mysqlUsers,
  pictures: mysqlPictures,
  usersRelations: relations(mysqlUsers, ({ many }) => ({ pictures: many(mysqlPictures) })),
  picturesRelations: relations(mysqlPictures, ({ one }) => ({
    user: one(mysqlUsers, { fields: [mysqlPictures.user_id], references: [mysqlUsers.id] }),
  })),
};

const NOTES: PeerClient['notes'] = {
  paginate: 'no pagination API: `$count`, then a limit/offset select',
};

function openSqlite(target: Target): PeerClient {
  const client = new Database(target.url);
  const db = drizzleSqlite({ client, schema: sqliteSchema });
  const users = sqliteUsers;
  let loaded: typeof users.$inferSelect | undefined;
  return {
    findByPk: async (id) => (await db.select().from(users).where(eq(users.id, id)))[0],
    findWhere: (low, high) =>
      db
        .select()
        .from(users)
        .where(between(users.age, low, high))
        .orderBy(asc(users.id)),
    count: async (age) =>
      (await db.select({ count: count() }).from(users).where(gt(users.age, age)))[0]!.count,
    async paginate(age, limit, offset) {
      const total = await db.$count(users, gte(users.age, age));
      const rows = await db
        .select()
        .from(users)
        .where(gte(users.age, age))
        .orderBy(asc(users.id))
        .limit(limit)
        .offset(offset);
      return { total, rows };
    },
    eagerLoad: (lastId) =>
      db.query.users.findMany({
        where: lte(users.id, lastId),
        orderBy: asc(users.id),
        with: { pictures: true },
      }),
    async updateOne(id, age) {
      loaded ??= (await db.select().from(users).where(eq(users.id, id)))[0]!;
      loaded.age = age;
      await db.update(users).set({ age: loaded.age }).where(eq(users.id, loaded.id));
    },
    insertOne: async (row) =>
      (await db.insert(users).values({ ...row, created_at: utc(row.created_at) })).lastInsertRowid,
    async insertBulk(rows, chunk) {
      // better-sqlite3 is synchronous, and so is a Drizzle transaction over it.
      db.transaction((tx) => {
        for (const part of chunks(rows, chunk)) {
          tx.insert(users)
            .values(part.map((row) => ({ ...row, created_at: utc(row.created_at) })))
            .run();
        }
      });
    },
    close: async () => {
      client.close();
    },
    notes: NOTES,
  };
}

function openPostgres(target: Target): PeerClient {
  const client = new pg.Pool({ connectionString: target.url, max: POOL_SIZE, options: '-c TimeZone=UTC' });
  const db = drizzlePostgres({ client, schema: pgSchema });
  const users = pgUsers;
  let loaded: typeof users.$inferSelect | undefined;
  return {
    findByPk: async (id) => (await db.select().from(users).where(eq(users.id, id)))[0],
    findWhere: (low, high) =>
      db
        .select()
        .from(users)
        .where(between(users.age, low, high))
        .orderBy(asc(users.id)),
    count: async (age) =>
      (await db.select({ count: count() }).from(users).where(gt(users.age, age)))[0]!.count,
    async paginate(age, limit, offset) {
      const total = await db.$count(users, gte(users.age, age));
      const rows = await db
        .select()
        .from(users)
        .where(gte(users.age, age))
        .orderBy(asc(users.id))
        .limit(limit)
        .offset(offset);
      return { total, rows };
    },
    eagerLoad: (lastId) =>
      db.query.users.findMany({
        where: lte(users.id, lastId),
        orderBy: asc(users.id),
        with: { pictures: true },
      }),
    async updateOne(id, age) {
      loaded ??= (await db.select().from(users).where(eq(users.id, id)))[0]!;
      loaded.age = age;
      await db.update(users).set({ age: loaded.age }).where(eq(users.id, loaded.id));
    },
    insertOne: async (row) => (await db.insert(users).values(row).returning({ id: users.id }))[0]!.id,
    async insertBulk(rows, chunk) {
      await db.transaction(async (tx) => {
        for (const part of chunks(rows, chunk)) await tx.insert(users).values(part);
      });
    },
    close: () => client.end(),
    notes: NOTES,
  };
}

function openMysql(target: Target): PeerClient {
  const client = mysql.createPool({ uri: target.url, connectionLimit: POOL_SIZE, timezone: 'Z' });
  const mariadb = /mariadb/i.test(target.server);
  // 'default' loads relations with LATERAL joins, which MariaDB lacks; 'planetscale' uses correlated subqueries.
  const db = drizzleMysql({ client, schema: mysqlSchema, mode: mariadb ? 'planetscale' : 'default' });
  const users = mysqlUsers;
  let loaded: typeof users.$inferSelect | undefined;
  return {
    findByPk: async (id) => (await db.select().from(users).where(eq(users.id, id)))[0],
    findWhere: (low, high) =>
      db
        .select()
        .from(users)
        .where(between(users.age, low, high))
        .orderBy(asc(users.id)),
    count: async (age) =>
      (await db.select({ count: count() }).from(users).where(gt(users.age, age)))[0]!.count,
    async paginate(age, limit, offset) {
      const total = await db.$count(users, gte(users.age, age));
      const rows = await db
        .select()
        .from(users)
        .where(gte(users.age, age))
        .orderBy(asc(users.id))
        .limit(limit)
        .offset(offset);
      return { total, rows };
    },
    eagerLoad: (lastId) =>
      db.query.users.findMany({
        where: lte(users.id, lastId),
        orderBy: asc(users.id),
        with: { pictures: true },
      }),
    async updateOne(id, age) {
      loaded ??= (await db.select().from(users).where(eq(users.id, id)))[0]!;
      loaded.age = age;
      await db.update(users).set({ age: loaded.age }).where(eq(users.id, loaded.id));
    },
    insertOne: async (row) => (await db.insert(users).values(row).$returningId())[0]!.id,
    async insertBulk(rows, chunk) {
      await db.transaction(async (tx) => {
        for (const part of chunks(rows, chunk)) await tx.insert(users).values(part);
      });
    },
    close: async () => {
      await new Promise<void>((resolve, reject) =>
        client.end((error) => (error ? reject(error) : resolve())),
      );
    },
    notes: {
      ...NOTES,
      ...(mariadb && { 'eager-load': "relational query in mode 'planetscale' (MariaDB has no LATERAL)" }),
    },
  };
}

/** Drizzle ORM: select builder for finds, the relational query API (`db.query…with`) for the eager load. */
export const drizzlePeer: Peer = {
  name: 'drizzle',
  packages: ['drizzle-orm'],
  async open(target) {
    if (target.database === 'sqlite') return openSqlite(target);
    if (target.database === 'postgres') return openPostgres(target);
    return openMysql(target);
  },
};
