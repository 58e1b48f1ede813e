import {
  DBObject,
  Registry,
  type BelongsTo,
  type ConnectionPool,
  type HABTM,
  type HasMany,
  type HasOne,
  type RelationDeclaration,
} from '../../src/index.js';
import { createTable } from './schema.js';

export class User extends DBObject {
  // Typed as declarations, not string[], so that subclasses may add option objects.
  static override HASMANY: readonly RelationDeclaration[] = ['pictures'];
  static override HASONE = ['avatar'];
  static override HABTM = ['favorite_colors', { name: 'tags', joinTable: 'user_tag_links' }];
  declare id: number;
  declare first_name: string;
  declare age: number | null;
  declare pictures: HasMany<Picture>;
  declare avatar: HasOne<Avatar>;
  declare favorite_colors: HABTM<FavoriteColor>;
  declare tags: HABTM<Tag>;
}

export class Picture extends DBObject {
  static override BELONGSTO = ['user'];
  declare id: number;
  declare name: string;
  declare size: number | null;
  declare user_id: number | null;
  declare user: BelongsTo<User>;
}

export class Avatar extends DBObject {
  static override BELONGSTO = ['user'];
  declare id: number;
  declare name: string;
  declare user_id: number | null;
  declare user: BelongsTo<User>;
}

export class FavoriteColor extends DBObject {
  static override HABTM = ['users'];
  declare id: number;
  declare name: string;
  declare users: HABTM<User>;
}

export class Tag extends DBObject {
  declare id: number;
  declare label: string;
}

export class Nickname extends DBObject {
  static override BELONGSTO = [{ name: 'nicknameable', polymorphic: true }];
  declare id: number;
  declare value: string;
  declare nicknameable_id: number | null;
  declare nicknameable_type: string | null;
  declare nicknameable: BelongsTo<Boy | Girl>;
}

export class Boy extends DBObject {
  static override HASMANY = [{ name: 'nicknames', as: 'nicknameable' }];
  declare id: number;
  declare name: string;
  declare nicknames: HasMany<Nickname>;
}

export class Girl extends DBObject {
  static override HASMANY = [{ name: 'nicknames', as: 'nicknameable' }];
  declare id: number;
  declare name: string;
  declare nicknames: HasMany<Nickname>;
}

Registry.register(User, Picture, Avatar, FavoriteColor, Tag, Nickname, Boy, Girl);

/** Creates the tables of the models above, empty. */
export async function createRelationshipTables(pool: ConnectionPool): Promise<void> {
  await createTable(pool, 'users', { id: 'pk', first_name: 'string', age: 'int' });
  await createTable(pool, 'pictures', { id: 'pk', user_id: 'int', name: 'string', size: 'int' });
  await createTable(pool, 'avatars', { id: 'pk', user_id: 'int', name: 'string' });
  await createTable(pool, 'favorite_colors', { id: 'pk', name: 'string' });
  await createTable(pool, 'favorite_colors_users', { user_id: 'int', favorite_color_id: 'int' });
  await createTable(pool, 'tags', { id: 'pk', label: 'string' });
  await createTable(pool, 'user_tag_links', { user_id: 'int', tag_id: 'int' });
  await createTable(pool, 'nicknames', {
    id: 'pk',
    value: 'string',
    nicknameable_id: 'int',
    nicknameable_type: 'string',
  });
  await createTable(pool, 'boys', { id: 'pk', name: 'string' });
  await createTable(pool, 'girls', { id: 'pk', name: 'string' });
  // Read every table's columns now, so that statement counts in tests see only the work under test.
  for (const model of [User, Picture, Avatar, FavoriteColor, Tag, Nickname, Boy, Girl]) await model.columns();
}

/** The SQL of every statement `work` runs on `pool`. */
export async function statementsOf(pool: ConnectionPool, work: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const listener = ({ sql }: { sql: string }) => seen.push(sql);
  pool.on('query', listener);
  try {
    await work();
  } finally {
    pool.off('query', listener);
  }
  return seen;
}
