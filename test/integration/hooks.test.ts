import assert from 'node:assert/strict';
import { beforeEach } from 'node:test';
import { DBObject } from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { createTable, USERS } from '../support/schema.js';

const calls: string[] = [];

class Tracked extends DBObject {
  static override TABLENAME = 'users';
  declare first_name: string;
  declare age: number | null;
  declare loaded: boolean;

  override beforeCreate() {
    calls.push('beforeCreate');
  }
  override beforeUpdate() {
    calls.push('beforeUpdate');
  }
  override async beforeSave() {
    await new Promise((resolve) => setImmediate(resolve));
    calls.push('beforeSave');
  }
  override afterCreate() {
    calls.push('afterCreate');
  }
  override afterUpdate() {
    calls.push('afterUpdate');
  }
  override afterSave() {
    calls.push('afterSave');
  }
  override beforeDelete() {
    calls.push('beforeDelete');
  }
  override afterDelete() {
    calls.push('afterDelete');
  }
  override async afterInit() {
    await new Promise((resolve) => setImmediate(resolve));
    this.loaded = true;
  }
}

class Picky extends DBObject {
  static override TABLENAME = 'users';
  declare first_name: string;
  declare age: number | null;

  override beforeCreate() {
    return this.first_name !== 'nobody';
  }
  override async beforeUpdate() {
    return Promise.resolve(this.age !== 13);
  }
  override beforeDelete() {
    return this.first_name !== 'keeper';
  }
}

class Normalised extends DBObject {
  static override TABLENAME = 'users';
  declare first_name: string;

  override beforeSave() {
    this.first_name = this.first_name.trim();
  }
}

describeEachBackend('hooks', (db) => {
  beforeEach(async () => {
    calls.length = 0;
    await createTable(db.pool, 'users', USERS);
  });

  it('run in order around create, update and delete; async hooks are awaited', async () => {
    const obj = await new Tracked({ first_name: 'Ann' }).save();
    assert.deepEqual(calls, ['beforeCreate', 'beforeSave', 'afterCreate', 'afterSave']);
    calls.length = 0;
    obj.age = 3;
    await obj.save();
    assert.deepEqual(calls, ['beforeUpdate', 'beforeSave', 'afterUpdate', 'afterSave']);
    calls.length = 0;
    await obj.delete();
    assert.deepEqual(calls, ['beforeDelete', 'afterDelete']);
  });

  it('afterInit runs on objects built from query results, not on new ones', async () => {
    await new Tracked({ first_name: 'Ann' }).save();
    await new Tracked({ first_name: 'Bob' }).save();
    assert.equal(new Tracked().loaded, undefined);
    const loaded = await Tracked.all();
    assert.equal(loaded.length, 2);
    assert.ok(loaded.every((obj) => obj.loaded === true));
    assert.equal((await Tracked.find(1))?.loaded, true);
  });

  it('a before-hook returning false cancels the create, update or delete', async () => {
    const nobody = await new Picky({ first_name: 'nobody' }).save();
    assert.equal(nobody.id, null);
    assert.equal(await Picky.count(), 0);

    const kid = await new Picky({ first_name: 'kid', age: 12 }).save();
    kid.age = 13;
    await kid.save();
    assert.equal((await Picky.find(kid.id ?? 0))?.age, 12);

    const keeper = await new Picky({ first_name: 'keeper' }).save();
    assert.equal(await keeper.delete(), false);
    assert.equal(await Picky.count(), 2);
  });

  it('a beforeSave hook can change values before they are written', async () => {
    const obj = await new Normalised({ first_name: '  Ann  ' }).save();
    assert.equal((await Normalised.find(obj.id ?? 0))?.first_name, 'Ann');
  });
});
