import assert from 'node:assert/strict';
import { afterEach, beforeEach } from 'node:test';
import { InvalidRelationshipError, Registry, StrictLoadingError } from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import {
  Avatar,
  Boy,
  FavoriteColor,
  Girl,
  Nickname,
  Picture,
  User,
  createRelationshipTables,
  statementsOf,
} from '../support/relationship-models.js';

const USERS = 25;
const PICTURES_EACH = 4;

describeEachBackend('eager loading', (db) => {
  beforeEach(async () => {
    await createRelationshipTables(db.pool);
    const colors = [];
    for (const name of ['red', 'green', 'blue']) colors.push(await FavoriteColor.create({ name }));
    const config = Registry.getConfig();
    for (let u = 1; u <= USERS; u++) {
      const user = await User.create({ first_name: `user${u}`, age: u });
      await config.insertMany(
        'pictures',
        Array.from({ length: PICTURES_EACH }, (_, p) => ({ user_id: user.id, name: `u${u}p${p}`, size: p })),
      );
      if (u % 2 === 0) await Avatar.create({ name: `avatar${u}`, user_id: user.id });
      await user.favorite_colors.set(colors.slice(0, u % 4));
    }
  });

  afterEach(() => {
    Registry.AUTO_BATCH = true;
    Registry.STRICT_LOADING = false;
  });

  it('include loads each relation for the whole result with one query, and get() then needs none', async () => {
    let users: User[] = [];
    const statements = await statementsOf(db.pool, async () => {
      users = await User.find({ orderBy: 'id', include: ['pictures', 'avatar', 'favorite_colors'] });
    });
    assert.equal(statements.length, 1 + 3);
    assert.equal(users.length, USERS);
    const reads = await statementsOf(db.pool, async () => {
      for (const user of users) {
        assert.equal((await user.pictures.get()).length, PICTURES_EACH);
        assert.equal(
          (await user.avatar.get())?.name ?? null,
          user.age! % 2 === 0 ? `avatar${user.age}` : null,
        );
        assert.equal((await user.favorite_colors.get()).length, user.age! % 4);
      }
    });
    assert.deepEqual(reads, []);
    const third = users[2]!;
    assert.deepEqual(
      (await third.pictures.get()).map((p) => p.name),
      ['u3p0', 'u3p1', 'u3p2', 'u3p3'],
    );
    assert.deepEqual(
      (await third.favorite_colors.get()).map((c) => c.name),
      ['red', 'green', 'blue'],
    );
  });

  it('costs k + 1 statements for N objects and k relations, whatever N', async () => {
    for (const limit of [1, 5, USERS]) {
      const statements = await statementsOf(db.pool, () =>
        User.find({ orderBy: 'id', limit: limit === 1 ? 2 : limit, include: ['pictures', 'avatar'] }),
      );
      assert.equal(statements.length, 3, `with ${limit} users`);
    }
  });

  it('nested paths cost one query per level', async () => {
    let pictures: Picture[] = [];
    const statements = await statementsOf(db.pool, async () => {
      pictures = await Picture.all({ orderBy: 'id', include: ['user.avatar', 'user.favorite_colors'] });
    });
    assert.equal(statements.length, 1 + 1 + 2);
    const reads = await statementsOf(db.pool, async () => {
      for (const picture of pictures) {
        const user = await picture.user.get();
        assert.ok(user);
        await user.avatar.get();
        await user.favorite_colors.get();
      }
    });
    assert.deepEqual(reads, []);
    const deep = await statementsOf(db.pool, () => User.all({ include: ['pictures.user.avatar'] }));
    assert.equal(deep.length, 4);
  });

  it('relation get() takes include too', async () => {
    const user = (await User.find({ orderBy: 'id', limit: 1 }))!;
    let pictures: Picture[] = [];
    const statements = await statementsOf(db.pool, async () => {
      pictures = await user.pictures.get({ orderBy: 'id', include: ['user'] });
    });
    assert.equal(statements.length, 2);
    assert.ok((await pictures[0]!.user.get())?.equals(user));
  });

  it('includes polymorphic relations, one query per related class', async () => {
    for (let i = 0; i < 6; i++) {
      const owner =
        i % 2 === 0 ? await Boy.create({ name: `boy${i}` }) : await Girl.create({ name: `girl${i}` });
      await Nickname.create({
        value: `nick${i}`,
        nicknameable_id: owner.id,
        nicknameable_type: owner.constructor.name,
      });
    }
    let nicknames: Nickname[] = [];
    const statements = await statementsOf(db.pool, async () => {
      nicknames = await Nickname.all({ orderBy: 'id', include: ['nicknameable'] });
    });
    assert.equal(statements.length, 1 + 2);
    const owners = await Promise.all(nicknames.map((n) => n.nicknameable.get()));
    assert.deepEqual(
      owners.map((owner) => owner?.constructor.name),
      ['Boy', 'Girl', 'Boy', 'Girl', 'Boy', 'Girl'],
    );
    const boys = await statementsOf(db.pool, () => Boy.all({ include: ['nicknames'] }));
    assert.equal(boys.length, 2);
  });

  it('a plain loop over a query result costs 2 statements, not N + 1 (automatic batching)', async () => {
    const users = await User.all({ orderBy: 'id' });
    const statements = await statementsOf(db.pool, async () => {
      for (const user of users) assert.equal((await user.pictures.get()).length, PICTURES_EACH);
    });
    assert.equal(statements.length, 1);
    const nested = await statementsOf(db.pool, async () => {
      for (const user of users) for (const picture of await user.pictures.get()) await picture.user.get();
    });
    assert.equal(nested.length, 1, 'pictures loaded together batch their users too');
  });

  it('batching can be turned off per query or globally', async () => {
    const users = await User.find({ orderBy: 'id', limit: 5, batch: false });
    const unbatched = await statementsOf(db.pool, async () => {
      for (const user of users) await user.pictures.get();
    });
    assert.equal(unbatched.length, 5);
    Registry.AUTO_BATCH = false;
    const all = await User.find({ orderBy: 'id', limit: 5 });
    const global = await statementsOf(db.pool, async () => {
      for (const user of all) await user.avatar.get();
    });
    assert.equal(global.length, 5);
  });

  it('strict loading throws on a relation loaded for one object alone', async () => {
    Registry.STRICT_LOADING = true;
    const one = (await User.find(1))!;
    await assert.rejects(one.pictures.get(), StrictLoadingError);
    const included = (await User.find({ where: ['id = ?', 1], limit: 1, include: ['pictures'] }))!;
    assert.equal((await included.pictures.get()).length, PICTURES_EACH);
    const many = await User.all();
    assert.equal((await many[0]!.pictures.get()).length, PICTURES_EACH, 'batched loads are allowed');
    assert.equal(
      (await one.pictures.get({ where: ['size > ?', 1] })).length,
      2,
      'explicit queries are allowed',
    );
  });

  it('refuses an unknown relation in include', async () => {
    await assert.rejects(User.all({ include: ['nope'] }), InvalidRelationshipError);
    await assert.rejects(User.all({ include: ['pictures.nope'] }), InvalidRelationshipError);
    await assert.rejects(User.all({ include: ['pictures; DROP'] }), InvalidRelationshipError);
  });

  it('batches IN lists under the parameter limit', async () => {
    const config = Registry.getConfig();
    const count = db.pool.dialect.maxParameters + 100;
    await config.insertMany(
      'users',
      Array.from({ length: count }, (_, i) => ({ first_name: `bulk${i}` })),
    );
    const users = await User.find({ where: ['first_name LIKE ?', 'bulk%'], include: ['pictures'] });
    assert.equal(users.length, count);
    assert.ok(users.every((user) => user.pictures.isLoaded()));
  });

  it('get() calls started together share one batch load', async () => {
    const users = await User.all({ orderBy: 'id' });
    const statements = await statementsOf(db.pool, () =>
      Promise.all(users.map((user) => user.pictures.get())),
    );
    assert.equal(statements.length, 1);
  });

  it('batch: true on a query works while AUTO_BATCH is off, and batch: false reaches included objects', async () => {
    Registry.AUTO_BATCH = false;
    const users = await User.find({ orderBy: 'id', limit: 5, batch: true });
    const batched = await statementsOf(db.pool, async () => {
      for (const user of users) await user.avatar.get();
    });
    assert.equal(batched.length, 1);
    Registry.AUTO_BATCH = true;
    Registry.STRICT_LOADING = true;
    const unbatched = await User.find({ orderBy: 'id', limit: 5, batch: false, include: ['pictures'] });
    const pictures = await unbatched[0]!.pictures.get();
    await assert.rejects(pictures[0]!.user.get(), StrictLoadingError);
  });
});
