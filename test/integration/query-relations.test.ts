import assert from 'node:assert/strict';
import { InvalidQueryError, gt, gte, lt, ne, oneOf } from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import {
  Color,
  Picture,
  User,
  namesOf,
  people,
  refused,
  seedRelations,
  statementsOf,
  useQueryTables,
} from '../support/query-models.js';

/*
 * Relations in the query layer (issue 14): whereHas / whereDoesntHave (EXISTS subqueries) for each kind,
 * withCount, typed include (with a query per relation), and a relation's own query().
 *
 * Seeded (test/support/query-models.ts): pictures Ann beach 50, hills 150, city 300 · Bob dog 120 · Dee cat 10 ·
 * lost 500 (nobody's); avatars Ann, Eve; colours Ann red + blue, Bob blue, Eve green, yellow nobody's.
 */

describeEachBackend('query relations', (db) => {
  useQueryTables(db, seedRelations);

  const labels = (objects: readonly { name: string }[]) => objects.map((object) => object.name).sort();
  const inOrder = (objects: readonly { name: string }[]) => objects.map((object) => object.name);

  it('whereHas and whereDoesntHave on a has-many, with and without a condition, each owner once', async () => {
    assert.deepEqual(namesOf(await User.whereHas('pictures')), ['Ann', 'Bob', 'Dee']);
    assert.equal(await User.whereHas('pictures').count(), 3, 'EXISTS, not a join: Ann counts once');
    assert.deepEqual(namesOf(await User.whereHas('pictures', { size: gt(100) })), ['Ann', 'Bob']);
    assert.deepEqual(namesOf(await User.whereDoesntHave('pictures')), ['Abe', 'Cid', 'Eve', 'Fay']);
    assert.deepEqual(namesOf(await User.whereDoesntHave('pictures', { size: gt(100) })), [
      'Abe',
      'Cid',
      'Dee',
      'Eve',
      'Fay',
    ]);
    assert.deepEqual(namesOf(await User.where({ last_name: 'Smith' }).whereHas('pictures')), ['Ann']);
    assert.deepEqual(
      namesOf(
        await User.query()
          .whereDoesntHave('pictures')
          .where({ age: gte(18) }),
      ),
      ['Eve', 'Fay'],
    );
  });

  it("whereHas's condition names the related table's columns, even where the owner has one of that name", async () => {
    const dog = (await Picture.where({ name: 'dog' }).first())!;
    // `id` is the picture's here, not the user's.
    assert.deepEqual(namesOf(await User.whereHas('pictures', { id: dog.id })), ['Bob']);
    assert.deepEqual(
      namesOf(await User.whereHas('pictures', { id: oneOf([dog.id]) }).where({ id: people.Bob.id })),
      ['Bob'],
    );
  });

  it('whereHas and whereDoesntHave on a has-one', async () => {
    assert.deepEqual(namesOf(await User.whereHas('avatar')), ['Ann', 'Eve']);
    assert.deepEqual(namesOf(await User.whereHas('avatar', { name: 'eve.png' })), ['Eve']);
    assert.deepEqual(namesOf(await User.whereDoesntHave('avatar')), ['Abe', 'Bob', 'Cid', 'Dee', 'Fay']);
  });

  it('whereHas and whereDoesntHave on a belongs-to, a dangling key counting as none', async () => {
    await Picture.create({ name: 'dangling', user_id: people.Fay.id + 1000, size: 1 });
    assert.deepEqual(labels(await Picture.whereHas('user')), ['beach', 'cat', 'city', 'dog', 'hills']);
    assert.deepEqual(labels(await Picture.whereHas('user', { last_name: 'Smith' })), [
      'beach',
      'city',
      'hills',
    ]);
    assert.deepEqual(labels(await Picture.whereDoesntHave('user')), ['dangling', 'lost']);
    assert.deepEqual(labels(await Picture.whereDoesntHave('user', { last_name: 'Smith' })), [
      'cat',
      'dangling',
      'dog',
      'lost',
    ]);
  });

  it('whereHas and whereDoesntHave on a HABTM, from both sides', async () => {
    assert.deepEqual(namesOf(await User.whereHas('colors')), ['Ann', 'Bob', 'Eve']);
    assert.deepEqual(namesOf(await User.whereHas('colors', { name: 'blue' })), ['Ann', 'Bob']);
    assert.deepEqual(namesOf(await User.whereDoesntHave('colors', { name: 'blue' })), [
      'Abe',
      'Cid',
      'Dee',
      'Eve',
      'Fay',
    ]);
    assert.deepEqual(labels(await Color.whereDoesntHave('users')), ['yellow']);
    assert.deepEqual(labels(await Color.whereHas('users', { last_name: 'Jones' })), ['blue', 'green']);
  });

  it("whereHas keeps every parameter in its place among the outer query's, and takes Twistar's where arrays", async () => {
    const q = User.where({ age: gte(18) })
      .whereHas('pictures', { size: gt(100), name: ne('hills') })
      .where({ last_name: oneOf(['Smith', 'Jones']) })
      .orWhere({ first_name: 'Fay' });
    assert.deepEqual(namesOf(await q), ['Ann', 'Bob', 'Fay']);
    assert.equal(await q.count(), 3);
    assert.deepEqual(namesOf(await User.whereHas('pictures', ['size > ?', 200])), ['Ann']);
    assert.deepEqual(namesOf(await User.whereHas('colors', ['name = ?', 'green'])), ['Eve']);
    assert.deepEqual(namesOf(await User.whereDoesntHave('pictures', ['size < ? OR size > ?', 20, 200])), [
      'Abe',
      'Bob',
      'Cid',
      'Eve',
      'Fay',
    ]);
  });

  it('withCount: then user.pictures.count() sends no statement, and is right for users with none', async () => {
    let users: User[] = [];
    const loading = await statementsOf(db.pool, async () => {
      users = await User.query().withCount('pictures').withCount('colors').orderBy('id');
    });
    assert.ok(loading.length >= 1 && loading.length <= 3, `${loading.length} statements`);
    const counts: Record<string, [number, number]> = {};
    const counting = await statementsOf(db.pool, async () => {
      for (const user of users)
        counts[user.first_name] = [await user.pictures.count(), await user.colors.count()];
    });
    assert.deepEqual(counting, []);
    assert.deepEqual(counts, {
      Ann: [3, 2],
      Abe: [0, 0],
      Bob: [1, 1],
      Cid: [0, 0],
      Dee: [1, 0],
      Eve: [0, 1],
      Fay: [0, 0],
    });
  });

  it('withCount answers only the plain count: a filtered count and a count after reload() ask the database', async () => {
    const ann = (await User.where({ id: people.Ann.id }).withCount('pictures').first())!;
    assert.equal(await ann.pictures.count({ where: ['size > ?', 100] }), 2);
    await Picture.create({ name: 'new', user_id: ann.id, size: 5 });
    const fresh = await statementsOf(db.pool, async () => {
      assert.equal(await ann.pictures.reload().count(), 4);
    });
    assert.equal(fresh.length, 1);
  });

  it('include loads typed relations, one statement per relation, and get() then sends none', async () => {
    let users: User[] = [];
    const loading = await statementsOf(db.pool, async () => {
      users = await User.query().orderBy('id').include('pictures', 'avatar', 'colors');
    });
    assert.equal(loading.length, 1 + 3);
    const loaded: Record<string, unknown> = {};
    const reads = await statementsOf(db.pool, async () => {
      for (const user of users)
        loaded[user.first_name] = [
          labels(await user.pictures.get()),
          (await user.avatar.get())?.name ?? null,
          labels(await user.colors.get()),
        ];
    });
    assert.deepEqual(reads, []);
    assert.deepEqual(loaded, {
      Ann: [['beach', 'city', 'hills'], 'ann.png', ['blue', 'red']],
      Abe: [[], null, []],
      Bob: [['dog'], null, ['blue']],
      Cid: [[], null, []],
      Dee: [['cat'], null, []],
      Eve: [[], 'eve.png', ['green']],
      Fay: [[], null, []],
    });
  });

  it('include with a query per relation filters and orders each relation, still one statement per relation', async () => {
    let users: User[] = [];
    const loading = await statementsOf(db.pool, async () => {
      users = await User.query()
        .orderBy('id')
        .include({
          pictures: (q) => q.where({ size: gt(100) }).orderBy('size', 'desc'),
          colors: (q) => q.where(['name <> ?', 'red']).orderBy('name'),
        });
    });
    assert.equal(loading.length, 1 + 2);
    const loaded: Record<string, unknown> = {};
    const reads = await statementsOf(db.pool, async () => {
      for (const user of users)
        loaded[user.first_name] = [inOrder(await user.pictures.get()), inOrder(await user.colors.get())];
    });
    assert.deepEqual(reads, []);
    assert.deepEqual(loaded, {
      Ann: [['city', 'hills'], ['blue']],
      Abe: [[], []],
      Bob: [['dog'], ['blue']],
      Cid: [[], []],
      Dee: [[], []],
      Eve: [[], ['green']],
      Fay: [[], []],
    });
  });

  it('include calls add up, and a query per relation keeps its parameters apart from the main query', async () => {
    let users: User[] = [];
    const loading = await statementsOf(db.pool, async () => {
      users = await User.where({ age: gte(18) })
        .orderBy('id')
        .include('avatar')
        .include({ pictures: (q) => q.where({ size: lt(200) }).orderBy('id') });
    });
    assert.equal(loading.length, 1 + 2);
    assert.deepEqual(namesOf(users), ['Ann', 'Bob', 'Dee', 'Eve', 'Fay']);
    const reads = await statementsOf(db.pool, async () => {
      const ann = users[0]!;
      assert.deepEqual(inOrder(await ann.pictures.get()), ['beach', 'hills']);
      assert.equal((await ann.avatar.get())?.name, 'ann.png');
    });
    assert.deepEqual(reads, []);
  });

  it("a relation's query(): where, orderBy, first, count, pluck and exists, on the owner's rows only", async () => {
    const { Ann, Abe } = people;
    // Bob's dog (120) and the lost picture (500) are bigger than 100 too, but not Ann's.
    assert.deepEqual(
      inOrder(
        await Ann.pictures
          .query()
          .where({ size: gt(100) })
          .orderBy('id'),
      ),
      ['hills', 'city'],
    );
    assert.equal((await Ann.pictures.query().orderBy('size', 'desc').first())?.name, 'city');
    assert.equal(
      await Ann.pictures
        .query()
        .where({ size: lt(200) })
        .count(),
      2,
    );
    assert.deepEqual(await Ann.pictures.query().orderBy('size').pluck('name'), ['beach', 'hills', 'city']);
    assert.equal(await Abe.pictures.query().exists(), false);
    assert.deepEqual(await Abe.pictures.query(), []);
    assert.ok((await Ann.pictures.query()).every((picture) => picture instanceof Picture));
  });

  it("a relation query's orWhere never escapes the owner", async () => {
    const { Ann } = people;
    const q = Ann.pictures
      .query()
      .where({ size: lt(100) })
      .orWhere({ size: gt(400) });
    // Not the lost picture (500) nor Dee's cat (10): they are not Ann's.
    assert.deepEqual(labels(await q), ['beach']);
    assert.equal(await q.count(), 1);
    const colors = Ann.colors.query().where({ name: 'red' }).orWhere({ name: 'green' });
    assert.deepEqual(labels(await colors), ['red'], "green is Eve's");
  });

  it('a HABTM query() from both sides', async () => {
    const { Ann } = people;
    assert.deepEqual(await Ann.colors.query().orderBy('name').pluck('name'), ['blue', 'red']);
    const blue = (await Color.where({ name: 'blue' }).first())!;
    assert.deepEqual(namesOf(await blue.users.query().where({ age: gte(40) })), ['Bob']);
    assert.equal(await blue.users.query().count(), 2);
  });

  it('get(options) keeps working beside query()', async () => {
    const { Ann } = people;
    assert.deepEqual(inOrder(await Ann.pictures.get({ where: ['size > ?', 100], orderBy: 'id' })), [
      'hills',
      'city',
    ]);
    assert.equal((await Ann.pictures.get({ orderBy: 'size DESC', limit: 1 }))?.name, 'city');
    assert.deepEqual(inOrder(await Ann.colors.get({ orderBy: 'name' })), ['blue', 'red']);
    assert.equal(await Ann.pictures.count({ where: ['size < ?', 100] }), 1);
  });

  it('relation names from input in include, whereHas, whereDoesntHave and withCount are refused before sending', async () => {
    for (const name of [
      'nope',
      'pictures; DROP TABLE query_users',
      '__proto__',
      'constructor',
      'first_name',
      'save',
      '',
    ]) {
      const relation = name as never;
      const what = JSON.stringify(name);
      await refused(db.pool, () => User.query().include(relation), undefined, `include ${what}`);
      await refused(db.pool, () => User.whereHas(relation), undefined, `whereHas ${what}`);
      await refused(db.pool, () => User.whereDoesntHave(relation), undefined, `whereDoesntHave ${what}`);
      await refused(db.pool, () => User.query().withCount(relation), undefined, `withCount ${what}`);
      await refused(
        db.pool,
        () => User.query().include(JSON.parse(`{${JSON.stringify(name)}: null}`) as never),
        undefined,
        `include({ ${what} })`,
      );
    }
    await refused(
      db.pool,
      () => User.whereHas('pictures', { 'size; DROP TABLE query_users': 1 } as never),
      InvalidQueryError,
    );
    await refused(db.pool, () => User.whereHas('pictures', { size: undefined as never }), InvalidQueryError);
  });
});
