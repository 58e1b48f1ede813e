import assert from 'node:assert/strict';
import {
  CastError,
  DBObject,
  DBObjectSaveError,
  InvalidValueError,
  Registry,
  ValidationError,
  custom,
  decimal,
  enumOf,
  json,
  like,
  oneOf,
  transaction,
  type BelongsTo,
  type CastType,
  type HasMany,
} from '../../src/index.js';
import { describeEachBackend, it, type BackendContext } from '../support/backends.js';
import { refused, statementsOf } from '../support/query-models.js';
import { useTables } from '../support/schema.js';

/*
 * Attribute casts (issue 15): `static CASTS` gives columns an enum, an exact decimal, a JSON value or a
 * conversion of your own, applied on every write (save, createMany, conditions, updateAll) and every read
 * (finders, queries, eager loads, relations, pluck).
 */

/** Money in whole cents, stored in an integer column. */
class Money {
  constructor(public cents: number) {}
  toString(): string {
    return `${(this.cents / 100).toFixed(2)} EUR`;
  }
}

const LEVELS = { low: 1, high: 2 } as const;
type Level = keyof typeof LEVELS;

const POST_CASTS = {
  status: enumOf(['draft', 'published']),
  price: decimal({ scale: 2 }),
  amount: decimal({ scale: 2 }),
  tags: json<string[]>(),
  meta: json<{ views: number; by?: string }>(),
  cost: custom({ toDb: (money: Money) => money.cents, fromDb: (cents) => new Money(Number(cents)) }),
  level: custom({
    toDb: (level: Level) => LEVELS[level],
    fromDb: (stored) => (Number(stored) === 1 ? 'low' : 'high') as Level,
  }),
};

class CastPost extends DBObject {
  static override TABLENAME = 'cast_posts';
  static override TIMESTAMPS = false;
  static override HASMANY = [{ name: 'comments', className: 'CastComment', foreignKey: 'post_id' }];
  static override CASTS = POST_CASTS;
  declare status: CastType<typeof POST_CASTS.status>;
  declare price: CastType<typeof POST_CASTS.price> | null;
  declare amount: CastType<typeof POST_CASTS.amount> | null;
  declare tags: CastType<typeof POST_CASTS.tags> | null;
  declare meta: CastType<typeof POST_CASTS.meta> | null;
  declare cost: CastType<typeof POST_CASTS.cost>;
  declare level: CastType<typeof POST_CASTS.level>;
  declare id: number;
  declare title: string;
  declare comments: HasMany<CastComment>;
}

class CastComment extends DBObject {
  static override TABLENAME = 'cast_comments';
  static override TIMESTAMPS = false;
  static override BELONGSTO = [{ name: 'post', className: 'CastPost', foreignKey: 'post_id' }];
  declare id: number;
  declare post_id: number;
  declare body: string;
  declare post: BelongsTo<CastPost>;
}

Registry.register(CastPost, CastComment);

const TABLES = {
  cast_posts: {
    id: 'pk',
    title: 'string',
    status: 'string',
    price: 'decimal(12,2)',
    amount: 'text',
    tags: 'text',
    meta: 'json',
    cost: 'int',
    level: 'int',
  },
  cast_comments: { id: 'pk', post_id: 'int', body: 'string' },
  cast_misnamed: { id: 'pk', status: 'string', n: 'int' },
};

async function newPost(values: Partial<CastPost> = {}): Promise<CastPost> {
  return CastPost.create({
    title: 'Hello',
    status: 'draft',
    price: '9.99',
    amount: '1.00',
    tags: ['a'],
    meta: { views: 1 },
    cost: new Money(250),
    level: 'low',
    ...values,
  });
}

/** The row as the database holds it, read through the low-level interface (no casts). */
async function rawRow(db: BackendContext, id: number): Promise<Record<string, unknown>> {
  const { rows } = await db.pool.execute(
    `SELECT * FROM cast_posts WHERE ${db.pool.dialect.quoteIdentifier('id')} = ?`,
    [id],
  );
  assert.ok(rows[0] !== undefined);
  return rows[0];
}

