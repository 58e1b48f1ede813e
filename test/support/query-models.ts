import assert from 'node:assert/strict';
import { after, before, beforeEach } from 'node:test';
import {
  DBObject,
  Registry,
  TwistarError,
  connect,
  gte,
  lt,
  type BelongsTo,
  type ConnectionPool,
  type HABTM,
  type HasMany,
  type HasOne,
  type Query,
} from '../../src/index.js';
import type { BackendContext } from './backends.js';
import { createTable, dropTable } from './schema.js';

/*
 * The models of the query-layer suites (queries, query-pages, query-relations, query-scopes, query-locks), on
 * tables of their own (`query_…`) so that they never meet another suite's `users`.
 */

export class User extends DBObject {
  static override TABLENAME = 'query_users';
  static override HASMANY = ['pictures', 'comments'];
  static override HASONE = ['avatar'];
  static override HABTM = [{ name: 'colors', joinTable: 'query_colors_users' }];
  static override SCOPES = {
    adults: (q: Query<User>) => q.where({ age: gte(18) }),
    smiths: (q: Query<User>) => q.where({ last_name: 'Smith' }),
    minorsOrSeniors: (q: Query<User>) => q.where({ age: lt(18) }).orWhere({ age: gte(60) }),
  };
  declare id: number;
  declare first_name: string;
  declare last_name: string | null;
  declare age: number | null;
  /** DECIMAL(10,2): a string with two places. */
  declare balance: string | null;
  declare pictures: HasMany<Picture>;
  declare comments: HasMany<Comment>;
  declare avatar: HasOne<Avatar>;
  declare colors: HABTM<Color>;
}

export class Picture extends DBObject {
  static override TABLENAME = 'query_pictures';
  static override BELONGSTO = ['user'];
  declare id: number;
  declare user_id: number | null;
  declare name: string;
  declare size: number | null;
  declare user: BelongsTo<User>;
}

export class Avatar extends DBObject {
  static override TABLENAME = 'query_avatars';
  static override BELONGSTO = ['user'];
  declare id: number;
  declare user_id: number | null;
  declare name: string;
  declare user: BelongsTo<User>;
}

export class Color extends DBObject {
  static override TABLENAME = 'query_colors';
  static override HABTM = [{ name: 'users', joinTable: 'query_colors_users' }];
  declare id: number;
  declare name: string;
  declare users: HABTM<User>;
}

/** Soft-deleted comments: the default scope hides a comment once `deleted_at` is set. */
export class Comment extends DBObject {
  static override TABLENAME = 'query_comments';
  static override BELONGSTO = ['user'];
  static override DEFAULT_SCOPE = (q: Query<Comment>) => q.where({ deleted_at: null });
  declare id: number;
  declare user_id: number | null;
  declare body: string;
  declare deleted_at: Date | null;
  declare user: BelongsTo<User>;
}

/** A BIGINT column, for sums past 2^53. */
export class Tally extends DBObject {
  static override TABLENAME = 'query_tallies';
  declare id: number;
  declare n: number | bigint;
}

Registry.register(User, Picture, Avatar, Color, Comment, Tally);

const TABLES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  query_users: {
    id: 'pk',
    first_name: 'string',
    last_name: 'string',
    age: 'int',
    balance: 'decimal(10,2)',
  },
  query_pictures: { id: 'pk', user_id: 'int', name: 'string', size: 'int' },
  query_avatars: { id: 'pk', user_id: 'int', name: 'string' },
  query_colors: { id: 'pk', name: 'string' },
  query_colors_users: { user_id: 'int', color_id: 'int' },
  query_comments: { id: 'pk', user_id: 'int', body: 'string', deleted_at: 'datetime' },
  query_tallies: { id: 'pk', n: 'bigint' },
};

/**
 * Sets up a query suite: the tables are created once (their columns read, so that statement counts see only
 * the work under test), emptied and seeded with `seed` before each test, and dropped when the suite ends.
 * The tests never rely on key values: PostgreSQL's sequences go on across the emptied tables.
 */
