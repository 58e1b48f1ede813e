import assert from 'node:assert/strict';
import { InvalidQueryError, NotFoundError, ReferenceNotSavedError, gt, gte } from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import {
  Comment,
  Tally,
  User,
  people,
  refused,
  seedRelations,
  statementsOf,
  useQueryTables,
} from '../support/query-models.js';

/*
 * Atomic updates (issue 15): an object's increment/decrement, and a query's updateAll, increment, decrement and
 * deleteAll. The database adds to the value it holds, so concurrent increments all count.
 */

async function ageOf(id: number): Promise<number | null> {
  return (await User.unscoped().where({ id }).pluck('age'))[0] ?? null;
}

describeEachBackend('atomic updates', (db) => {
  useQueryTables(db, seedRelations);

  it('user.increment(column) adds in the database and holds the value the row then has', async () => {
    const ann = people.Ann;
    assert.equal((await ann.increment('age')).age, 31);
    assert.equal(await ageOf(ann.id), 31);
    await ann.decrement('age', 5);
    assert.equal(ann.age, 26);
    assert.equal(await ageOf(ann.id), 26);
    // The column is no longer dirty: a save sends no UPDATE of it.
    const sent = await statementsOf(db.pool, () => ann.save());
    assert.ok(!sent.some((sql) => /UPDATE/i.test(sql) && /age/.test(sql)), sent.join('\n'));
  });

  it("an object's increment counts another writer's: it adds to the row, not to the object's stale value", async () => {
    const stale = (await User.find(people.Bob.id))!;
    await User.where({ id: people.Bob.id }).updateAll({ age: 50 });
    await stale.increment('age', 2);
    assert.equal(stale.age, 52);
  });

  it('concurrent increments of one row through two loaded copies all count', async () => {
    const a = (await User.find(people.Eve.id))!;
    const b = (await User.find(people.Eve.id))!;
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).increment('age')));
    assert.equal(await ageOf(people.Eve.id), 40);
  });

  it('a decimal column is incremented exactly, a bigint column past 2^53', async () => {
    const ann = people.Ann;
    await ann.increment('balance', 0.1);
    assert.equal(ann.balance, '10.20');
    const tally = await Tally.create({ n: 2n ** 60n });
    await tally.increment('n', 2n ** 60n);
    assert.equal(BigInt(tally.n), 2n ** 61n);
  });

  it('refuses an unsaved or deleted object, a column that is no number, and an amount that is no number', async () => {
    await assert.rejects(new User({ first_name: 'New' }).increment('age'), ReferenceNotSavedError);
    await assert.rejects(people.Ann.increment('first_name' as never), InvalidQueryError);
    await assert.rejects(people.Ann.increment('age', 0.5), InvalidQueryError);
    await assert.rejects(people.Ann.increment('age', Number.NaN), InvalidQueryError);
    const gone = (await User.find(people.Dee.id))!;
    await User.where({ id: gone.id }).deleteAll();
    await assert.rejects(gone.increment('age'), NotFoundError);
  });

  it("a query's increment, decrement and updateAll write every matching row in one statement", async () => {
    const sent = await statementsOf(db.pool, async () => {
      assert.equal(await User.where({ last_name: 'Jones' }).increment('age'), 2);
    });
    assert.equal(sent.length, 1);
    assert.equal(await ageOf(people.Bob.id), 46);
    assert.equal(await User.where({ last_name: 'Jones' }).decrement('age', 6), 2);
    assert.equal(await ageOf(people.Eve.id), 25);
    assert.equal(await User.where({ last_name: 'Smith' }).updateAll({ last_name: 'Smyth' }), 3);
    assert.equal(await User.where({ last_name: 'Smyth' }).count(), 3);
    assert.equal(await User.where({ last_name: 'Smith' }).count(), 0);
  });

  it('updateAll and deleteAll follow relation filters and the DEFAULT_SCOPE', async () => {
    assert.equal(await User.whereHas('pictures', { size: gt(100) }).updateAll({ age: 99 }), 2);
    assert.deepEqual((await User.where({ age: 99 }).orderBy('id').pluck('first_name')).sort(), [
      'Ann',
      'Bob',
    ]);
    // Comments hidden by the DEFAULT_SCOPE (deleted_at set) are not touched.
    assert.equal(await Comment.where({ body: gt('') }).updateAll({ body: 'edited' }), 2);
    assert.equal(await Comment.unscoped().where({ body: 'edited' }).count(), 2);
    assert.equal(await Comment.where({ user_id: people.Ann.id }).deleteAll(), 1);
    assert.equal(await Comment.unscoped().where({ user_id: people.Ann.id }).count(), 1);
  });

  it('a write with no condition, or with parts a write cannot take, is refused before anything is sent', async () => {
    await refused(db.pool, () => User.query().deleteAll(), InvalidQueryError);
    await refused(db.pool, () => User.query().updateAll({ age: 1 }), InvalidQueryError);
    await refused(db.pool, () => User.query().increment('age'), InvalidQueryError);
    await refused(
      db.pool,
      () =>
        User.where({ age: gte(1) })
          .orderBy('id')
          .limit(1)
          .deleteAll(),
      InvalidQueryError,
    );
    await refused(db.pool, () => User.where({ age: gte(1) }).updateAll({}), InvalidQueryError);
    await refused(
      db.pool,
      () => User.where({ age: gte(1) }).updateAll({ nickname: 'x' } as never),
      InvalidQueryError,
    );
    await refused(
      db.pool,
      () => User.where({ age: gte(1) }).updateAll({ age: undefined }),
      InvalidQueryError,
    );
    await refused(
      db.pool,
      () => User.where({ age: gte(1) }).updateAll({ 'age = 0; --': 1 } as never),
      InvalidQueryError,
    );
    assert.equal(await User.count(), 7);
  });
});
