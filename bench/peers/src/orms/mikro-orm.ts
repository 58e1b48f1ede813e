import { BetterSqliteDriver } from '@mikro-orm/better-sqlite';
import { Collection, EntitySchema, MikroORM, type Options } from '@mikro-orm/core';
import { MySqlDriver } from '@mikro-orm/mysql';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { POOL_SIZE } from '../workload.js';
import { chunks, type Peer, type PeerClient } from './peer.js';

class User {
  id!: number;
  first_name!: string;
  last_name!: string;
  age!: number;
  created_at!: Date;
  pictures = new Collection<Picture>(this);
}

class Picture {
  id!: number;
  user!: User;
  name!: string;
  size!: number;
}

// EntitySchema rather than decorators: MikroORM's decorators read emitDecoratorMetadata, which esbuild lacks.
const UserSchema = new EntitySchema<User>({
  class: User,
  tableName: 'bench_users',
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    age: { type: 'number' },
    created_at: { type: 'Date' },
    pictures: { kind: '1:m', entity: () => Picture, mappedBy: 'user' },
  },
});

const PictureSchema = new EntitySchema<Picture>({
  class: Picture,
  tableName: 'bench_pictures',
  properties: {
    id: { type: 'number', primary: true, autoincrement: true },
    user: { kind: 'm:1', entity: () => User, fieldName: 'user_id' },
    name: { type: 'string' },
    size: { type: 'number' },
  },
});

/**
 * MikroORM: a forked EntityManager per unit of work (request), as its identity map requires; `em.create` +
 * `flush`, `find({ populate })`, `count`, `findAndCount`, and `insertMany` for the bulk.
 */
export const mikroOrmPeer: Peer = {
  name: 'mikro-orm',
  packages: ['@mikro-orm/core'],
  async open(target): Promise<PeerClient> {
    const common: Options = {
      entities: [UserSchema, PictureSchema],
      discovery: { disableDynamicFileAccess: true },
      pool: { min: 0, max: POOL_SIZE },
      forceUtcTimezone: true,
      debug: false,
    };
    const orm = await MikroORM.init(
      target.database === 'sqlite'
        ? { driver: BetterSqliteDriver, dbName: target.url, ...common }
        : {
            driver: target.database === 'postgres' ? PostgreSqlDriver : MySqlDriver,
            clientUrl: target.url,
            ...common,
          },
    );
    const loading = orm.em.fork();
    let loaded: User | undefined;
    return {
      findByPk: (id) => orm.em.fork().findOne(User, id),
      findWhere: (low, high) =>
        orm.em.fork().find(User, { age: { $gte: low, $lte: high } }, { orderBy: { id: 'asc' } }),
      count: (age) => orm.em.fork().count(User, { age: { $gt: age } }),
      async paginate(age, limit, offset) {
        const [rows, total] = await orm.em
          .fork()
          .findAndCount(User, { age: { $gte: age } }, { orderBy: { id: 'asc' }, limit, offset });
        return { total, rows };
      },
      eagerLoad: (lastId) =>
        orm.em
          .fork()
          .find(User, { id: { $lte: lastId } }, { orderBy: { id: 'asc' }, populate: ['pictures'] }),
      async updateOne(id, age) {
        loaded ??= await loading.findOneOrFail(User, id);
        loaded.age = age;
        await loading.flush();
      },
      async insertOne(row) {
        const em = orm.em.fork();
        const user = em.create(User, { ...row });
        await em.flush();
        return user.id;
      },
      async insertBulk(rows, chunk) {
        await orm.em.fork().transactional(async (em) => {
          for (const part of chunks(rows, chunk)) await em.insertMany(User, part);
        });
      },
      close: () => orm.close(),
      ...(target.database !== 'sqlite' && {
        notes: { paginate: 'findAndCount sends its rows and its count at once, on two pooled connections' },
      }),
    };
  },
};
