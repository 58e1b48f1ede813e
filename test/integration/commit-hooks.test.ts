import assert from 'node:assert/strict';
import { beforeEach } from 'node:test';
import {
  AfterCommitError,
  AfterRollbackError,
  DBObject,
  DeadlockError,
  Registry,
  TransactionError,
  TwistarError,
  connect,
  isRetryable,
  transaction,
  type WriteOperation,
} from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { createTable, USERS } from '../support/schema.js';

/*
 * After-commit hooks and model events (issue 15): afterCommit/afterRollback run once the outermost transaction
 * has ended, once per object written in it; `Model.on(event, listener)` observes a model's objects.
 */

const log: string[] = [];

class Member extends DBObject {
  static override TABLENAME = 'users';
  declare id: number;
  declare first_name: string;
  declare age: number | null;

  override afterSave(): void {
    log.push(`${this.first_name}:afterSave`);
  }
  override afterDelete(): void {
    log.push(`${this.first_name}:afterDelete`);
  }
  override afterCommit(operation: WriteOperation): void {
    log.push(`${this.first_name}:afterCommit:${operation}`);
  }
  override afterRollback(operation: WriteOperation): void {
    log.push(`${this.first_name}:afterRollback:${operation}`);
  }
}

/** Its afterCommit throws for the name "bad", its afterRollback for "worse". */
class Fragile extends Member {
  override afterCommit(operation: WriteOperation): void {
    super.afterCommit(operation);
    if (this.first_name === 'bad') throw new Error('mail server down');
  }
  override afterRollback(operation: WriteOperation): void {
    super.afterRollback(operation);
    if (this.first_name === 'worse') throw new Error('cleanup failed');
  }
}

/** No hooks of its own: only listeners observe it. */
class Plain extends DBObject {
  static override TABLENAME = 'users';
  declare id: number;
  declare first_name: string;
}

class Other extends DBObject {
  static override TABLENAME = 'users';
  declare id: number;
  declare first_name: string;
}

class Special extends Plain {}

const fail = new Error('changed my mind');

