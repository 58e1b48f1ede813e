import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import {
  DBObject,
  InvalidQueryError,
  oneOf,
  Registry,
  transaction,
  type ConnectionPool,
} from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { User, people, refused, statementsOf, useQueryTables } from '../support/query-models.js';

/*
 * The edges a new user's trial of the query layer found (issue 14): locked aggregates, grouped reads, limit(0),
 * having without group, decimal averages, cursors of another table or of values no column holds, floating-point
 * keys, unknown columns outside where, a selection without the key.
 */

/** A table with a floating-point column, which keyset pages refuse to order by. */
class Reading extends DBObject {
  static override TABLENAME = 'query_readings';
  declare id: number;
  declare value: number;
}

Registry.register(Reading);

async function withReadings(pool: ConnectionPool, work: () => Promise<void>): Promise<void> {
  const key =
    pool.dialect.name === 'sqlite'
      ? 'INTEGER PRIMARY KEY'
      : pool.dialect.name === 'mysql'
        ? 'INT AUTO_INCREMENT PRIMARY KEY'
        : 'SERIAL PRIMARY KEY';
  await pool.runOperation('DROP TABLE IF EXISTS query_readings');
  await pool.runOperation(`CREATE TABLE query_readings (id ${key}, value FLOAT NOT NULL)`);
  try {
    await Reading.createMany([{ value: 0.3 }, { value: 0.3 }, { value: 0.2 }]);
    await work();
  } finally {
    await pool.runOperation('DROP TABLE query_readings');
    Registry.getConfig().forgetColumns('query_readings');
  }
}

describeEachBackend('query layer edges', (db) => {
  useQueryTables(db);

  it('aggregates of a locked query lock nothing, and answer (PostgreSQL refuses FOR UPDATE with COUNT)', async () => {
    await transaction(async () => {
      assert.equal(await User.query().forUpdate().count(), 7);
      assert.equal(await User.query().forShare().sum('age'), 200);
      const grouped = await User.query().forShare().group('last_name').count();
      assert.equal(grouped.length, 4);
      const page = await User.query().forUpdate().paginate({ page: 1, perPage: 2 });
      assert.equal(page.total, 7);
      assert.equal(page.data.length, 2);
    });
  });

  it('a grouped query reads aggregates only: all(), first(), paginate() and awaiting it are refused', async () => {
    const grouped = User.query().group('last_name');
    await refused(db.pool, () => grouped.all(), InvalidQueryError, 'all');
    await refused(db.pool, () => grouped.first(), InvalidQueryError, 'first');
    await refused(db.pool, () => grouped.paginate({ page: 1, perPage: 2 }), InvalidQueryError, 'paginate');
    await refused(db.pool, async () => grouped, InvalidQueryError, 'await');
  });

  it('limit(0) reads no row in first() and exists(), as in count()', async () => {
    assert.equal(await User.query().limit(0).count(), 0);
    assert.equal(await User.query().limit(0).first(), null);
    assert.equal(await User.query().limit(0).exists(), false);
    assert.equal((await User.query().limit(0)).length, 0);
  });

  it('having without group is refused, not dropped', async () => {
    await refused(db.pool, () => User.query().having(['COUNT(*) > ?', 100]).all(), InvalidQueryError);
  });

  it('the average of a DECIMAL column is the same text on every database: four places more than the column', async () => {
    // Abe 0.10 and Bob 0.20; the Joneses Bob 0.20 and Eve 2.50; Abe, Bob and Dee 0.10, 0.20 and 5.00.
    assert.equal(
      await User.where({ first_name: 'Abe' }).orWhere({ first_name: 'Bob' }).avg('balance'),
      '0.150000',
    );
    assert.equal(await User.where({ last_name: 'Jones' }).avg('balance'), '1.350000');
    const three = User.where({ first_name: oneOf(['Abe', 'Bob', 'Dee']) });
    assert.equal(await three.avg('balance'), '1.766667');
    assert.equal(await User.where({ first_name: 'Nobody' }).avg('balance'), null);
    const byName = await User.query().group('last_name').avg('balance');
    assert.deepEqual(
      byName.find((row) => row.last_name === 'Jones'),
      { last_name: 'Jones', avg: '1.350000' },
    );
  });

  it('paginate without an order pages by key, so pages do not change between calls', async () => {
    const sent = await statementsOf(db.pool, () => User.query().paginate({ page: 2, perPage: 3 }));
    assert.match(sent.at(-1) ?? '', /ORDER BY .id. ASC/);
    const ids = (await User.query().paginate({ page: 2, perPage: 3 })).data.map((user) => user.id);
    const byKey = (await User.query().orderBy('id')).map((user) => user.id).slice(3, 6);
    assert.deepEqual(ids, byKey);
  });

  it('a cursor of another table, or whose values no key column holds, is refused before anything is sent', async () => {
    const { next } = await User.query().orderBy('id').cursorPage({ limit: 2 });
    assert.ok(next !== null);
    const [signature] = JSON.parse(Buffer.from(next, 'base64url').toString('utf8')) as [string];
    const forged = Buffer.from(JSON.stringify([signature, '1) OR (1=1'])).toString('base64url');
    await refused(
      db.pool,
      () => User.query().orderBy('id').cursorPage({ after: forged, limit: 2 }),
      InvalidQueryError,
    );
    const otherTable = Buffer.from(
      JSON.stringify([signature.replace('query_users', 'query_pictures'), 1]),
    ).toString('base64url');
    await refused(
      db.pool,
      () => User.query().orderBy('id').cursorPage({ after: otherTable, limit: 2 }),
      InvalidQueryError,
    );
    // The cursor the query made still works.
    const second = await User.query().orderBy('id').cursorPage({ after: next, limit: 2 });
    assert.equal(second.data.length, 2);
  });

  it('keyset pages refuse a floating-point order column, whose values need not read back as stored', async () => {
    await withReadings(db.pool, async () => {
      await Reading.columns();
      await refused(
        db.pool,
        () => Reading.query().orderBy('value').cursorPage({ limit: 1 }),
        InvalidQueryError,
      );
      await refused(
        db.pool,
        async () => {
          for await (const _ of Reading.query().orderBy('value', 'desc').each({ batchSize: 1 })) break;
        },
        InvalidQueryError,
      );
      // Ordered by key, a floating-point column is no key and pages as ever.
      const all: number[] = [];
      for await (const reading of Reading.query().each({ batchSize: 1 })) all.push(reading.id);
      assert.equal(all.length, 3);
    });
  });

  it('a column the table does not have is refused in select, orderBy and group before anything is sent', async () => {
    await refused(
      db.pool,
      () =>
        User.query()
          .select('nickname' as never)
          .all(),
      InvalidQueryError,
    );
    await refused(
      db.pool,
      () =>
        User.query()
          .orderBy('nickname' as never)
          .all(),
      InvalidQueryError,
    );
    await refused(
      db.pool,
      () =>
        User.query()
          .group('nickname' as never)
          .count(),
      InvalidQueryError,
    );
  });

  it('include and withCount with a selection that leaves out the key are refused with a message that says so', async () => {
    await refused(
      db.pool,
      () => User.query().select('first_name').include('pictures').all(),
      InvalidQueryError,
    );
    await refused(
      db.pool,
      () => User.query().select('first_name').withCount('pictures').all(),
      InvalidQueryError,
    );
    const named = await User.query().select('id', 'first_name').withCount('pictures').orderBy('id').first();
    assert.equal(named?.first_name, people.Ann.first_name);
    assert.equal(await named?.pictures.count(), 0);
  });
});
