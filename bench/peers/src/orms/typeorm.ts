import 'reflect-metadata';
import {
  Between,
  Column,
  DataSource,
  Entity,
  JoinColumn,
  LessThanOrEqual,
  ManyToOne,
  MoreThan,
  MoreThanOrEqual,
  OneToMany,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { POOL_SIZE } from '../workload.js';
import { chunks, type Peer, type PeerClient } from './peer.js';

// Legacy decorators, from this package's tsconfig.json (`experimentalDecorators`), which tsx reads when run
// through `npm start`. Column types are given as constructors, which TypeORM maps to each database's own type;
// without emitDecoratorMetadata (esbuild has none) it could not guess them.
@Entity({ name: 'bench_users' })
class User {
  @PrimaryGeneratedColumn({ type: 'int' })
  id!: number;
  @Column({ type: String })
  first_name!: string;
  @Column({ type: String })
  last_name!: string;
  @Column({ type: Number })
  age!: number;
  @Column({ type: Date })
  created_at!: Date;
  @OneToMany(() => Picture, (picture) => picture.user)
  pictures!: Picture[];
}

@Entity({ name: 'bench_pictures' })
class Picture {
  @PrimaryGeneratedColumn({ type: 'int' })
  id!: number;
  @Column({ type: Number })
  user_id!: number;
  @Column({ type: String })
  name!: string;
  @Column({ type: Number })
  size!: number;
  @ManyToOne(() => User, (user) => user.pictures, { createForeignKeyConstraints: false })
  @JoinColumn({ name: 'user_id' })
  user?: User;
}

/**
 * TypeORM: decorated entities and the Repository API (`save`, `find…`, `countBy`, `findAndCount`, `insert` for
 * the bulk).
 */
export const typeormPeer: Peer = {
  name: 'typeorm',
  packages: ['typeorm'],
  async open(target): Promise<PeerClient> {
    const common = { entities: [User, Picture], synchronize: false, logging: false };
    const dataSource = new DataSource(
      target.database === 'sqlite'
        ? { type: 'better-sqlite3', database: target.url, ...common }
        : target.database === 'postgres'
          ? {
              type: 'postgres',
              url: target.url,
              poolSize: POOL_SIZE,
              extra: { options: '-c TimeZone=UTC' },
              ...common,
            }
          : { type: 'mysql', url: target.url, poolSize: POOL_SIZE, timezone: 'Z', ...common },
    );
    await dataSource.initialize();
    const users = dataSource.getRepository(User);
    let loaded: User | undefined;
    return {
      findByPk: (id) => users.findOneBy({ id }),
      findWhere: (low, high) => users.find({ where: { age: Between(low, high) }, order: { id: 'ASC' } }),
      count: (age) => users.countBy({ age: MoreThan(age) }),
      async paginate(age, limit, offset) {
        // findAndCount skips its count query when the page is not full (total = skip + rows); timed pages are full.
        const [rows, total] = await users.findAndCount({
          where: { age: MoreThanOrEqual(age) },
          order: { id: 'ASC' },
          skip: offset,
          take: limit,
        });
        return { total, rows };
      },
      eagerLoad: (lastId) =>
        users.find({
          where: { id: LessThanOrEqual(lastId) },
          order: { id: 'ASC' },
          relations: { pictures: true },
        }),
      async updateOne(id, age) {
        loaded ??= await users.findOneByOrFail({ id });
        loaded.age = age;
        await users.save(loaded);
      },
      insertOne: async (row) => (await users.save(users.create(row))).id,
      async insertBulk(rows, chunk) {
        await dataSource.transaction(async (manager) => {
          for (const part of chunks(rows, chunk)) await manager.insert(User, part);
        });
      },
      close: () => dataSource.destroy(),
      notes: { 'insert-bulk': 'Repository.insert (save() of 10,000 entities is its slow path)' },
    };
  },
};