describeEachBackend('after-commit hooks', (db) => {
  beforeEach(async () => {
    log.length = 0;
    await createTable(db.pool, 'users', USERS);
  });

  it('afterCommit runs once per object after COMMIT, before transaction() resolves; afterSave ran inside', async () => {
    const ann = new Member({ first_name: 'Ann' });
    const result = await transaction(async () => {
      await ann.save();
      ann.age = 30;
      await ann.save();
      const bob = await Member.create({ first_name: 'Bob' });
      await bob.delete();
      await Member.create({ first_name: 'Cy' });
      assert.deepEqual(log, [
        'Ann:afterSave',
        'Ann:afterSave',
        'Bob:afterSave',
        'Bob:afterDelete',
        'Cy:afterSave',
      ]);
      log.length = 0;
      return 'done';
    });
    assert.equal(result, 'done');
    // Written twice: once, as created; created and deleted: deleted. In the order first written.
    assert.deepEqual(log, ['Ann:afterCommit:create', 'Bob:afterCommit:delete', 'Cy:afterCommit:create']);
  });

  it('afterCommit sees the row from another connection, and its own statements run outside the transaction', async () => {
    const writer = connect(db.sharedUrl);
    const reader = connect(db.sharedUrl);
    const seen: unknown[] = [];
    class Seen extends Member {
      override async afterCommit(operation: WriteOperation): Promise<void> {
        super.afterCommit(operation);
        const rows = await reader.runQuery('SELECT first_name FROM users WHERE id = ?', [this.id]);
        seen.push(rows[0]?.first_name);
        // Not in the ended transaction (which would refuse it): autocommitted.
        await Member.create({ first_name: `${this.first_name}'s audit` });
      }
    }
    const previous = Registry.DBPOOL;
    try {
      await createTable(writer, 'users', USERS);
      Registry.DBPOOL = writer;
      await transaction(() => Seen.create({ first_name: 'Ann' }));
      assert.deepEqual(seen, ['Ann']);
      assert.equal(await Member.count({ first_name: "Ann's audit" }), 1);
    } finally {
      Registry.DBPOOL = previous;
      await Promise.all([writer.close(), reader.close()]);
    }
  });

  it('a rollback runs afterRollback, never afterCommit, and transaction() rejects as before', async () => {
    const error = await transaction(async () => {
      const ann = await Member.create({ first_name: 'Ann' });
      ann.age = 2;
      await ann.save();
      throw fail;
    }).catch((caught: unknown) => caught);
    assert.ok(error instanceof TransactionError && error.cause === fail, String(error));
    assert.deepEqual(log, ['Ann:afterSave', 'Ann:afterSave', 'Ann:afterRollback:create']);
    assert.equal(await Member.count(), 0);
  });

  it('a savepoint that rolled back never triggers afterCommit; one released commits with the transaction', async () => {
    const kept = await Member.create({ first_name: 'Kept' });
    log.length = 0;
    await transaction(async () => {
      await Member.create({ first_name: 'Ann' });
      await transaction(() => Member.create({ first_name: 'Released' }));
      kept.age = 1;
      await kept.save();
      await transaction(async () => {
        await Member.create({ first_name: 'Undone' });
        kept.age = 2;
        await kept.save();
        // Nested deeper and released into the savepoint that rolls back: undone too.
        await transaction(() => Member.create({ first_name: 'Deeper' }));
        throw fail;
      }).catch(() => undefined);
      log.length = 0;
    });
    assert.deepEqual(log, [
      'Undone:afterRollback:create',
      'Deeper:afterRollback:create',
      'Ann:afterCommit:create',
      'Released:afterCommit:create',
      // Its write outside the savepoint was kept: it committed.
      'Kept:afterCommit:update',
    ]);
    assert.deepEqual(
      (await Member.all({ orderBy: 'id' })).map((m) => m.first_name),
      ['Kept', 'Ann', 'Released'],
    );
  });

  it('objects of a savepoint get afterRollback, not afterCommit, when the transaction around it rolls back', async () => {
    await transaction(async () => {
      await transaction(() => Member.create({ first_name: 'Inner' }));
      throw fail;
    }).catch(() => undefined);
    assert.deepEqual(log, ['Inner:afterSave', 'Inner:afterRollback:create']);
  });

  it('outside a transaction afterCommit runs right after the after-hooks, before save() and delete() resolve', async () => {
    const ann = await Member.create({ first_name: 'Ann' });
    assert.deepEqual(log, ['Ann:afterSave', 'Ann:afterCommit:create']);
    ann.age = 3;
    await ann.save();
    await ann.delete();
    assert.deepEqual(log.slice(2), [
      'Ann:afterSave',
      'Ann:afterCommit:update',
      'Ann:afterDelete',
      'Ann:afterCommit:delete',
    ]);
    // Refused by validation: nothing written, no hook.
    log.length = 0;
    class Checked extends Member {}
    Checked.validatesPresenceOf('first_name');
    await new Checked({ first_name: '' }).save();
    assert.deepEqual(log, []);
  });

  it('two overlapping transactions each run the hooks of their own objects', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const committing = transaction(async () => {
      await Member.create({ first_name: 'A1' });
      await gate;
      await Member.create({ first_name: 'A2' });
    });
    const rollingBack = transaction(async () => {
      await Member.create({ first_name: 'B1' });
      release();
      throw fail;
    });
    release();
    const [a, b] = await Promise.allSettled([committing, rollingBack]);
    assert.equal(a.status, 'fulfilled');
    assert.equal(b.status, 'rejected');
    const hooks = log.filter((line) => !line.endsWith('afterSave'));
    assert.deepEqual(
      hooks.filter((line) => line.startsWith('A')),
      ['A1:afterCommit:create', 'A2:afterCommit:create'],
    );
    assert.deepEqual(
      hooks.filter((line) => line.startsWith('B')),
      ['B1:afterRollback:create'],
    );
  });

  it('the same object written in two overlapping transactions gets afterCommit from each', async () => {
    const ann = await Member.create({ first_name: 'Ann' });
    log.length = 0;
    await Promise.all(
      [1, 2].map((age) =>
        transaction(async () => {
          ann.age = age;
          await ann.save();
        }),
      ),
    );
    assert.deepEqual(
      log.filter((line) => line.includes('Commit')),
      ['Ann:afterCommit:update', 'Ann:afterCommit:update'],
    );
  });

  it('an afterCommit that throws: every hook still runs, then AfterCommitError says the data is committed', async () => {
    let attempts = 0;
    const error = await transaction(
      async () => {
        attempts++;
        await Fragile.create({ first_name: 'bad' });
        await Fragile.create({ first_name: 'good' });
      },
      { retries: 3, retryDelayMs: 1 },
    ).catch((caught: unknown) => caught);
    assert.ok(error instanceof AfterCommitError, String(error));
    assert.ok(!(error instanceof TransactionError), 'the transaction did not fail');
    assert.equal((error.cause as Error).message, 'mail server down');
    assert.equal(error.errors.length, 1);
    assert.match(error.message, /committed.*mail server down.*do not run the work again/);
    assert.equal(isRetryable(error), false);
    assert.equal(attempts, 1, 'not retried');
    assert.ok(log.includes('good:afterCommit:create'));
    assert.equal(await Fragile.count(), 2);
    // Outside a transaction too: save() rejects, the row is there.
    const saved = Fragile.create({ first_name: 'bad' });
    await assert.rejects(saved, AfterCommitError);
    assert.equal(await Fragile.count({ first_name: 'bad' }), 2);
  });

  it('an afterRollback that throws: AfterRollbackError, caused by why the transaction rolled back', async () => {
    const error = await transaction(async () => {
      await Fragile.create({ first_name: 'worse' });
      await Fragile.create({ first_name: 'fine' });
      throw fail;
    }).catch((caught: unknown) => caught);
    assert.ok(error instanceof AfterRollbackError, String(error));
    assert.ok(error instanceof TransactionError);
    assert.ok(error.cause instanceof TransactionError && error.cause.cause === fail);
    assert.equal((error.errors[0] as Error).message, 'cleanup failed');
    assert.ok(log.includes('fine:afterRollback:create'));
    assert.equal(await Fragile.count(), 0);
  });

  it('a retried transaction: the failed attempt gets afterRollback, only the attempt that committed afterCommit', async () => {
    let attempt = 0;
    await transaction(
      async () => {
        attempt++;
        await Member.create({ first_name: `try${attempt}` });
        if (attempt === 1) throw new DeadlockError('deadlock detected', 'UPDATE users SET age = 1', [], null);
      },
      { retries: 2, retryDelayMs: 1 },
    );
    assert.deepEqual(
      log.filter((line) => !line.endsWith('afterSave')),
      ['try1:afterRollback:create', 'try2:afterCommit:create'],
    );
    assert.deepEqual(
      (await Member.all()).map((m) => m.first_name),
      ['try2'],
    );
  });

  it('createMany and findOrCreate run afterCommit once per object created, after the commit', async () => {
    await Member.createMany([{ first_name: 'A' }, { first_name: 'B' }]);
    assert.deepEqual(log, ['A:afterSave', 'B:afterSave', 'A:afterCommit:create', 'B:afterCommit:create']);
    log.length = 0;
    await transaction(async () => {
      await Member.createMany([{ first_name: 'C' }]);
      await Member.findOrCreate({ first_name: 'D' });
      await Member.findOrCreate({ first_name: 'A' });
      assert.deepEqual(log, ['C:afterSave', 'D:afterSave']);
    });
    assert.deepEqual(log.slice(2), ['C:afterCommit:create', 'D:afterCommit:create']);
    log.length = 0;
    await transaction(async () => {
      await Member.createMany([{ first_name: 'E' }]);
      throw fail;
    }).catch(() => undefined);
    assert.deepEqual(log, ['E:afterSave', 'E:afterRollback:create']);
  });

  it('an afterCommit of an object that createMany saved throws: the objects stay saved', async () => {
    const error = await Fragile.createMany([{ first_name: 'bad' }]).catch((caught: unknown) => caught);
    assert.ok(error instanceof AfterCommitError, String(error));
    assert.equal(await Fragile.count(), 1);
  });
});

