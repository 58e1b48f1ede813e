/**
 * The PostgreSQL driver on a direct connection: prepared-statement names, bytes bound where they do not
 * belong, dates outside years 0001–9999. (Behind PgBouncer: test/integration/pgbouncer.test.ts.)
 */
import assert from 'node:assert/strict';
import { beforeEach, describe } from 'node:test';
import {
  ConnectionError,
  ConnectionLostError,
  DBObject,
  InvalidValueError,
  Registry,
  ValueOutOfRangeError,
  connect,
  transaction,
} from '../../src/index.js';
import { describeOn, it } from '../support/backends.js';

const preparedNames = async (pool: ReturnType<typeof connect>) =>
  (await pool.runQuery('SELECT name FROM pg_prepared_statements ORDER BY name')).map((row) =>
    String(row.name),
  );

describeOn(['postgres'], 'PostgreSQL prepared statements', (db) => {
  it('prepares statements by name on a direct connection, under a prefix of its own per pool', async () => {
    const first = db.openPool({ max: 1 });
    const second = db.openPool({ max: 1 });
    await first.runQuery('SELECT 1 AS one WHERE 1 = ?', [1]);
    await second.runQuery('SELECT 1 AS one WHERE 1 = ?', [1]);
    const [a, b] = [await preparedNames(first), await preparedNames(second)];
    assert.ok(a.length > 0 && b.length > 0, 'named statements are used');
    const prefix = (names: string[]) => new Set(names.map((name) => /^(twistar_[0-9a-f]+_)/.exec(name)?.[1]));
    assert.equal(prefix(a).size, 1);
    assert.notDeepEqual([...prefix(a)], [...prefix(b)], 'two pools never share a name');
  });

  it('sends a statement again unnamed when the server no longer knows its name', async () => {
    const pool = db.openPool({ max: 1 });
    await pool.runQuery('SELECT 2 AS two WHERE 2 = ?', [2]);
    // What a pooler does to a session's statements: they are not there on the next server session.
    await pool.runOperation('DEALLOCATE ALL');
    assert.deepEqual(await pool.runQuery('SELECT 2 AS two WHERE 2 = ?', [2]), [{ two: 2 }]);
    assert.deepEqual(await pool.runQuery('SELECT 3 AS three WHERE 3 = ?', [3]), [{ three: 3 }]);
  });

  it('sends every statement unnamed with preparedStatements: false', async () => {
    const pool = db.openPool({ max: 1, preparedStatements: false });
    await pool.runQuery('SELECT 1 AS one WHERE 1 = ?', [1]);
    await transaction(() => pool.runQuery('SELECT 1 AS one WHERE 1 = ?', [1]), { pool });
    assert.deepEqual(await preparedNames(pool), []);
  });
});

describe('the preparedStatements option', () => {
  it('is refused where it means nothing, and must be a boolean', () => {
    assert.throws(() => connect('sqlite::memory:', { preparedStatements: false }), ConnectionError);
    assert.throws(
      () => connect('mysql://root@127.0.0.1:1/none', { preparedStatements: false }),
      ConnectionError,
    );
    assert.throws(
      () => connect('postgres://root@127.0.0.1:1/none', { preparedStatements: 'no' as unknown as boolean }),
      ConnectionError,
    );
  });
});

class Blob extends DBObject {
  static override TABLENAME = 'pg_blobs';
  declare id: number;
  declare n: number | null;
  declare big: number | null;
  declare doc: unknown;
  declare data: Buffer | null;
}

describeOn(['postgres'], 'PostgreSQL bytes bound where they do not belong', (db) => {
  beforeEach(async () => {
    await db.pool.runOperation('DROP TABLE IF EXISTS pg_blobs');
    await db.pool.runOperation(
      'CREATE TABLE pg_blobs (id SERIAL PRIMARY KEY, n INTEGER, big BIGINT, doc JSONB, data BYTEA)',
    );
    Registry.getConfig().forgetColumns();
  });

  const bytes = Buffer.from([1, 2, 3, 4]);

  it('refuses a Buffer for an INTEGER column with InvalidValueError (never stores 16909060)', async () => {
    await assert.rejects(Blob.create({ n: bytes as unknown as number }), InvalidValueError);
    await assert.rejects(
      db.pool.runOperation('INSERT INTO pg_blobs (n) VALUES (?)', [new Uint8Array([1, 2, 3, 4])]),
      InvalidValueError,
    );
    assert.equal(await Blob.count(), 0);
  });

  it('refuses a Buffer for a BIGINT column as a definite failure, not a lost connection', async () => {
    const error = await Blob.create({ big: bytes as unknown as number }).then(
      () => null,
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof InvalidValueError, String(error));
    assert.ok(!(error instanceof ConnectionLostError));
    assert.equal(await Blob.count(), 0);
  });

  it('refuses a Buffer compared with an integer key or bound to a JSON column', async () => {
    await assert.rejects(db.pool.runQuery('SELECT * FROM pg_blobs WHERE id = ?', [bytes]), InvalidValueError);
    await assert.rejects(Blob.create({ doc: bytes }), InvalidValueError);
  });

  it('still round-trips bytes in a BYTEA column exactly, Buffer or Uint8Array', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const saved = await Blob.create({ data: all });
    assert.deepEqual((await Blob.find(saved.id))?.data, all);
    await db.pool.runOperation('UPDATE pg_blobs SET data = ? WHERE id = ?', [
      new Uint8Array([0, 255, 7]),
      saved.id,
    ]);
    assert.deepEqual((await Blob.find(saved.id))?.data, Buffer.from([0, 255, 7]));
    const [found] = await db.pool.runQuery('SELECT id FROM pg_blobs WHERE data = ?', [
      Buffer.from([0, 255, 7]),
    ]);
    assert.equal(found?.id, saved.id);
    // `$1` inside a string or a comment is text, not a placeholder.
    const [row] = await db.pool.runQuery("SELECT '$1' AS s, ? AS b /* $1 */", [Buffer.from([9])]);
    assert.deepEqual(row, { s: '$1', b: Buffer.from([9]) });
  });
});

