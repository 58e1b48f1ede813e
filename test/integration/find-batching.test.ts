import assert from 'node:assert/strict';
import { afterEach, beforeEach } from 'node:test';
import { DBObject, ImaginaryTableError, QueryError, Registry, transaction } from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { statementsOf } from '../support/relationship-models.js';
import { USERS, createTable } from '../support/schema.js';

class Member extends DBObject {
  static override TABLENAME = 'members';
  declare first_name: string | null;
  declare age: number | null;
  declare created_at: Date | null;
}
Registry.register(Member);

const COUNT = 30;

/** What a caller can observe of a found object. */
function shape(member: Member | null): unknown {
  return member === null
    ? null
    : {
        id: member.id,
        first_name: member.first_name,
        age: member.age,
        created_at: member.created_at?.toISOString(),
      };
}

describeEachBackend('merging finds by key', (db) => {
  // In-process SQLite answers each find at once; only servers (and SQLite workers) merge.
  let merges = false;

  beforeEach(async () => {
    merges = !db.pool.synchronous;
    await createTable(db.pool, 'members', USERS);
    const config = Registry.getConfig();
    await config.insertMany(
      'members',
      Array.from({ length: COUNT }, (_, i) => ({
        first_name: `m${i + 1}`,
        age: i + 1,
        created_at: new Date(Date.UTC(2020, 0, 1 + i, 12, 30, 15, 250)),
      })),
    );
    await Member.find(1); // reads the columns, which a merged find needs to know
  });

  afterEach(() => {
    Registry.BATCH_FINDS = true;
  });

  it('finds issued in one tick become one statement with the same results as one find each', async () => {
    // Present, missing (0, 999) and repeated keys, as numbers and bigints.
    const ids = [3, 1, 999, 7, 3, 0, 12n, 30, 7];
    let merged: (Member | null)[] = [];
    const statements = await statementsOf(db.pool, async () => {
      merged = await Promise.all(ids.map((id) => Member.find(id)));
    });
    assert.equal(statements.length, merges ? 1 : ids.length);
    Registry.BATCH_FINDS = false;
    const single = await Promise.all(ids.map((id) => Member.find(id)));
    assert.deepEqual(merged.map(shape), single.map(shape));
    assert.deepEqual(
      merged.map((member) => member?.first_name ?? null),
      ['m3', 'm1', null, 'm7', 'm3', null, 'm12', 'm30', 'm7'],
    );
  });

  it('gives each caller of a repeated key its own object', async () => {
    const [first, second] = await Promise.all([Member.find(5), Member.find(5)]);
    assert.ok(first && second);
    assert.notEqual(first, second);
    assert.notEqual(first.created_at, second.created_at);
    first.created_at!.setUTCFullYear(1999);
    first.age = 50;
    await first.save();
    assert.equal(second.created_at!.getUTCFullYear(), 2020);
    // The second object still knows its own values as unchanged: saving it writes nothing of the first's.
    second.first_name = 'renamed';
    await second.save();
    const fresh = await Member.find(5);
    assert.equal(fresh?.age, 50);
    assert.equal(fresh?.first_name, 'renamed');
    assert.equal(fresh?.created_at?.getUTCFullYear(), 1999);
  });

  it('splits more keys than one statement takes, and loads includes for each', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => (i % COUNT) + 1);
    let found: (Member | null)[] = [];
    const statements = await statementsOf(db.pool, async () => {
      found = await Promise.all(ids.map((id) => Member.find(id)));
    });
    // 30 distinct keys fit in one padded IN list.
    assert.equal(statements.length, merges ? 1 : ids.length);
    assert.deepEqual(
      found.map((member) => member?.age),
      ids.map((id) => id),
    );
    const many = Array.from({ length: 300 }, (_, i) => i + 1);
    await Registry.getConfig().insertMany(
      'members',
      Array.from({ length: 300 - COUNT }, (_, i) => ({ first_name: `x${i}`, age: COUNT + i + 1 })),
    );
    const manyStatements = await statementsOf(db.pool, async () => {
      found = await Promise.all(many.map((id) => Member.find(id)));
    });
    assert.equal(manyStatements.length, merges ? 2 : many.length);
    assert.deepEqual(
      found.map((member) => member?.age),
      many,
    );
  });

  it('keeps one statement per find for text keys, inside transactions and when turned off', async () => {
    const asText = await statementsOf(db.pool, async () => {
      const found = await Promise.all(['1', '2', '3'].map((id) => Member.find(id)));
      assert.deepEqual(
        found.map((member) => member?.first_name),
        ['m1', 'm2', 'm3'],
      );
    });
    assert.equal(asText.length, 3);
    const inside = await statementsOf(db.pool, () =>
      transaction(async () => {
        const found = await Promise.all([1, 2, 3].map((id) => Member.find(id)));
        assert.deepEqual(
          found.map((member) => member?.age),
          [1, 2, 3],
        );
      }),
    );
    assert.equal(inside.filter((sql) => /members/.test(sql)).length, 3);
    Registry.BATCH_FINDS = false;
    const off = await statementsOf(db.pool, () => Promise.all([1, 2, 3].map((id) => Member.find(id))));
    assert.equal(off.length, 3);
  });

  it('rejects every merged caller with the statement error', async () => {
    await Member.find(1); // columns known, so the next finds can merge
    await db.pool.runOperation(`DROP TABLE ${db.pool.dialect.quoteIdentifier('members')}`);
    const results = await Promise.allSettled([1, 2, 3].map((id) => Member.find(id)));
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      // A missing table is ImaginaryTableError (issue 12), with the statement's QueryError as its cause.
      assert.ok(result.reason instanceof ImaginaryTableError, String(result.reason));
      assert.ok(result.reason.cause instanceof QueryError, String(result.reason.cause));
    }
  });
});
