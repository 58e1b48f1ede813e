import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ConnectionError,
  DBObject,
  QueryError,
  Registry,
  TransactionError,
  connect,
  isUniqueViolation,
  transaction,
  type ConnectionPool,
} from '../../src/index.js';
import { createTable, USERS } from '../support/schema.js';

class User extends DBObject {
  declare id: number;
  declare first_name: string;
  declare age: number | null;
  declare created_at: Date;
}

/** A statement that keeps SQLite busy for a while. */
const SLOW =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) SELECT COUNT(*) AS n FROM c';

describe('SQLite on worker threads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'twistar-workers-'));
  let pool: ConnectionPool;

  before(async () => {
    pool = connect(`sqlite:${join(dir, 'app.db')}`, { workers: 2 });
    Registry.DBPOOL = pool;
    await createTable(pool, 'users', { ...USERS, first_name: 'string unique' });
  });

  after(async () => {
    Registry.DBPOOL = null;
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the model API with the same results as in-process SQLite', async () => {
    const ann = await User.create({ first_name: 'Ann', age: 30 });
    assert.equal(typeof ann.id, 'number');
    const found = (await User.find(ann.id))!;
    assert.equal(found.first_name, 'Ann');
    assert.ok(found.created_at instanceof Date);
    found.age = 31;
    await found.save();
    assert.equal((await User.findBy({ age: 31 })).length, 1);
    assert.deepEqual(await pool.runQuery('SELECT ? AS big, ? AS data', [2n ** 60n, Buffer.from([1, 2])]), [
      { big: 2n ** 60n, data: Buffer.from([1, 2]) },
    ]);
  });

  it('keeps the event loop turning while a long statement runs', async () => {
    const order: string[] = [];
    const slow = pool.runQuery(SLOW).then(() => order.push('query'));
    await new Promise((resolve) => setImmediate(resolve));
    order.push('event loop');
    await slow;
    assert.deepEqual(order, ['event loop', 'query']);
  });

  it('runs transactions on one worker: commit, rollback and savepoints', async () => {
    await User.deleteAll();
    await transaction(async () => {
      await User.create({ first_name: 'Kept' });
      await assert.rejects(
        transaction(async () => {
          await User.create({ first_name: 'Inner' });
          throw new Error('undo inner');
        }),
        TransactionError,
      );
    });
    await assert.rejects(
      transaction(async () => {
        await User.create({ first_name: 'Gone' });
        throw new Error('undo all');
      }),
      TransactionError,
    );
    assert.deepEqual(
      (await User.all({ orderBy: 'id' })).map((user) => user.first_name),
      ['Kept'],
    );
  });

  it('reports database errors with their codes', async () => {
    await User.create({ first_name: 'Twin' });
    const error = await Registry.getConfig()
      .insert('users', { first_name: 'Twin' })
      .catch((e: unknown) => e);
    assert.ok(error instanceof QueryError);
    assert.equal(isUniqueViolation(error), true);
    // The code and message cross the thread, so that save() reports the unique index on the record.
    const twin = await User.create({ first_name: 'Twin' });
    assert.equal(twin.isNewRecord(), true);
    assert.deepEqual(twin.errors.errorsFor('first_name'), ['First name is not unique.']);
  });

  it('refuses an in-memory database, which each worker would open apart', () => {
    assert.throws(() => connect('sqlite::memory:', { workers: 2 }), ConnectionError);
    assert.throws(() => connect(`sqlite:${join(dir, 'x.db')}`, { workers: 0 }), ConnectionError);
  });
});
