import assert from 'node:assert/strict';
import { beforeEach } from 'node:test';
import {
  CannotRefreshError,
  DBObject,
  DBObjectSaveError,
  ImaginaryTableError,
  InvalidQueryError,
  ReferenceNotSavedError,
  TwistarError,
  UnknownColumnError,
  type QueryEvent,
} from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { createTable, dropTable, USERS } from '../support/schema.js';

class User extends DBObject {
  declare first_name: string;
  declare last_name: string | null;
  declare age: number | null;
  declare created_at: Date;
  declare updated_at: Date;
}

class Person extends DBObject {}

class FavoriteColor extends DBObject {
  static override TABLENAME = 'colors';
}

class Token extends DBObject {
  static override PRIMARY_KEY = 'token';
  static override TIMESTAMPS = false;
  declare token: string;
  declare label: string;
  declare created_at: Date | null;
}

class Sample extends DBObject {
  declare big: bigint | number;
  declare flag: boolean;
  declare day: Date;
  declare at: Date;
  declare data: Buffer;
  declare ratio: number;
}

class Clash extends DBObject {}

describeEachBackend('models', (db) => {
  beforeEach(async () => {
    await createTable(db.pool, 'users', USERS);
  });

  /** The SQL of every statement `work` runs. */
  async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
    const seen: string[] = [];
    const listener = (event: QueryEvent) => seen.push(event.sql);
    db.pool.on('query', listener);
    try {
      await work();
    } finally {
      db.pool.off('query', listener);
    }
    return seen;
  }

  async function seed(): Promise<User[]> {
    const users: User[] = [];
    for (const [first_name, age] of [
      ['Ann', 30],
      ['Bob', 25],
      ['Cid', 35],
    ] as const) {
      users.push(await new User({ first_name, last_name: 'Smith', age }).save());
    }
    return users;
  }

  it('names tables as the snake_case plural of the class, unless TABLENAME says otherwise', () => {
    assert.equal(User.tablename(), 'users');
    assert.equal(Person.tablename(), 'people');
    assert.equal(FavoriteColor.tablename(), 'colors');
    class BlogPost extends DBObject {}
    assert.equal(BlogPost.tablename(), 'blog_posts');
  });

  it('saves a new object, giving it an id, and finds it again by id', async () => {
    const user = new User({ first_name: 'Ann', last_name: 'Smith', age: 30 });
    assert.equal(user.id, null);
    assert.equal(user.isNewRecord(), true);
    assert.equal(await user.save(), user);
    assert.equal(user.id, 1);
    assert.equal(user.isNewRecord(), false);
    const found = await User.find(1);
    assert.ok(found instanceof User);
    assert.equal(found.first_name, 'Ann');
    assert.equal(found.age, 30);
    assert.equal(found.isNewRecord(), false);
    assert.equal(await User.find(99), null);
  });

  it('find takes where, orderBy, limit and offset; limit 1 gives one object or null', async () => {
    await seed();
    const older = await User.find({ where: ['age > ?', 26], orderBy: 'age DESC' });
    assert.deepEqual(
      older.map((u) => u.first_name),
      ['Cid', 'Ann'],
    );
    const youngest = await User.find({ orderBy: 'age', limit: 1 });
    assert.equal(youngest?.first_name, 'Bob');
    assert.equal(await User.find({ where: ['age > ?', 99], limit: 1 }), null);
    const paged = await User.find({ orderBy: 'id', limit: 2, offset: 1 });
    assert.deepEqual(
      paged.map((u) => u.first_name),
      ['Bob', 'Cid'],
    );
    assert.equal((await User.find()).length, 3);
    assert.equal((await User.all({ orderBy: 'id DESC' }))[0]?.first_name, 'Cid');
  });

  it('find(undefined) is an error, never every row', async () => {
    await seed();
    const missing: number | undefined = undefined;
    await assert.rejects(User.find(missing as unknown as number), InvalidQueryError);
  });

  it('findBy matches column values, and null matches NULL', async () => {
    await seed();
    await new User({ first_name: 'Dee', last_name: null, age: 30 }).save();
    assert.deepEqual(
      (await User.findBy({ age: 30 }, { orderBy: 'id' })).map((u) => u.first_name),
      ['Ann', 'Dee'],
    );
    assert.deepEqual(
      (await User.findBy({ last_name: null })).map((u) => u.first_name),
      ['Dee'],
    );
    assert.equal((await User.findBy({ first_name: 'Bob' }, { limit: 1 }))?.age, 25);
    await assert.rejects(User.findBy({ age: undefined }), InvalidQueryError);
    // No condition is what the caller asked for: every row, as Twistar's findBy() with no arguments.
    assert.equal((await User.findBy({})).length, await User.count());
    assert.equal((await User.findBy({}, { orderBy: 'first_name', limit: 1 }))?.first_name, 'Ann');
  });

  it('findOrCreate finds an existing object or creates exactly one', async () => {
    const created = await User.findOrCreate({ first_name: 'Eve', age: 40 });
    assert.equal(created.isNewRecord(), false);
    const found = await User.findOrCreate({ first_name: 'Eve', age: 40 });
    assert.ok(found.equals(created));
    assert.equal(await User.count(), 1);
  });

  it('findOrCreate called concurrently creates one row when a unique index guards it', async () => {
    await createTable(db.pool, 'users', { ...USERS, first_name: 'string unique' });
    const results = await Promise.all(
      Array.from({ length: 5 }, () => User.findOrCreate({ first_name: 'Fay' })),
    );
    assert.equal(await User.count(), 1);
    for (const user of results) assert.ok(user.equals(results[0]));
  });

  it('count, exists and deleteAll take an optional where', async () => {
    await seed();
    assert.equal(await User.count(), 3);
    assert.equal(await User.count(['age > ?', 26]), 2);
    assert.equal(await User.exists(['first_name = ?', 'Bob']), true);
    assert.equal(await User.exists(['first_name = ?', 'Zed']), false);
    assert.equal(await User.deleteAll(['age < ?', 31]), 2);
    assert.equal(await User.count(), 1);
    assert.equal(await User.deleteAll(), 1);
    assert.equal(await User.exists(), false);
  });

  it('saving a model whose table does not exist rejects with ImaginaryTableError', async () => {
    class Ghost extends DBObject {}
    await assert.rejects(new Ghost({ name: 'boo' }).save(), ImaginaryTableError);
  });

  it('refuses to save a value for a name that is not a column (UnknownColumnError), writing nothing', async () => {
    const before = await User.count();
    const user = new User({ first_name: 'Ann', nickname: 'annie' });
    await assert.rejects(
      user.save(),
      (error: unknown) =>
        error instanceof UnknownColumnError &&
        error.table === 'users' &&
        error.columns.join() === 'nickname' &&
        /"nickname" is not a column of "users"/.test(error.message),
    );
    assert.equal(await User.count(), before);
    // An undefined value holds nothing to lose; without the stray name the object saves.
    (user as unknown as Record<string, unknown>).nickname = undefined;
    await user.save();
    assert.equal((await User.find(user.id ?? 0))?.first_name, 'Ann');
  });

  it('updates only the columns that changed, and issues no UPDATE when nothing did', async () => {
    const [ann] = await seed();
    const loaded = (await User.find(ann?.id ?? 0)) as User;
    assert.deepEqual(await statementsOf(() => loaded.save()), []);
    loaded.age = 31;
    const statements = await statementsOf(() => loaded.save());
    assert.equal(statements.length, 1);
    assert.match(statements[0] ?? '', /^UPDATE .users. SET .age. = \?, .updated_at. = \? WHERE .id. = \?$/);
    assert.deepEqual(await statementsOf(() => loaded.save()), []);
  });

  it('two copies that change different columns lose neither change', async () => {
    const [ann] = await seed();
    const one = (await User.find(ann?.id ?? 0)) as User;
    const two = (await User.find(ann?.id ?? 0)) as User;
    one.first_name = 'Anna';
    two.age = 99;
    await one.save();
    await two.save();
    const fresh = await User.find(ann?.id ?? 0);
    assert.equal(fresh?.first_name, 'Anna');
    assert.equal(fresh?.age, 99);
  });

  it('sets created_at and updated_at on create and updated_at on update', async () => {
    const before = Date.now();
    const user = await new User({ first_name: 'Ann' }).save();
    assert.ok(user.created_at instanceof Date);
    assert.ok(user.created_at.getTime() >= before - 1);
    assert.equal(user.updated_at.getTime(), user.created_at.getTime());
    const stored = (await User.find(user.id ?? 0)) as User;
    assert.equal(stored.created_at.getTime(), user.created_at.getTime());
    await new Promise((resolve) => setTimeout(resolve, 15));
    stored.age = 1;
    await stored.save();
    const updated = (await User.find(user.id ?? 0)) as User;
    assert.ok(updated.updated_at.getTime() > updated.created_at.getTime());
    assert.equal(updated.created_at.getTime(), user.created_at.getTime());
  });

  it('supports a text primary key the application assigns, and TIMESTAMPS = false', async () => {
    await createTable(db.pool, 'tokens', {
      token: 'string primary key',
      label: 'string',
      created_at: 'datetime',
    });
    const token = await new Token({ token: 'abc-123', label: 'first' }).save();
    assert.equal(token.id, 'abc-123');
    assert.equal(token.created_at, undefined);
    const found = await Token.find('abc-123');
    assert.equal(found?.label, 'first');
    assert.equal(found?.created_at, null);
    found!.label = 'renamed';
    await found!.save();
    assert.equal((await Token.find('abc-123'))?.label, 'renamed');
    assert.equal(await found!.delete(), true);
    assert.equal(await Token.count(), 0);
  });

  it('toJSON and toHash give the column values only', async () => {
    const user = await new User({ first_name: 'Ann', age: 30 }).save();
    await user.validate();
    const json = JSON.parse(JSON.stringify(user)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json).sort(), ['age', 'created_at', 'first_name', 'id', 'updated_at']);
    assert.equal(json.id, 1);
    const hash = user.toHash();
    assert.equal(hash.first_name, 'Ann');
    assert.equal('errors' in hash, false);
  });

  it('refresh reloads the row; without one it rejects with CannotRefreshError', async () => {
    const [ann] = await seed();
    await db.pool.runOperation('UPDATE users SET age = ? WHERE id = ?', [77, ann?.id]);
    await ann?.refresh();
    assert.equal(ann?.age, 77);
    await assert.rejects(new User({ first_name: 'New' }).refresh(), CannotRefreshError);
    await User.deleteAll();
    await assert.rejects(ann!.refresh(), CannotRefreshError);
  });

  it('delete removes the row; saving a deleted object rejects with DBObjectSaveError', async () => {
    const [ann] = await seed();
    assert.equal(await ann!.delete(), true);
    assert.equal(await User.find(ann?.id ?? 0), null);
    await assert.rejects(ann!.save(), DBObjectSaveError);
    await assert.rejects(new User({ first_name: 'x' }).delete(), ReferenceNotSavedError);
  });

  it('saving changes to a row deleted meanwhile rejects with DBObjectSaveError', async () => {
    const [ann] = await seed();
    await User.deleteAll();
    ann!.age = 1;
    await assert.rejects(ann!.save(), DBObjectSaveError);
  });

  it('equals compares class and id', async () => {
    const [ann, bob] = await seed();
    assert.ok(ann?.equals(await User.find(ann.id ?? 0)));
    assert.equal(ann?.equals(bob), false);
    assert.equal(new User().equals(new User()), false);
    class Other extends DBObject {}
    const other = new Other();
    other.id = ann?.id ?? null;
    assert.equal(ann?.equals(other), false);
  });

  it('round-trips Dates in UTC, DATE as the UTC day, big integers, booleans and Buffers', async () => {
    await createTable(db.pool, 'samples', {
      id: 'pk',
      big: 'bigint',
      flag: 'bool',
      day: 'date',
      at: 'datetime',
      data: 'blob',
      ratio: 'real',
    });
    const at = new Date('2024-03-05T23:45:06.789Z');
    const big = 2n ** 62n + 3n;
    const data = Buffer.from([0, 1, 2, 250, 255]);
    const sample = await new Sample({ big, flag: true, day: at, at, data, ratio: 0.25 }).save();
    const found = (await Sample.find(sample.id ?? 0)) as Sample;
    assert.equal(found.big, big);
    assert.equal(found.flag, true);
    assert.ok(found.day instanceof Date);
    assert.equal(found.day.toISOString(), '2024-03-05T00:00:00.000Z');
    assert.ok(found.at instanceof Date);
    assert.equal(found.at.toISOString(), '2024-03-05T23:45:06.789Z');
    assert.ok(Buffer.isBuffer(found.data));
    assert.deepEqual([...found.data], [...data]);
    assert.equal(found.ratio, 0.25);
    found.flag = false;
    found.big = 5;
    await found.save();
    const again = (await Sample.find(sample.id ?? 0)) as Sample;
    assert.equal(again.flag, false);
    assert.equal(again.big, 5);
    assert.deepEqual(await again.save().then(() => 'saved'), 'saved');
  });

  it('reports a column named like a model method instead of hiding the method', async () => {
    await createTable(db.pool, 'clashes', { id: 'pk', save: 'string' });
    await db.pool.runOperation(
      `INSERT INTO clashes (${db.pool.dialect.quoteIdentifier('save')}) VALUES (?)`,
      ['x'],
    );
    await assert.rejects(
      Clash.find({}),
      (error: unknown) => error instanceof TwistarError && /save/.test(error.message),
    );
    assert.throws(() => new Clash({ save: 'x' }), TwistarError);
    await dropTable(db.pool, 'clashes');
  });

  it('writes whole numbers to a text column as their digits', async () => {
    await createTable(db.pool, 'codes', { id: 'pk', code: 'string' });
    class Code extends DBObject {
      declare code: string | number;
    }
    await new Code({ code: 12345 }).save();
    assert.equal((await Code.find(1))?.code, '12345');
    assert.equal((await Code.findBy({ code: '12345' })).length, 1);
  });

  it('round-trips objects in JSON columns, and saves changes made to them in place', async () => {
    await createTable(db.pool, 'docs', { id: 'pk', body: 'json' });
    class Doc extends DBObject {
      declare body: { tags: string[]; n: number };
    }
    const doc = await new Doc({ body: { tags: ['a'], n: 1 } }).save();
    const found = (await Doc.find(doc.id ?? 0)) as Doc;
    assert.deepEqual(found.body, { tags: ['a'], n: 1 });
    found.body.tags.push('b');
    await found.save();
    assert.deepEqual((await Doc.find(doc.id ?? 0))?.body, { tags: ['a', 'b'], n: 1 });
  });

  it('matches a Date against a DATE column by its UTC day in findBy', async () => {
    await createTable(db.pool, 'samples', { id: 'pk', day: 'date' });
    await new Sample({ day: new Date('2024-03-05T23:45:00Z') }).save();
    const found = await Sample.findBy({ day: new Date('2024-03-05T01:00:00Z') });
    assert.equal(found.length, 1);
  });

  it('refuses a key that obj.id cannot read: an id column beside another key, or no such column', async () => {
    await createTable(db.pool, 'tokens', { id: 'int', token: 'string primary key', label: 'string' });
    await assert.rejects(Token.create({ token: 't', label: 'x' }), /has an id column/);
    await createTable(db.pool, 'tokens', { code: 'string primary key', label: 'string' });
    await assert.rejects(new Token({ code: 't', label: 'x' }).save(), /has no column "token"/);
  });

  it('needs a text key before saving rather than writing a row it cannot find again', async () => {
    await createTable(db.pool, 'tokens', { token: 'string primary key', label: 'string' });
    await assert.rejects(new Token({ label: 'no key' }).save());
    assert.equal(await Token.count(), 0);
  });
});
