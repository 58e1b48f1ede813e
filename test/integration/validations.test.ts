import assert from 'node:assert/strict';
import { afterEach, beforeEach } from 'node:test';
import { DBObject, Errors, InvalidQueryError } from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { createTable, USERS } from '../support/schema.js';

class User extends DBObject {
  declare first_name: string | null;
  declare last_name: string | null;
  declare age: number | null;
}

class Admin extends User {}

class Picture extends DBObject {
  static override TABLENAME = 'users';
}

describeEachBackend('validations', (db) => {
  beforeEach(async () => {
    await createTable(db.pool, 'users', { ...USERS, email: 'string' });
  });

  afterEach(() => {
    User.clearValidations();
    Admin.clearValidations();
    Picture.clearValidations();
  });

  it('validatesPresenceOf refuses undefined, null and blank values, and nothing is written', async () => {
    User.validatesPresenceOf('first_name', 'last_name');
    const user = await new User({ first_name: '  ', last_name: null }).save();
    assert.equal(user.id, null);
    assert.equal(user.isNewRecord(), true);
    assert.deepEqual(user.errors.errorsFor('first_name'), ['First name cannot be blank.']);
    assert.deepEqual(user.errors.errorsFor('last_name'), ['Last name cannot be blank.']);
    assert.equal(user.errors.length, 2);
    assert.equal(await User.count(), 0);
    user.first_name = 'Ann';
    user.last_name = 'Smith';
    await user.save();
    assert.equal(user.errors.isEmpty(), true);
    assert.equal(await User.count(), 1);
  });

  it('takes a custom message', async () => {
    User.validatesPresenceOf('first_name', { message: 'is required!' });
    const user = await new User().save();
    assert.equal(user.errors.toString(), 'First name is required!');
  });

  it('validatesLengthOf checks an inclusive range or an exact length', async () => {
    User.validatesLengthOf('first_name', { range: [2, 4] });
    User.validatesLengthOf('last_name', { length: 3 }, 'must be three letters.');
    assert.equal(await new User({ first_name: 'Al', last_name: 'Lee' }).isValid(), true);
    assert.equal(await new User({ first_name: 'Alan', last_name: 'Lee' }).isValid(), true);
    const short = new User({ first_name: 'A', last_name: 'Li' });
    assert.equal(await short.isValid(), false);
    assert.deepEqual(short.errors.errorsFor('first_name'), [
      'First name must have a length between 2 and 4.',
    ]);
    assert.deepEqual(short.errors.errorsFor('last_name'), ['Last name must be three letters.']);
    assert.equal(await new User({ first_name: 'Alana', last_name: 'Lee' }).isValid(), false);
  });

  it('validatesLengthOf fails a null or missing value, as Twistar does, unless allowNull is set', async () => {
    User.validatesLengthOf('first_name', { range: [2, 4] });
    User.validatesLengthOf('last_name', { length: 3, allowNull: true });
    const missing = new User({ last_name: null });
    assert.equal(await missing.isValid(), false);
    assert.deepEqual(missing.errors.toJSON(), {
      first_name: ['First name must have a length between 2 and 4.'],
    });
    const saved = await new User({ first_name: null }).save();
    assert.equal(saved.isNewRecord(), true);
    assert.equal(await new User({ first_name: 'Al' }).isValid(), true);
    assert.throws(
      () => User.validatesLengthOf('first_name', { range: [1, 2], allownull: true } as never),
      /has no option "allownull"/,
    );
    for (const rule of [{ range: [5] }, { range: [3, 2] }, { length: -1 }, { length: 1.5 }, {}])
      assert.throws(() => User.validatesLengthOf('first_name', rule as never), InvalidQueryError);
    assert.throws(() => User.validatesPresenceOf('first_name', { mesage: 'x' } as never), /"mesage"/);
  });

  it('validatesUniquenessOf reads the database and ignores the object itself', async () => {
    User.validatesUniquenessOf('email');
    const ann = await new User({ first_name: 'Ann', email: 'a@example.com' }).save();
    assert.equal(ann.errors.isEmpty(), true);
    const copy = await new User({ first_name: 'Ann2', email: 'a@example.com' }).save();
    assert.deepEqual(copy.errors.errorsFor('email'), ['Email is not unique.']);
    assert.equal(copy.id, null);
    ann.first_name = 'Anna';
    await ann.save();
    assert.equal(ann.errors.isEmpty(), true, 'saving the same row again is not a duplicate');
    assert.equal(await User.count(), 1);
  });

  it('addValidator takes async functions that add errors', async () => {
    User.addValidator(async (user) => {
      const taken = await User.exists(['first_name = ?', user.first_name]);
      if (taken) user.errors.add('first_name', 'is taken.');
    });
    await new User({ first_name: 'Ann' }).save();
    const second = await new User({ first_name: 'Ann' }).save();
    assert.deepEqual(second.errors.errorsFor('first_name'), ['First name is taken.']);
    assert.equal(await User.count(), 1);
  });

  it('validations belong to their class: subclasses inherit them, other classes do not see them', async () => {
    User.validatesPresenceOf('first_name');
    Admin.validatesPresenceOf('last_name');
    assert.equal(await new Picture().isValid(), true);
    const admin = new Admin();
    await admin.validate();
    assert.deepEqual(admin.errors.properties().sort(), ['first_name', 'last_name']);
    const user = new User();
    await user.validate();
    assert.deepEqual(user.errors.properties(), ['first_name']);
    Admin.clearValidations();
    const again = new Admin();
    await again.validate();
    assert.deepEqual(again.errors.properties(), ['first_name'], 'clearing Admin keeps what it inherits');
  });

  it('validate() resolves to the errors and starts afresh each time', async () => {
    User.validatesPresenceOf('first_name');
    const user = new User();
    const errors = await user.validate();
    assert.ok(errors instanceof Errors);
    assert.equal(errors.length, 1);
    user.first_name = 'Ann';
    assert.equal((await user.validate()).length, 0);
  });

  it('saving runs a validate() a model overrides, even with no validations registered', async () => {
    class Strict extends DBObject {
      static override TABLENAME = 'users';
      declare first_name: string | null;
      override async validate() {
        const errors = await super.validate();
        if (this.first_name === 'bad') errors.add('first_name', 'is bad.');
        return errors;
      }
    }
    const bad = await new Strict({ first_name: 'bad' }).save();
    assert.deepEqual(bad.errors.errorsFor('first_name'), ['First name is bad.']);
    assert.equal(await Strict.count(), 0);
  });
});
