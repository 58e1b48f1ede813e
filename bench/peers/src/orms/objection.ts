import knex, { type Knex } from 'knex';
import { Model, type RelationMappings } from 'objection';
import { POOL_SIZE, utc } from '../workload.js';
import { chunks, mysqlParts, type Peer, type PeerClient } from './peer.js';

class User extends Model {
  static override tableName = 'bench_users';
  declare id: number;
  declare first_name: string;
  declare last_name: string;
  declare age: number;
  declare created_at: Date | string;
  declare pictures?: Picture[];

  static override get relationMappings(): RelationMappings {
    return {
      pictures: {
        relation: Model.HasManyRelation,
        modelClass: Picture,
        join: { from: 'bench_users.id', to: 'bench_pictures.user_id' },
      },
    };
  }
}

class Picture extends Model {
  static override tableName = 'bench_pictures';
  declare id: number;
  declare user_id: number;
  declare name: string;
  declare size: number;
}

function knexConfig(database: string, url: string): Knex.Config {
  if (database === 'sqlite')
    return { client: 'better-sqlite3', connection: { filename: url }, useNullAsDefault: true };
  if (database === 'postgres')
    return {
      client: 'pg',
      connection: { connectionString: url, options: '-c TimeZone=UTC' },
      pool: { min: 0, max: POOL_SIZE },
    };
  return {
    client: 'mysql2',
    connection: { ...mysqlParts(url), timezone: 'Z' },
    pool: { min: 0, max: POOL_SIZE },
  };
}

/** Objection.js on knex: `query().findById`, `withGraphFetched`, `$query().patch`, `resultSize`, `page`. */
export const objectionPeer: Peer = {
  name: 'objection',
  packages: ['objection', 'knex'],
  async open(target): Promise<PeerClient> {
    const k = knex(knexConfig(target.database, target.url));
    const BoundUser = User.bindKnex(k);
    // knex binds a Date to better-sqlite3 as a number; the table keeps UTC text.
    const date = (value: Date) => (target.database === 'sqlite' ? utc(value) : value);
    let loaded: User | undefined;
    const batchInsertOnly = target.database !== 'postgres';
    return {
      findByPk: async (id) => await BoundUser.query().findById(id),
      findWhere: async (low, high) => await BoundUser.query().whereBetween('age', [low, high]).orderBy('id'),
      count: (age) => BoundUser.query().where('age', '>', age).resultSize(),
      async paginate(age, limit, offset) {
        // page() numbers pages from 0, and runs the rows query, then resultSize() of a copy without its order.
        const { results, total } = await BoundUser.query()
          .where('age', '>=', age)
          .orderBy('id')
          .page(offset / limit, limit);
        return { total, rows: results };
      },
      eagerLoad: async (lastId) =>
        await BoundUser.query().where('id', '<=', lastId).orderBy('id').withGraphFetched('pictures'),
      async updateOne(id, age) {
        loaded ??= await BoundUser.query().findById(id).throwIfNotFound();
        loaded.age = age;
        await loaded.$query().patch({ age: loaded.age });
      },
      insertOne: async (row) =>
        (await BoundUser.query().insert({ ...row, created_at: date(row.created_at) })).id,
      async insertBulk(rows, chunk) {
        const values = rows.map((row) => ({ ...row, created_at: date(row.created_at) }));
        if (batchInsertOnly) {
          await k.batchInsert('bench_users', values, chunk);
          return;
        }
        await BoundUser.transaction(async (trx) => {
          for (const part of chunks(values, chunk)) await BoundUser.query(trx).insert(part);
        });
      },
      close: () => k.destroy(),
      ...(batchInsertOnly && {
        notes: { 'insert-bulk': "knex batchInsert: Objection's insert([...]) is PostgreSQL-only" },
      }),
    };
  },
};
