import assert from 'node:assert/strict';
import { beforeEach } from 'node:test';
import { InvalidQueryError, Registry } from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import {
  type Picture,
  User,
  createRelationshipTables,
  statementsOf,
} from '../support/relationship-models.js';

const ROWS = 50;

describeEachBackend('each (streaming)', (db) => {
  beforeEach(async () => {
    await createRelationshipTables(db.pool);
    await Registry.getConfig().insertMany(
      'users',
      // Ages repeat, so that ordering by age needs the key to break ties.
      Array.from({ length: ROWS }, (_, i) => ({ first_name: `u${i + 1}`, age: (i * 7) % 10 })),
    );
    await Registry.getConfig().insertMany(
      'pictures',
      Array.from({ length: ROWS }, (_, i) => ({ user_id: i + 1, name: `p${i + 1}` })),
    );
  });

  async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
    const items: T[] = [];
    for await (const item of iterable) items.push(item);
    return items;
  }

  it('walks every row once, in key order, one query per page', async () => {
    let users: User[] = [];
    const statements = await statementsOf(db.pool, async () => {
      users = await collect(User.each({ batchSize: 7 }));
    });
    assert.deepEqual(
      users.map((user) => user.id),
      Array.from({ length: ROWS }, (_, i) => i + 1),
    );
    assert.equal(statements.length, Math.ceil(ROWS / 7));
    assert.ok(
      statements.every((sql) => !/OFFSET/i.test(sql)),
      'keyset pagination, not OFFSET',
    );
  });

  it('filters with where, and walks one column with the key breaking ties', async () => {
    const filtered = await collect(User.each({ where: ['age >= ?', 5], batchSize: 4 }));
    assert.ok(filtered.every((user) => (user.age ?? 0) >= 5));
    assert.equal(filtered.length, await User.count(['age >= ?', 5]));
    const byAge = await collect(User.each({ orderBy: 'age DESC', batchSize: 3 }));
    const expected = (await User.all()).sort((a, b) => (b.age ?? 0) - (a.age ?? 0) || b.id - a.id);
    assert.deepEqual(
      byAge.map((user) => user.id),
      expected.map((user) => user.id),
    );
    const single = await collect(User.each({ batchSize: 1, where: ['id <= ?', 3] }));
    assert.deepEqual(
      single.map((user) => user.id),
      [1, 2, 3],
    );
  });

  it('loads included relations per page', async () => {
    let users: User[] = [];
    const statements = await statementsOf(db.pool, async () => {
      users = await collect(User.each({ batchSize: 20, include: ['pictures'] }));
    });
    assert.equal(statements.length, 3 * 2);
    const reads = await statementsOf(db.pool, async () => {
      for (const user of users)
        assert.deepEqual(
          (await user.pictures.get()).map((p: Picture) => p.name),
          [`p${user.id}`],
        );
    });
    assert.deepEqual(reads, []);
  });

  it('refuses a malformed batch size or ordering', async () => {
    await assert.rejects(collect(User.each({ batchSize: 0 })), InvalidQueryError);
    await assert.rejects(collect(User.each({ orderBy: 'age, id' })), InvalidQueryError);
    await assert.rejects(collect(User.each({ orderBy: 'age; DROP TABLE users' })), InvalidQueryError);
  });
});
