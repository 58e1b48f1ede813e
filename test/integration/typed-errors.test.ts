import assert from 'node:assert/strict';
import { beforeEach } from 'node:test';
import {
  DBObject,
  InvalidQueryError,
  InvalidValueError,
  QueryError,
  Registry,
  UniqueViolationError,
  UnsafeSqlError,
  isUniqueViolation,
} from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { statementsOf } from '../support/relationship-models.js';
import { createTable } from '../support/schema.js';

class Reading extends DBObject {
  static override TABLENAME = 'typed_readings';
  declare code: string;
  declare value: number | null;
  declare taken_at: Date | null;
}
Registry.register(Reading);

describeEachBackend('typed errors', (db) => {
  beforeEach(async () => {
    await createTable(db.pool, 'typed_readings', {
      id: 'pk',
      code: 'string not null unique',
      value: 'real',
      taken_at: 'datetime',
    });
  });

  it('refuses NaN, ±Infinity and invalid Dates before sending, instead of writing NULL or 0', async () => {
    await Reading.create({ code: 'ok', value: 1.5 });
    for (const [value, taken_at] of [
      [Number.NaN, null],
      [Number.POSITIVE_INFINITY, null],
      [Number.NEGATIVE_INFINITY, null],
      [1, new Date('not a date')],
    ] as const) {
      const sent = await statementsOf(db.pool, async () => {
        await assert.rejects(
          Reading.create({ code: `bad-${String(value)}`, value, taken_at }),
          InvalidValueError,
        );
        const bad = Number.isFinite(value) ? { taken_at } : { value };
        await assert.rejects(Reading.findBy(bad), InvalidValueError);
      });
      assert.deepEqual(
        sent.filter((sql) => !/^(BEGIN|START|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(sql)),
        [],
      );
    }
    assert.equal(await Reading.count(), 1);
  });

  it('types a unique violation, under QueryError', async () => {
    const config = Registry.getConfig();
    await config.insert('typed_readings', { code: 'same' });
    const error = await config.insert('typed_readings', { code: 'same' }).then(
      () => null,
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof UniqueViolationError, String(error));
    assert.ok(error instanceof QueryError);
    assert.ok(isUniqueViolation(error));
  });

  it('types refused SQL and refused values under InvalidQueryError', async () => {
    await assert.rejects(Reading.find({ orderBy: 'value; DROP TABLE typed_readings' }), UnsafeSqlError);
    await assert.rejects(Reading.find({ orderBy: 'value; --' }), InvalidQueryError);
    await assert.rejects(db.pool.runQuery('SELECT ? AS x', [{ toString: () => '1' }]), InvalidValueError);
    await assert.rejects(db.pool.runQuery('SELECT ? AS x', [undefined]), InvalidValueError);
  });
});
