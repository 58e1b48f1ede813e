import Database from 'better-sqlite3';
import {
  type Generated,
  Kysely,
  MysqlDialect,
  ParseJSONResultsPlugin,
  PostgresDialect,
  type SelectQueryBuilder,
  SqliteDialect,
  type Expression,
  type RawBuilder,
} from 'kysely';
import { jsonArrayFrom as mysqlJsonArrayFrom } from 'kysely/helpers/mysql';
import { jsonArrayFrom as postgresJsonArrayFrom } from 'kysely/helpers/postgres';
import { jsonArrayFrom as sqliteJsonArrayFrom } from 'kysely/helpers/sqlite';
import mysql from 'mysql2';
import pg from 'pg';
import { POOL_SIZE, utc } from '../workload.js';
import { chunks, type Peer, type PeerClient } from './peer.js';

interface Tables {
  bench_users: {
    id: Generated<number>;
    first_name: string;
    last_name: string;
    age: number;
    created_at: Date | string;
  };
  bench_pictures: { id: Generated<number>; user_id: number; name: string; size: number };
}

type JsonArrayFrom = <O>(expr: SelectQueryBuilder<never, never, O> | Expression<O>) => RawBuilder<O[]>;

/** Kysely: a query builder, so the eager load is its documented `jsonArrayFrom` subquery. */
export const kyselyPeer: Peer = {
  name: 'kysely',
  packages: ['kysely'],
  async open(target): Promise<PeerClient> {
    const { database } = target;
    const mariadb = database === 'mysql' && /mariadb/i.test(target.server);
    const dialect =
      database === 'sqlite'
        ? new SqliteDialect({ database: new Database(target.url) })
        : database === 'postgres'
          ? new PostgresDialect({
              pool: new pg.Pool({ connectionString: target.url, max: POOL_SIZE, options: '-c TimeZone=UTC' }),
            })
          : new MysqlDialect({
              pool: mysql.createPool({ uri: target.url, connectionLimit: POOL_SIZE, timezone: 'Z' }),
            });
    // SQLite returns JSON as text; PostgreSQL's and mysql2's JSON columns arrive parsed (MariaDB's do not).
    const plugins = database === 'sqlite' || mariadb ? [new ParseJSONResultsPlugin()] : [];
    const db = new Kysely<Tables>({ dialect, plugins });
    const jsonArrayFrom = (
      database === 'sqlite'
        ? sqliteJsonArrayFrom
        : database === 'postgres'
          ? postgresJsonArrayFrom
          : mysqlJsonArrayFrom
    ) as JsonArrayFrom;
    const date = (value: Date) => (database === 'sqlite' ? utc(value) : value);
    let loaded: { id: number; age: number } | undefined;
    const client: PeerClient = {
      findByPk: (id) => db.selectFrom('bench_users').selectAll().where('id', '=', id).executeTakeFirst(),
      findWhere: (low, high) =>
        db
          .selectFrom('bench_users')
          .selectAll()
          .where((eb) => eb.between('age', low, high))
          .orderBy('id')
          .execute(),
      count: async (age) =>
        Number(
          (
            await db
              .selectFrom('bench_users')
              .select((eb) => eb.fn.countAll().as('count'))
              .where('age', '>', age)
              .executeTakeFirstOrThrow()
          ).count,
        ),
      async paginate(age, limit, offset) {
        const { total } = await db
          .selectFrom('bench_users')
          .select((eb) => eb.fn.countAll().as('total'))
          .where('age', '>=', age)
          .executeTakeFirstOrThrow();
        const rows = await db
          .selectFrom('bench_users')
          .selectAll()
          .where('age', '>=', age)
          .orderBy('id')
          .limit(limit)
          .offset(offset)
          .execute();
        return { total: Number(total), rows };
      },
      eagerLoad: (lastId) =>
        db
          .selectFrom('bench_users')
          .selectAll('bench_users')
          .select((eb) =>
            jsonArrayFrom(
              // SQLite's helper needs the columns named (json_object takes name/value pairs).
              eb
                .selectFrom('bench_pictures')
                .select([
                  'bench_pictures.id',
                  'bench_pictures.user_id',
                  'bench_pictures.name',
                  'bench_pictures.size',
                ])
                .whereRef('bench_pictures.user_id', '=', 'bench_users.id'),
            ).as('pictures'),
          )
          .where('id', '<=', lastId)
          .orderBy('id')
          .execute(),
      async updateOne(id, age) {
        loaded ??= await db
          .selectFrom('bench_users')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
        loaded.age = age;
        await db.updateTable('bench_users').set({ age: loaded.age }).where('id', '=', loaded.id).execute();
      },
      async insertOne(row) {
        const values = { ...row, created_at: date(row.created_at) };
        if (database === 'postgres')
          return (await db.insertInto('bench_users').values(values).returning('id').executeTakeFirstOrThrow())
            .id;
        return (await db.insertInto('bench_users').values(values).executeTakeFirstOrThrow()).insertId;
      },
      async insertBulk(rows, chunk) {
        await db.transaction().execute(async (trx) => {
          for (const part of chunks(rows, chunk)) {
            await trx
              .insertInto('bench_users')
              .values(part.map((row) => ({ ...row, created_at: date(row.created_at) })))
              .execute();
          }
        });
      },
      close: () => db.destroy(),
      notes: { paginate: 'no pagination API: a count query, then a limit/offset query' },
    };
    if (mariadb) {
      // kysely/helpers/mysql's jsonArrayFrom is MySQL-only SQL (CAST … AS JSON, a derived table that refers to
      // the outer row), which MariaDB rejects: Kysely has no other relation loading, so two queries instead.
      client.eagerLoad = async (lastId) => {
        const users = await db
          .selectFrom('bench_users')
          .selectAll()
          .where('id', '<=', lastId)
          .orderBy('id')
          .execute();
        const pictures = users.length
          ? await db
              .selectFrom('bench_pictures')
              .selectAll()
              .where(
                'user_id',
                'in',
                users.map((user) => user.id),
              )
              .execute()
          : [];
        const byUser = new Map<number, (typeof pictures)[number][]>();
        for (const picture of pictures) {
          const list = byUser.get(picture.user_id);
          if (list) list.push(picture);
          else byUser.set(picture.user_id, [picture]);
        }
        return users.map((user) => ({ ...user, pictures: byUser.get(user.id) ?? [] }));
      };
      client.notes = {
        ...client.notes,
        'eager-load':
          "MariaDB rejects kysely/helpers/mysql's jsonArrayFrom: two Kysely queries, attached by hand",
      };
    }
    return client;
  },
};