describeEachBackend('attribute casts', (db) => {
  useTables(db, TABLES);

  it('every value is written through toDb and read through fromDb, by every finder', async () => {
    const post = await newPost({ level: 'high' });
    const row = await rawRow(db, post.id);
    assert.equal(Number(row.cost), 250);
    assert.equal(Number(row.level), 2);
    assert.equal(row.tags, '["a"]');
    const found = await CastPost.find(post.id);
    assert.ok(found !== null);
    assert.ok(found.cost instanceof Money);
    assert.equal(found.cost.cents, 250);
    assert.equal(found.level, 'high');
    assert.deepEqual(found.tags, ['a']);
    assert.deepEqual(found.meta, { views: 1 });
    assert.equal(found.price, '9.99');
    const [queried] = await CastPost.where({ id: post.id }).all();
    assert.ok(queried?.cost instanceof Money);
    assert.equal((await CastPost.findBy({ level: 'high' }))[0]?.id, post.id);
    assert.ok((await CastPost.where({ id: post.id }).first())?.cost instanceof Money);
    assert.deepEqual(await CastPost.where({ id: post.id }).pluck('level'), ['high']);
  });

  it('conditions on a cast column go through toDb: where, oneOf, findBy, updateAll', async () => {
    const low = await newPost({ title: 'low', level: 'low', cost: new Money(100) });
    const high = await newPost({ title: 'high', level: 'high', cost: new Money(900) });
    assert.deepEqual(
      (await CastPost.where({ level: 'high' }).all()).map((post) => post.id),
      [high.id],
    );
    // Twice: the second takes the statement kept for the shape, with the parameters written the same way.
    assert.equal((await CastPost.where({ level: 'low' }).first())?.id, low.id);
    assert.equal((await CastPost.where({ level: 'low' }).first())?.id, low.id);
    assert.equal(await CastPost.where({ level: oneOf<Level>(['low', 'high']) }).count(), 2);
    assert.equal((await CastPost.where({ cost: new Money(900) }).first())?.id, high.id);
    assert.equal(await CastPost.where({ level: 'low' }).updateAll({ level: 'high', cost: new Money(5) }), 1);
    const updated = await CastPost.find(low.id);
    assert.equal(updated?.level, 'high');
    assert.equal(updated?.cost.cents, 5);
    assert.equal(Number((await rawRow(db, low.id)).level), 2);
    // A LIKE pattern is the column's text: the cast leaves it alone.
    // (A LIKE of a column typed by a union of values takes `as never`: like() is typed as text.)
    assert.equal(await CastPost.where({ status: like('dr%') as never }).count(), 2);
  });

  it('a value outside an enum is a validation error on save, and refused in conditions and updateAll', async () => {
    const post = await newPost();
    (post as { status: string }).status = 'archived';
    assert.equal(await post.isValid(), false);
    await refused(db.pool, () => post.saveOrFail(), ValidationError, 'saveOrFail');
    assert.match(post.errors.errorsFor('status')[0] ?? '', /must be one of "draft", "published"/);
    // save() resolves without writing, the message on `errors`.
    assert.deepEqual(await statementsOf(db.pool, () => post.save()), []);
    assert.equal(post.errors.isEmpty(), false);
    let created: CastPost | undefined;
    const sent = await statementsOf(db.pool, async () => {
      created = await CastPost.create({ title: 'x', status: 'bogus' as 'draft' });
    });
    assert.deepEqual(sent, []);
    assert.equal(created?.isNewRecord(), true);
    assert.equal(created?.errors.errorsFor('status').length, 1);
    await refused(
      db.pool,
      () =>
        CastPost.createMany([
          { title: 'ok', status: 'draft' },
          { title: 'x', status: 'bogus' as 'draft' },
        ]),
      DBObjectSaveError,
      'createMany',
    );
    await refused(
      db.pool,
      () => CastPost.where({ status: 'bogus' as 'draft' }).all(),
      InvalidValueError,
      'where',
    );
    await refused(
      db.pool,
      () => CastPost.where({ status: oneOf<'draft' | 'published'>(['draft', 'bogus' as 'draft']) }).count(),
      InvalidValueError,
      'oneOf',
    );
    await refused(
      db.pool,
      () => CastPost.where({ id: post.id }).updateAll({ status: 'bogus' as 'draft' }),
      InvalidValueError,
      'updateAll',
    );
    post.status = 'published';
    await post.saveOrFail();
    assert.equal((await CastPost.find(post.id))?.status, 'published');
    // A value another program wrote is read as it is (not refused, not dropped).
    await db.pool.execute(`UPDATE cast_posts SET status = 'legacy'`);
    assert.equal((await CastPost.find(post.id))?.status, 'legacy');
  });

  it('decimal() keeps exact text beyond a double, refuses more places than its scale, takes exact numbers', async () => {
    const big = '12345678901234567890.12';
    const post = await newPost({ amount: big, price: '1.5' });
    // The object holds the form the row reads back as.
    assert.equal(post.price, '1.50');
    assert.equal((await CastPost.find(post.id))?.amount, big);
    assert.equal((await rawRow(db, post.id)).amount, big);
    post.amount = '0.5';
    await post.saveOrFail();
    assert.equal(post.amount, '0.50');
    assert.equal((await CastPost.find(post.id))?.amount, '0.50');
    for (const bad of ['1.999', 'abc', 0.1 + 0.2]) {
      (post as { amount: unknown }).amount = bad;
      await post.save();
      assert.equal(post.errors.errorsFor('amount').length, 1, String(bad));
    }
    assert.match(post.errors.errorsFor('amount')[0] ?? '', /toFixed\(2\)/);
    (post as { amount: unknown }).amount = 0.25;
    await post.saveOrFail();
    assert.equal((await CastPost.find(post.id))?.amount, '0.25');
    assert.equal((await CastPost.where({ amount: '0.25' }).first())?.id, post.id);
  });

  it('dirty tracking compares the model values: unchanged sends nothing, changes in place are saved', async () => {
    const post = (await CastPost.find((await newPost()).id))!;
    assert.deepEqual(await statementsOf(db.pool, () => post.save()), []);
    post.cost.cents = 300;
    post.tags?.push('b');
    post.meta!.views = 2;
    const sent = await statementsOf(db.pool, () => post.save());
    assert.equal(sent.length, 1);
    assert.match(sent[0] ?? '', /UPDATE/);
    for (const column of ['cost', 'tags', 'meta']) assert.match(sent[0] ?? '', new RegExp(column));
    assert.doesNotMatch(sent[0] ?? '', /status|level|price/);
    const found = (await CastPost.find(post.id))!;
    assert.equal(found.cost.cents, 300);
    assert.deepEqual(found.tags, ['a', 'b']);
    assert.deepEqual(found.meta, { views: 2 });
    assert.deepEqual(await statementsOf(db.pool, () => found.save()), []);
    // A new object of the same value is no change either.
    found.cost = new Money(300);
    found.level = 'low';
    assert.deepEqual(await statementsOf(db.pool, () => found.save()), []);
  });

  it('a value changed in place while its save is on its way stays dirty', async () => {
    const post = await newPost();
    post.tags = ['x'];
    const saving = post.save();
    post.tags.push('y');
    await saving;
    await post.save();
    assert.deepEqual((await CastPost.find(post.id))?.tags, ['x', 'y']);
  });

  it('relations and eager loads read cast columns; two finds of one tick are both cast', async () => {
    const post = await newPost({ level: 'high' });
    await CastComment.create({ post_id: post.id, body: 'hi' });
    const [comment] = await CastComment.where({ post_id: post.id }).include('post').all();
    assert.ok(comment !== undefined);
    let loaded: CastPost | null = null;
    assert.deepEqual(await statementsOf(db.pool, async () => (loaded = await comment.post.get())), []);
    assert.ok((loaded as CastPost | null)?.cost instanceof Money);
    assert.equal((loaded as CastPost | null)?.level, 'high');
    const lazy = (await CastComment.findBy({ post_id: post.id }))[0];
    assert.equal((await lazy?.post.get())?.level, 'high');
    const [a, b] = await Promise.all([CastPost.find(post.id), CastPost.find(post.id)]);
    assert.ok(a?.cost instanceof Money && b?.cost instanceof Money);
    assert.notEqual(a.cost, b.cost);
  });

  it('a transaction that rolls back leaves the row as it was, and the object dirty', async () => {
    const post = await newPost();
    post.cost = new Money(1);
    await assert.rejects(
      transaction(async () => {
        await post.save();
        throw new Error('undo');
      }),
      /undo/,
    );
    assert.equal((await CastPost.find(post.id))?.cost.cents, 250);
  });

  it('a cast on a column the table lacks, on the key, or on a column that cannot hold it is a CastError', async () => {
    class Misnamed extends DBObject {
      static override TABLENAME = 'cast_misnamed';
      static override CASTS = { stauts: enumOf(['a']) };
    }
    class KeyCast extends DBObject {
      static override TABLENAME = 'cast_misnamed';
      static override CASTS = { id: custom({ toDb: (n: number) => n, fromDb: (n) => Number(n) }) };
    }
    class IntDecimal extends DBObject {
      static override TABLENAME = 'cast_misnamed';
      static override CASTS = { n: decimal() };
    }
    class NotACast extends DBObject {
      static override TABLENAME = 'cast_misnamed';
      static override CASTS = { status: { toDb: String } as never };
    }
    await assert.rejects(Misnamed.columns(), (error: unknown) => {
      assert.ok(error instanceof CastError);
      assert.match(error.message, /"stauts", which is not a column of "cast_misnamed"/);
      return true;
    });
    await assert.rejects(KeyCast.columns(), CastError);
    await assert.rejects(IntDecimal.columns(), /decimal\(\) cannot be on column "n"/);
    await assert.rejects(NotACast.columns(), /NotACast.CASTS.status is not a cast/);
    await refused(db.pool, () => new Misnamed({ status: 'a' }).save(), CastError, 'save');
  });
});
