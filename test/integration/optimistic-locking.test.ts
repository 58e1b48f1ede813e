import assert from 'node:assert/strict';
import {
  DBObject,
  DBObjectSaveError,
  Registry,
  StaleObjectError,
  TwistarError,
  transaction,
} from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { statementsOf } from '../support/query-models.js';
import { useTables } from '../support/schema.js';

/*
 * Optimistic locking (issue 15): a table with lock_version (or static LOCK_VERSION) has every update and delete
 * check the version the object read, and every update bump it; a copy read before another's save is refused.
 */

class Doc extends DBObject {
  static override TABLENAME = 'locking_docs';
  declare id: number;
  declare title: string;
  declare n: number;
  declare lock_version: number;
}

class Note extends DBObject {
  static override TABLENAME = 'locking_notes';
  static override LOCK_VERSION = 'version';
  declare id: number;
  declare body: string;
  declare version: number;
}

class Unlocked extends DBObject {
  static override TABLENAME = 'locking_docs';
  static override LOCK_VERSION = false as const;
  declare id: number;
  declare title: string;
}

class Misdeclared extends DBObject {
  static override TABLENAME = 'locking_notes';
  static override LOCK_VERSION = 'revision';
}

Registry.register(Doc, Note, Unlocked, Misdeclared);

const TABLES = {
  locking_docs: { id: 'pk', title: 'string(50)', n: 'int default 0', lock_version: 'int not null default 0' },
  locking_notes: { id: 'pk', body: 'string(50)', version: 'int' },
};