class Moment extends DBObject {
  static override TABLENAME = 'pg_moments';
  declare id: number;
  declare at: Date | null;
  declare zoned: Date | null;
  declare day: Date | null;
}

/** A Date in an astronomical year (0 = 1 BC), any year JavaScript holds. */
function utc(year: number, month: number, day: number, h = 0, m = 0, s = 0, ms = 0): Date {
  const date = new Date(Date.UTC(2000, month - 1, day, h, m, s, ms));
  date.setUTCFullYear(year);
  return date;
}

describeOn(['postgres'], 'PostgreSQL dates outside years 0000–9999', (db) => {
  beforeEach(async () => {
    await db.pool.runOperation('DROP TABLE IF EXISTS pg_moments');
    await db.pool.runOperation(
      'CREATE TABLE pg_moments (id SERIAL PRIMARY KEY, at TIMESTAMP(3), zoned TIMESTAMPTZ(3), day DATE)',
    );
    Registry.getConfig().forgetColumns();
  });

  const exact = [
    utc(10_000, 1, 1),
    utc(12_345, 6, 7, 8, 9, 10, 11),
    utc(275_760, 9, 13), // the last day JavaScript holds
    utc(9999, 12, 31, 23, 59, 59, 999),
    utc(1, 1, 1, 0, 0, 0, 1),
    utc(44, 3, 15, 12),
    utc(0, 12, 31, 23, 59, 59, 999), // 1 BC
    utc(-43, 3, 15, 12), // 44 BC
    utc(-4713, 11, 24), // 4714 BC, the first day PostgreSQL holds
  ];

  it('round-trips TIMESTAMP, TIMESTAMPTZ and DATE values exactly wherever PostgreSQL holds them', async () => {
    for (const at of exact) {
      const day = utc(at.getUTCFullYear(), at.getUTCMonth() + 1, at.getUTCDate());
      const saved = await Moment.create({ at, zoned: at, day: at });
      const found = await Moment.find(saved.id);
      assert.ok(found !== null);
      for (const [name, value, expected] of [
        ['at', found.at, at],
        ['zoned', found.zoned, at],
        ['day', found.day, day],
      ] as const) {
        assert.ok(value instanceof Date, `${name} of ${at.toISOString()} is a Date, got ${String(value)}`);
        assert.equal(value.getTime(), expected.getTime(), `${name} of ${at.toISOString()}`);
      }
    }
  });

  it('reads the same instants in a session away from UTC (offsets with seconds before standard time)', async () => {
    for (const zone of ['Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham']) {
      const pool = db.openPool({ max: 1, driverOptions: { options: `-c TimeZone=${zone}` } });
      const [setting] = await pool.runQuery("SELECT current_setting('TimeZone') AS zone");
      assert.equal(setting?.zone, zone);
      for (const at of [...exact, utc(1500, 1, 1, 12), utc(1883, 11, 18, 17)]) {
        const [row] = await pool.runQuery('SELECT ?::timestamp AS plain, ?::timestamptz AS zoned', [at, at]);
        assert.deepEqual(row, { plain: at, zoned: at }, `${at.toISOString()} in ${zone}`);
      }
      const saved = await Moment.create({ at: exact[7], zoned: exact[7] });
      const [stored] = await pool.runQuery('SELECT at, zoned FROM pg_moments WHERE id = ?', [saved.id]);
      assert.deepEqual(stored, { at: exact[7], zoned: exact[7] });
    }
  });

  it('finds by such a date (bound exactly, not cut or turned into another day)', async () => {
    const at = utc(-43, 3, 15, 12);
    const saved = await Moment.create({ at });
    assert.deepEqual(
      (await Moment.findBy({ at })).map((m) => m.id),
      [saved.id],
    );
  });

  it('refuses a date before 4714 BC with ValueOutOfRangeError, writing nothing', async () => {
    for (const at of [utc(-4713, 11, 23), utc(-200_000, 1, 1)]) {
      await assert.rejects(Moment.create({ at }), ValueOutOfRangeError);
      await assert.rejects(Moment.create({ zoned: at }), ValueOutOfRangeError);
    }
    assert.equal(await Moment.count(), 0);
  });
});
