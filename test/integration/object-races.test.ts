import assert from 'node:assert/strict';
import { beforeEach } from 'node:test';
import { DBObject, DBObjectSaveError, Registry, transaction } from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { statementsOf } from '../support/relationship-models.js';
import { USERS, createTable } from '../support/schema.js';

class Racer extends DBObject {
  static override TABLENAME = 'racers';
  declare id: number;
  declare first_name: string | null;
  declare age: number | null;
}

/** Saves itself again from its own hook, which must not wait for itself. */
class SelfSaver extends Racer {
  static override TABLENAME = 'racers';
  override async afterCreate(): Promise<void> {
    this.age = 99;
    await this.save();
  }
}
/** Takes its time before each save (hashing, a call to another service). */
class SlowRacer extends Racer {
  static override TABLENAME = 'racers';
  override async beforeSave(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Validated, so that a save awaits before it writes. */
class CheckedRacer extends Racer {
  static override TABLENAME = 'racers';
}
CheckedRacer.validatesPresenceOf('first_name');
Registry.register(Racer);

describeEachBackend('one object used twice at once', (db) => {
  beforeEach(async () => {
    // More than one connection on the servers, so that overlapping statements could cross.
    await createTable(db.pool, 'racers', USERS);
  });

  it('overlapping saves of one object leave the last value, every time', async () => {
    const racer = await Racer.create({ first_name: 'Ann', age: 0 });
    for (let run = 1; run <= 50; run++) {
      racer.age = 2 * run - 1;
      const first = racer.save();
      racer.age = 2 * run;
      const second = racer.save();
      await Promise.all([first, second]);
      const rows = await db.pool.runQuery('SELECT age FROM racers WHERE id = ?', [racer.id]);
      assert.equal(Number(rows[0]?.age), 2 * run, `run ${run}`);
    }
  });

  it('a value changed while its save is on the way stays changed, and is written by the next save', async () => {
    const racer = await Racer.create({ first_name: 'Ann', age: 1 });
    racer.age = 2;
    const saving = racer.save();
    // Changed after the first save took its values (it awaits the column lookup or the statement).
    await Promise.resolve();
    racer.age = 3;
    await saving;
    await racer.save();
    const rows = await db.pool.runQuery('SELECT age FROM racers WHERE id = ?', [racer.id]);
    assert.equal(Number(rows[0]?.age), 3);
  });

  it('Promise.all of saves of a new object inserts one row', async () => {
    const racer = new Racer({ first_name: 'Bea', age: 5 });
    const saved = await Promise.all([racer.save(), racer.save(), racer.save()]);
    assert.ok(saved.every((one) => one === racer));
    assert.equal(await Racer.count(), 1);
    assert.equal(typeof racer.id, 'number');
  });

  it('a delete started during a save waits for it, and a save after the delete is refused', async () => {
    const racer = new Racer({ first_name: 'Cy' });
    const saving = racer.save();
    const deleting = racer.delete();
    await saving;
    assert.equal(await deleting, true);
    assert.equal(await Racer.count(), 0);
    await assert.rejects(racer.save(), DBObjectSaveError);
  });

  it('a hook that saves its own object does not wait for itself', async () => {
    const racer = await SelfSaver.create({ first_name: 'Dee' });
    const rows = await db.pool.runQuery('SELECT age FROM racers WHERE id = ?', [racer.id]);
    assert.equal(Number(rows[0]?.age), 99);
  });

  it('a save started while another save of the object runs its async hook still waits its turn', async () => {
    const racer = new SlowRacer({ first_name: 'Gus', age: 1 });
    const first = racer.save();
    await new Promise((resolve) => setTimeout(resolve, 5)); // the first save is inside its beforeSave
    racer.age = 2;
    const second = racer.save();
    await Promise.all([first, second]);
    assert.equal(racer.errors.isEmpty(), true, racer.errors.toString());
    const rows = await db.pool.runQuery('SELECT age FROM racers');
    assert.deepEqual(
      rows.map((row) => Number(row.age)),
      [2],
    );
  });

  it('saves of one object inside one transaction never wait for each other (no deadlock with a nested transaction)', async () => {
    const racer = await CheckedRacer.create({ first_name: 'Hal', age: 0 });
    await transaction(async () => {
      racer.age = 1;
      const first = racer.save();
      await transaction(async () => {
        racer.age = 2;
        await racer.save();
      });
      await first;
    });
    // Whatever order the transaction's one connection ran them in, the object knows whether it is saved.
    const stored = Number((await db.pool.runQuery('SELECT age FROM racers'))[0]?.age);
    await racer.save();
    assert.equal(Number((await db.pool.runQuery('SELECT age FROM racers'))[0]?.age), 2, `stored ${stored}`);
  });

  it('a save of an object createMany is writing waits for it: one row', async () => {
    const racer = new Racer({ first_name: 'Ida' });
    await Promise.all([Racer.createMany([racer]), racer.save()]);
    assert.equal(await Racer.count(), 1);
  });

  it('createMany refuses the same object twice, writing nothing', async () => {
    const racer = new Racer({ first_name: 'Eve' });
    const sent = await statementsOf(db.pool, () =>
      assert.rejects(Racer.createMany([racer, racer]), (error: unknown) => {
        assert.ok(error instanceof DBObjectSaveError);
        assert.match(error.message, /item 1 is the same object as item 0/);
        return true;
      }),
    );
    assert.deepEqual(sent, []);
    assert.equal(await Racer.count(), 0);
    await Racer.createMany([racer, new Racer({ first_name: 'Fay' })]);
    assert.equal(await Racer.count(), 2);
  });

  it('finds merged into one statement fail only the caller whose key is out of range', async () => {
    const racers = await Racer.createMany([{ first_name: 'A' }, { first_name: 'B' }]);
    const results = await Promise.allSettled([
      Racer.find(racers[0]!.id),
      Racer.find(2n ** 70n),
      Racer.find(racers[1]!.id),
      Racer.find(-(2n ** 70n)),
    ]);
    assert.equal(results[0]?.status, 'fulfilled');
    assert.equal(results[2]?.status, 'fulfilled');
    assert.equal((results[0] as PromiseFulfilledResult<Racer | null>).value?.first_name, 'A');
    assert.equal((results[2] as PromiseFulfilledResult<Racer | null>).value?.first_name, 'B');
    // The out-of-range keys: no such row (or a typed error of their own), never the others' failure.
    for (const result of [results[1], results[3]]) {
      if (result?.status === 'fulfilled') assert.equal(result.value, null);
    }
  });
});