export function useQueryTables(db: BackendContext, seed: () => Promise<void> = seedUsers): void {
  before(async () => {
    for (const [table, columns] of Object.entries(TABLES)) await createTable(db.pool, table, columns);
    for (const model of [User, Picture, Avatar, Color, Comment, Tally]) await model.columns();
  });
  beforeEach(async () => {
    for (const table of Object.keys(TABLES)) await db.pool.runOperation(`DELETE FROM ${table}`);
    await seed();
  });
  // The suite's pool is closed by the time the suite's own after() runs: drop the tables through another one.
  // An in-memory database (SQLite's, PGlite's) vanishes with its pool and leaves nothing to drop.
  after(async () => {
    if (db.url === 'pglite:' || db.url.includes(':memory:')) return;
    const pool = connect(db.url);
    try {
      for (const table of Object.keys(TABLES)) await dropTable(pool, table);
    } finally {
      await pool.close();
    }
  });
}

type Person = 'Ann' | 'Abe' | 'Bob' | 'Cid' | 'Dee' | 'Eve' | 'Fay';

/** The seeded users, by first name (filled by seedUsers). */
export const people = {} as Record<Person, User>;

/**
 * Seven users: three Smiths (one of unknown age), two Joneses, a Brown and one without a last name. Ages repeat
 * (30), one is NULL; balances are DECIMAL(10,2) strings, one NULL.
 */
export async function seedUsers(): Promise<void> {
  const created = await User.createMany([
    { first_name: 'Ann', last_name: 'Smith', age: 30, balance: '10.10' },
    { first_name: 'Abe', last_name: 'Smith', age: 17, balance: '0.10' },
    { first_name: 'Bob', last_name: 'Jones', age: 45, balance: '0.20' },
    { first_name: 'Cid', last_name: 'Smith', age: null, balance: null },
    { first_name: 'Dee', last_name: 'Brown', age: 18, balance: '5.00' },
    { first_name: 'Eve', last_name: 'Jones', age: 30, balance: '2.50' },
    { first_name: 'Fay', last_name: null, age: 60, balance: '1.00' },
  ]);
  for (const user of created) people[user.first_name as Person] = user;
}

/**
 * The users, and around them: pictures (Ann 3, Bob 1, Dee 1, one of nobody's), avatars (Ann, Eve), colours
 * (Ann red and blue, Bob blue, Eve green; nobody likes yellow), comments (Ann one shown and one deleted, Bob
 * only a deleted one, Eve one shown).
 */
export async function seedRelations(): Promise<void> {
  await seedUsers();
  const { Ann, Bob, Dee, Eve } = people;
  await Picture.createMany([
    { user_id: Ann.id, name: 'beach', size: 50 },
    { user_id: Ann.id, name: 'hills', size: 150 },
    { user_id: Ann.id, name: 'city', size: 300 },
    { user_id: Bob.id, name: 'dog', size: 120 },
    { user_id: Dee.id, name: 'cat', size: 10 },
    { user_id: null, name: 'lost', size: 500 },
  ]);
  await Avatar.createMany([
    { user_id: Ann.id, name: 'ann.png' },
    { user_id: Eve.id, name: 'eve.png' },
  ]);
  const [red, , blue, green] = await Color.createMany([
    { name: 'red' },
    { name: 'yellow' },
    { name: 'blue' },
    { name: 'green' },
  ]);
  await Registry.getConfig().insertMany('query_colors_users', [
    { user_id: Ann.id, color_id: red!.id },
    { user_id: Ann.id, color_id: blue!.id },
    { user_id: Bob.id, color_id: blue!.id },
    { user_id: Eve.id, color_id: green!.id },
  ]);
  const deleted = new Date(Date.UTC(2024, 0, 1));
  await Comment.createMany([
    { user_id: Ann.id, body: 'hello', deleted_at: null },
    { user_id: Ann.id, body: 'spam', deleted_at: deleted },
    { user_id: Bob.id, body: 'gone', deleted_at: deleted },
    { user_id: Eve.id, body: 'hi', deleted_at: null },
  ]);
}

/** The first names of `users`, sorted (for results whose order the query does not set). */
export function namesOf(users: readonly { first_name?: string }[]): (string | undefined)[] {
  return users.map((user) => user.first_name).sort();
}

/** The SQL of every statement `work` sends on `pool`. */
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

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * `work` must fail with `error` (thrown while the query is built, or rejected when it runs), and no statement
 * may have reached the database.
 */
export async function refused(
  pool: ConnectionPool,
  work: () => unknown,
  error: ErrorClass = TwistarError,
  what = '',
): Promise<void> {
  const sent = await statementsOf(pool, async () => {
    const outcome = await (async () => {
      await work();
    })().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    assert.ok(outcome instanceof error, `${what}: expected ${error.name}, got ${String(outcome)}`);
  });
  assert.deepEqual(sent, [], `nothing was sent to the database ${what}`);
}
