import assert from 'node:assert/strict';
import { DBObject, MassAssignmentError, Registry, TwistarError } from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { people, refused, useQueryTables } from '../support/query-models.js';

/*
 * Mass assignment (issue 15): what a plain object (a request's body) may set, by static GUARDED or FILLABLE, on
 * every path that takes one; assigning the property in code is never refused.
 */

class GuardedUser extends DBObject {
  static override TABLENAME = 'query_users';
  static override GUARDED = ['age', 'balance'];
  declare id: number;
  declare first_name: string;
  declare last_name: string | null;
  declare age: number | null;
  declare balance: string | null;
}

class FillableUser extends DBObject {
  static override TABLENAME = 'query_users';
  static override FILLABLE = ['first_name', 'last_name'];
  declare id: number;
  declare first_name: string;
  declare last_name: string | null;
  declare age: number | null;
}

class ConfusedUser extends DBObject {
  static override TABLENAME = 'query_users';
  static override GUARDED = ['age'];
  static override FILLABLE = ['first_name'];
}

Registry.register(GuardedUser, FillableUser, ConfusedUser);

describeEachBackend('mass assignment', (db) => {
  useQueryTables(db);

  it('GUARDED columns are refused from an object on every path, naming them, with nothing sent', async () => {
    const body = { first_name: 'Mal', age: 99, balance: '1000000.00' };
    const error = (() => {
      try {
        new GuardedUser(body);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    assert.ok(error instanceof MassAssignmentError);
    assert.deepEqual(error.columns, ['age', 'balance']);
    await refused(db.pool, () => GuardedUser.create(body), MassAssignmentError, 'create');
    await refused(db.pool, () => GuardedUser.build(body), MassAssignmentError, 'build');
    await refused(
      db.pool,
      () => GuardedUser.createMany([{ first_name: 'Ok' }, body]),
      MassAssignmentError,
      'createMany',
    );
    await refused(db.pool, () => GuardedUser.findOrCreate(body), MassAssignmentError, 'findOrCreate');
    await refused(
      db.pool,
      () => GuardedUser.where({ id: people.Ann.id }).updateAll({ age: 1 }),
      MassAssignmentError,
      'updateAll',
    );
    assert.equal(await GuardedUser.where({ first_name: 'Mal' }).count(), 0);
  });

  it('columns not guarded go through, and a guarded one can be set in code', async () => {
    const user = await GuardedUser.create({ first_name: 'Kay', last_name: 'Lee' });
    user.age = 41;
    await user.save();
    assert.equal((await GuardedUser.find(user.id))?.age, 41);
    assert.equal(await GuardedUser.where({ id: user.id }).updateAll({ last_name: 'Li' }), 1);
  });

  it('FILLABLE lets an object set only the columns it lists', async () => {
    await refused(db.pool, () => FillableUser.create({ first_name: 'Mal', age: 1 }), MassAssignmentError);
    const made = await FillableUser.create({ first_name: 'Jo', last_name: 'Ng' });
    assert.equal(made.first_name, 'Jo');
    await refused(
      db.pool,
      () => FillableUser.where({ id: made.id }).updateAll({ age: 3 }),
      MassAssignmentError,
    );
  });

  it('a model that sets both GUARDED and FILLABLE is refused as a mistake', () => {
    assert.throws(() => new ConfusedUser({ first_name: 'x' }), TwistarError);
  });
});