describeEachBackend('optimistic locking', (db) => {
  useTables(db, TABLES);

  const stored = async (id: number) => {
    const [row] = await db.pool.runQuery('SELECT title, lock_version FROM locking_docs WHERE id = ?', [id]);
    return [row?.title, Number(row?.lock_version)];
  };

  it('a new row starts at version 0, and each update that writes bumps it', async () => {
    const doc = await Doc.create({ title: 'a' });
    assert.equal(doc.lock_version, 0);
    assert.deepEqual(await stored(doc.id), ['a', 0]);
    doc.title = 'b';
    await doc.save();
    assert.equal(doc.lock_version, 1);
    assert.deepEqual(await stored(doc.id), ['b', 1]);
    // Nothing changed: no statement, no bump.
    assert.deepEqual(await statementsOf(db.pool, () => doc.save()), []);
    assert.equal(doc.lock_version, 1);
  });

  it('a copy read before another save is refused with StaleObjectError and writes nothing', async () => {
    const { id } = await Doc.create({ title: 'a' });
    const mine = (await Doc.find(id))!;
    const theirs = (await Doc.find(id))!;
    theirs.title = 'theirs';
    await theirs.save();
    mine.title = 'mine';
    const error = await mine.save().catch((caught: unknown) => caught);
    assert.ok(error instanceof StaleObjectError, String(error));
    assert.ok(error instanceof DBObjectSaveError);
    assert.match(error.message, /Refresh it, apply your change again/);
    assert.deepEqual(await stored(id), ['theirs', 1]);
    // After a refresh the change goes through.
    await mine.refresh();
    mine.title = 'mine';
    await mine.save();
    assert.deepEqual(await stored(id), ['mine', 2]);
  });

  it('a version assigned from a form is the version expected', async () => {
    const doc = await Doc.create({ title: 'a' });
    const shown = doc.lock_version; // the form showed version 0
    doc.title = 'b';
    await doc.save(); // someone else's edit: version 1
    const edited = (await Doc.find(doc.id))!;
    edited.title = 'from the form';
    edited.lock_version = shown;
    await assert.rejects(edited.save(), StaleObjectError);
    assert.deepEqual(await stored(doc.id), ['b', 1]);
  });

  it('deleting a stale copy is refused; a current one deletes', async () => {
    const { id } = await Doc.create({ title: 'a' });
    const stale = (await Doc.find(id))!;
    const fresh = (await Doc.find(id))!;
    fresh.title = 'b';
    await fresh.save();
    await assert.rejects(stale.delete(), StaleObjectError);
    assert.equal(await Doc.count(), 1);
    assert.equal(await fresh.delete(), true);
    assert.equal(await Doc.count(), 0);
  });

  it('concurrent read-modify-write loops that retry on StaleObjectError lose no increment', async () => {
    const { id } = await Doc.create({ title: 'counter', n: 0 });
    const WORKERS = 4;
    const EACH = 15;
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: WORKERS }, async () => {
        for (let i = 0; i < EACH; i++) {
          for (;;) {
            const doc = (await Doc.find(id))!;
            doc.n += 1;
            try {
              await doc.save();
              break;
            } catch (error) {
              if (!(error instanceof StaleObjectError)) throw error;
              conflicts++;
            }
          }
        }
      }),
    );
    const [row] = await db.pool.runQuery('SELECT n, lock_version FROM locking_docs WHERE id = ?', [id]);
    assert.equal(Number(row?.n), WORKERS * EACH, `${conflicts} conflicts were retried`);
    assert.equal(Number(row?.lock_version), WORKERS * EACH);
  });

  it('one object saved twice at once writes both, in turn', async () => {
    const doc = await Doc.create({ title: 'a' });
    doc.title = 'b';
    const first = doc.save();
    doc.n = 5;
    const second = doc.save();
    await Promise.all([first, second]);
    // The saves take turns (the second sees what the first wrote): neither is stale, and the object holds the
    // version its row has.
    const [row] = await db.pool.runQuery('SELECT title, n, lock_version FROM locking_docs WHERE id = ?', [
      doc.id,
    ]);
    assert.deepEqual([row?.title, Number(row?.n), Number(row?.lock_version)], ['b', 5, doc.lock_version]);
    assert.ok(doc.lock_version >= 1);
    doc.title = 'c';
    await doc.save();
  });

  it('in a transaction, the refusal rejects and the transaction rolls back', async () => {
    const { id } = await Doc.create({ title: 'a' });
    const stale = (await Doc.find(id))!;
    await Doc.create({ title: 'other' }).then(async (other) => {
      const current = (await Doc.find(id))!;
      current.title = 'b';
      await current.save();
      return other;
    });
    await assert.rejects(
      transaction(async () => {
        await Doc.create({ title: 'inside' });
        stale.title = 'stale';
        await stale.save();
      }),
      (error: unknown) => error instanceof TwistarError && error.cause instanceof StaleObjectError,
    );
    assert.deepEqual(
      (await Doc.find({ orderBy: 'id' })).map((d) => d.title),
      ['b', 'other'],
    );
  });

  it('static LOCK_VERSION names another column; false turns it off; a missing column is refused', async () => {
    const note = await Note.create({ body: 'a' });
    assert.equal(note.version, 0);
    const stale = (await Note.find(note.id))!;
    note.body = 'b';
    await note.save();
    assert.equal(note.version, 1);
    stale.body = 'c';
    await assert.rejects(stale.save(), StaleObjectError);
    // A row written before the column had a value (NULL) is version NULL, then 1.
    await db.pool.runOperation('UPDATE locking_notes SET version = NULL');
    const old = (await Note.find(note.id))!;
    old.body = 'd';
    await old.save();
    assert.equal(old.version, 1);
    // Unlocked shares the docs table without checking.
    const doc = await Doc.create({ title: 'a' });
    const copy = (await Unlocked.find(doc.id))!;
    doc.title = 'b';
    await doc.save();
    copy.title = 'unchecked';
    await copy.save();
    assert.deepEqual(await stored(doc.id), ['unchecked', 1]);
    await assert.rejects(Misdeclared.find(1), /LOCK_VERSION is "revision", which is no integer column/);
  });

  it('an upsert that updates a row bumps its version, so a copy read before is stale', async () => {
    await db.pool.runOperation('CREATE UNIQUE INDEX locking_docs_title ON locking_docs (title)');
    try {
      Registry.getConfig(db.pool).forgetColumns('locking_docs');
      const doc = await Doc.create({ title: 'a', n: 1 });
      const { record, created } = await Doc.upsert({ title: 'a', n: 2 }, { uniqueBy: ['title'] });
      assert.equal(created, false);
      assert.equal(record.lock_version, 1);
      doc.n = 3;
      await assert.rejects(doc.save(), StaleObjectError);
      const fresh = await Doc.upsert({ title: 'z' }, { uniqueBy: ['title'] });
      assert.equal(fresh.record.lock_version, 0);
    } finally {
      await db.pool.runOperation(
        db.name === 'mysql'
          ? 'DROP INDEX locking_docs_title ON locking_docs'
          : 'DROP INDEX locking_docs_title',
      );
    }
  });
});
