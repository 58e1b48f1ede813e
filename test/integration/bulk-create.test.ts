import assert from 'node:assert/strict';
import { afterEach, beforeEach } from 'node:test';
import { DBObject, DBObjectSaveError } from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { createTable, USERS } from '../support/schema.js';

const calls: string[] = [];

class User extends DBObject {
  declare id: number;
  declare first_name: string;
  declare age: number | null;
  declare created_at: Date;

  override beforeCreate() {
    calls.push(`before ${this.first_name}`);
    return this.first_name !== 'skip';
  }
  override afterCreate() {
    calls.push(`after ${this.first_name}`);
  }
}

describeEachBackend('createMany', (db) => {
  beforeEach(async () => {
    calls.length = 0;
    await createTable(db.pool, 'users', USERS);
  });

  afterEach(() => {
    User.clearValidations();
  });

  it('saves every object with its key, in one transaction, running the hooks of each', async () => {
    const users = await User.createMany([
      { first_name: 'Ann', age: 30 },
      new User({ first_name: 'Bob' }),
      { first_name: 'Cid', age: 9 },
    ]);
    assert.deepEqual(
      users.map((user) => user.first_name),
      ['Ann', 'Bob', 'Cid'],
    );
    for (const user of users) {
      assert.equal(user.isNewRecord(), false);
      assert.equal((await User.find(user.id))?.first_name, user.first_name);
      assert.ok(user.created_at instanceof Date);
    }
    assert.deepEqual(calls, [
      'before Ann',
      'before Bob',
      'before Cid',
      'after Ann',
      'after Bob',
      'after Cid',
    ]);
  });

  it('writes any number of rows in chunks under the parameter limit, with the right keys', async () => {
    const count = Math.ceil(db.pool.dialect.maxParameters / 4) * 2 + 7;
    const inserts: string[] = [];
    const listener = ({ sql }: { sql: string }) => {
      if (sql.startsWith('INSERT')) inserts.push(sql);
    };
    db.pool.on('query', listener);
    let users: User[];
    try {
      users = await User.createMany(
        Array.from({ length: count }, (_, i) => ({ first_name: `u${i}`, age: i % 50 })),
      );
    } finally {
      db.pool.off('query', listener);
    }
    assert.equal(await User.count(), count);
    assert.ok(inserts.length >= 2 && inserts.length <= 4, `${inserts.length} INSERT statements`);
    for (const index of [0, 1, count - 1, Math.floor(count / 2)]) {
      const user = users[index]!;
      assert.equal(typeof user.id, 'number');
      assert.equal((await User.find(user.id))?.first_name, `u${index}`);
    }
    assert.equal(new Set(users.map((user) => user.id)).size, count);
  });

  it('writes nothing when any object is not valid, and says which', async () => {
    User.validatesPresenceOf('first_name');
    const error = await User.createMany([{ first_name: 'Ann' }, { age: 3 }]).catch((e: unknown) => e);
    assert.ok(error instanceof DBObjectSaveError);
    assert.match(error.message, /item 1: First name cannot be blank/);
    assert.equal(await User.count(), 0);
  });

  it('leaves an object unsaved when its before-hook cancels', async () => {
    const [ann, skipped] = await User.createMany([{ first_name: 'Ann' }, { first_name: 'skip' }]);
    assert.equal(ann?.isNewRecord(), false);
    assert.equal(skipped?.isNewRecord(), true);
    assert.equal(skipped?.id, null);
    assert.equal(await User.count(), 1);
  });

  it('keeps each column default: rows that set different columns are written apart', async () => {
    await createTable(db.pool, 'users', { ...USERS, age: 'int default 42' });
    const [withAge, without] = await User.createMany([{ first_name: 'Ann', age: 1 }, { first_name: 'Bob' }]);
    assert.equal((await User.find(withAge!.id))?.age, 1);
    assert.equal((await User.find(without!.id))?.age, 42);
  });

  it('rolls everything back when a row is refused', async () => {
    await createTable(db.pool, 'users', { ...USERS, first_name: 'string unique' });
    await assert.rejects(User.createMany([{ first_name: 'Ann' }, { first_name: 'Ann' }]));
    assert.equal(await User.count(), 0);
  });
});
