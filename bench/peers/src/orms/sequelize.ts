import { DataTypes, Model, Op, Sequelize } from 'sequelize';
import { POOL_SIZE } from '../workload.js';
import { chunks, type Peer, type PeerClient } from './peer.js';

/** Sequelize v6: models defined with `init`, `hasMany … as 'pictures'`, `findAll({ include })`, `bulkCreate`. */
export const sequelizePeer: Peer = {
  name: 'sequelize',
  packages: ['sequelize'],
  sqliteLibrary: 'node-sqlite3',
  async open(target): Promise<PeerClient> {
    const options = { logging: false, pool: { max: POOL_SIZE }, timezone: '+00:00' } as const;
    const sequelize =
      target.database === 'sqlite'
        ? // Sequelize's SQLite dialect is written for node-sqlite3 (`sqlite3`), not better-sqlite3.
          new Sequelize({ dialect: 'sqlite', storage: target.url, ...options })
        : new Sequelize(target.url, { dialect: target.database, ...options });

    // Classes per connection, since `init` binds a model to one Sequelize instance.
    class User extends Model {
      declare id: number;
      declare first_name: string;
      declare last_name: string;
      declare age: number;
      declare created_at: Date;
      declare pictures?: Picture[];
    }
    class Picture extends Model {
      declare id: number;
      declare user_id: number;
      declare name: string;
      declare size: number;
    }
    User.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        first_name: DataTypes.STRING,
        last_name: DataTypes.STRING,
        age: DataTypes.INTEGER,
        created_at: DataTypes.DATE,
      },
      { sequelize, tableName: 'bench_users', timestamps: false },
    );
    Picture.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        user_id: DataTypes.INTEGER,
        name: DataTypes.STRING,
        size: DataTypes.INTEGER,
      },
      { sequelize, tableName: 'bench_pictures', timestamps: false },
    );
    User.hasMany(Picture, { foreignKey: 'user_id', as: 'pictures', constraints: false });
    await sequelize.authenticate();

    let loaded: User | undefined;
    return {
      findByPk: (id) => User.findByPk(id),
      findWhere: (low, high) =>
        User.findAll({ where: { age: { [Op.between]: [low, high] } }, order: [['id', 'ASC']] }),
      count: (age) => User.count({ where: { age: { [Op.gt]: age } } }),
      async paginate(age, limit, offset) {
        const { count, rows } = await User.findAndCountAll({
          where: { age: { [Op.gte]: age } },
          order: [['id', 'ASC']],
          limit,
          offset,
        });
        return { total: count, rows };
      },
      eagerLoad: (lastId) =>
        User.findAll({
          where: { id: { [Op.lte]: lastId } },
          order: [['id', 'ASC']],
          include: [{ model: Picture, as: 'pictures' }],
        }),
      async updateOne(id, age) {
        loaded ??= (await User.findByPk(id, { rejectOnEmpty: true })) as User;
        loaded.age = age;
        await loaded.save();
      },
      insertOne: async (row) => (await User.create({ ...row })).id,
      async insertBulk(rows, chunk) {
        await sequelize.transaction(async (transaction) => {
          for (const part of chunks(rows, chunk))
            await User.bulkCreate(
              part.map((row) => ({ ...row })),
              { transaction },
            );
        });
      },
      close: () => sequelize.close(),
      ...(target.database !== 'sqlite' && {
        notes: {
          paginate: 'findAndCountAll sends its count and its rows at once, on two pooled connections',
        },
      }),
      ...(target.database === 'sqlite' && {
        remark:
          'runs on node-sqlite3 (Sequelize has no better-sqlite3 dialect), on an identical copy of the database file',
      }),
    };
  },
};