describeEachBackend('model events', (db) => {
  const removers: (() => void)[] = [];
  beforeEach(async () => {
    log.length = 0;
    for (const remove of removers.splice(0)) remove();
    await createTable(db.pool, 'users', USERS);
  });
  const listen = (remove: () => void) => removers.push(remove);

  it('listeners hear create, update, save, delete, commit and rollback, right after the hook of that name', async () => {
    for (const event of ['afterCreate', 'afterUpdate', 'afterSave', 'afterDelete'] as const)
      listen(Member.on(event, (member) => log.push(`${member.first_name}:on:${event}`)));
    listen(
      Member.on('afterCommit', (member, operation) =>
        log.push(`${member.first_name}:on:afterCommit:${operation}`),
      ),
    );
    listen(
      Member.on('afterRollback', (member, operation) =>
        log.push(`${member.first_name}:on:afterRollback:${operation}`),
      ),
    );
    const ann = await Member.create({ first_name: 'Ann' });
    ann.age = 1;
    await ann.save();
    await ann.delete();
    assert.deepEqual(log, [
      'Ann:on:afterCreate',
      'Ann:afterSave',
      'Ann:on:afterSave',
      'Ann:afterCommit:create',
      'Ann:on:afterCommit:create',
      'Ann:on:afterUpdate',
      'Ann:afterSave',
      'Ann:on:afterSave',
      'Ann:afterCommit:update',
      'Ann:on:afterCommit:update',
      'Ann:afterDelete',
      'Ann:on:afterDelete',
      'Ann:afterCommit:delete',
      'Ann:on:afterCommit:delete',
    ]);
    log.length = 0;
    await transaction(async () => {
      await Member.create({ first_name: 'Bob' });
      throw fail;
    }).catch(() => undefined);
    assert.deepEqual(log.slice(-2), ['Bob:afterRollback:create', 'Bob:on:afterRollback:create']);
  });

  it('a class with listeners only (no hooks) is observed; on() returns the function that removes the listener', async () => {
    const remove = Plain.on('afterCommit', (plain, operation) =>
      log.push(`${plain.first_name}:${operation}`),
    );
    await transaction(() => Plain.create({ first_name: 'Ann' }));
    remove();
    remove(); // a second call does nothing
    await Plain.create({ first_name: 'Bob' });
    assert.deepEqual(log, ['Ann:create']);
  });

  it("a listener hears its model and the model's subclasses, never another model", async () => {
    listen(Plain.on('afterSave', (plain) => log.push(`plain heard ${plain.first_name}`)));
    listen(Special.on('afterSave', (special) => log.push(`special heard ${special.first_name}`)));
    await Plain.create({ first_name: 'p' });
    await Special.create({ first_name: 's' });
    await Other.create({ first_name: 'o' });
    // The class's own listeners first, then its parent's.
    assert.deepEqual(log, ['plain heard p', 'special heard s', 'plain heard s']);
    log.length = 0;
    // On DBObject: every model.
    listen(DBObject.on('afterDelete', (obj) => log.push(`deleted a ${obj.constructor.name}`)));
    await (await Other.create({ first_name: 'o2' })).delete();
    await (await Special.create({ first_name: 's2' })).delete();
    assert.deepEqual(log, ['deleted a Other', 'special heard s2', 'plain heard s2', 'deleted a Special']);
  });

  it('a listener may save the record it hears about (it does not wait for itself)', async () => {
    listen(
      Plain.on('afterCreate', async (plain) => {
        plain.first_name = `${plain.first_name}!`;
        await plain.save();
      }),
    );
    const ann = await Plain.create({ first_name: 'Ann' });
    assert.equal((await Plain.find(ann.id))?.first_name, 'Ann!');
  });

  it('listener errors: an afterSave listener rejects save(); afterCommit listeners all run, then AfterCommitError', async () => {
    const broken = Plain.on('afterSave', () => {
      throw fail;
    });
    await assert.rejects(Plain.create({ first_name: 'Ann' }), (error) => error === fail);
    broken();
    listen(
      Plain.on('afterCommit', () => {
        throw new Error('first');
      }),
    );
    listen(Plain.on('afterCommit', (plain) => log.push(`second heard ${plain.first_name}`)));
    const error = await transaction(() => Plain.create({ first_name: 'Bob' })).catch(
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof AfterCommitError);
    assert.equal((error.cause as Error).message, 'first');
    assert.deepEqual(log, ['second heard Bob']);
    assert.equal(await Plain.count({ first_name: 'Bob' }), 1);
  });

  it('refuses an event that does not exist and a listener that is not a function, naming the events', () => {
    const on = Plain.on as (event: string, listener: unknown) => () => void;
    assert.throws(
      () => on.call(Plain, 'beforeSave', () => undefined),
      (error: unknown) =>
        error instanceof TwistarError &&
        /Plain\.on\("beforeSave", …\): there is no such event; the events are afterCreate, afterSave, afterUpdate/.test(
          error.message,
        ),
    );
    assert.throws(() => on.call(Plain, 'afterSave', 'mail'), /the listener must be a function/);
  });
});
