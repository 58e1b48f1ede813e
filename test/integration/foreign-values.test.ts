import assert from 'node:assert/strict';
import { before } from 'node:test';
import {
  CharacterSetError,
  DBObject,
  InvalidValueError,
  Registry,
  ValueOutOfRangeError,
} from '../../src/index.js';
import { describeMusicStore, MUSIC_ROWS, trackPriceText } from '../support/music-store.js';
import { statementsOf } from '../support/relationship-models.js';
import { type DialectName, it } from '../support/backends.js';

/**
 * Values in a store another tool wrote: money in NUMERIC(10,2), dates in columns without a seconds' fraction,
 * text in MariaDB's utf8mb3 NVARCHAR. Per-database differences, in one place:
 * - NO_FRACTION: the fixture's DATETIME/TIMESTAMP keeps no fraction on MariaDB only (PostgreSQL's TIMESTAMP
 *   keeps microseconds, SQLite's text keeps what it is given);
 * - ROUNDING: a table of this suite's own with whole-second and centisecond columns, and how the database
 *   brings .5 s and .125 s to them (PostgreSQL rounds, away from 2000-01-01; MariaDB cuts); SQLite has none
 *   (a gap, test/support/gaps.ts).
 * - NARROW_TEXT: the NVARCHAR columns hold no code point past U+FFFF (MariaDB's utf8mb3).
 */
const NO_FRACTION = new Set<DialectName>(['mysql']);
const ROUNDING: Partial<Record<DialectName, { ddl: string; whole: string[]; centi: string }>> = {
  postgres: {
    ddl: 'CREATE TABLE value_shift (id SERIAL PRIMARY KEY, starts TIMESTAMP(0), lap TIMESTAMP(2))',
    whole: ['2021-01-01T00:00:01.000Z', '1969-12-31T23:59:59.000Z', '2021-01-01T00:00:01.000Z'],
    centi: '2021-01-01T00:00:00.130Z',
  },
  mysql: {
    ddl: 'CREATE TABLE value_shift (id INT AUTO_INCREMENT PRIMARY KEY, starts DATETIME, lap DATETIME(2))',
    whole: ['2021-01-01T00:00:00.000Z', '1969-12-31T23:59:59.000Z', '2021-01-01T00:00:00.000Z'],
    centi: '2021-01-01T00:00:00.120Z',
  },
};
const NARROW_TEXT = new Set<DialectName>(['mysql']);

type Row = Record<string, unknown>;
const field = (obj: object, name: string): unknown => (obj as Row)[name];
const setField = (obj: object, name: string, value: unknown) => ((obj as Row)[name] = value);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

describeMusicStore('values other tools wrote', (db) => {
  class Track extends DBObject {}
  class Employee extends DBObject {}
  class Artist extends DBObject {}
  class Shift extends DBObject {
    static override TABLENAME = 'value_shift';
  }
  const price = () => db.n('UnitPrice');
  // The store's keys are plain INTEGER NOT NULL, as Chinook's are: the application gives them.
  let nextId = 1000;
  const track = (values: Row) =>
    Track.create({
      [db.n('TrackId')]: nextId++,
      [db.n('Name')]: 'New',
      [db.n('Milliseconds')]: 1000,
      ...values,
    } as never);
  const named = (extra: Row = {}) => ({ [db.n('Name')]: 'a', [db.n('Milliseconds')]: 1, ...extra });

  before(async () => {
    Track.TABLENAME = db.n('Track');
    Track.PRIMARY_KEY = db.n('TrackId');
    Employee.TABLENAME = db.n('Employee');
    Employee.PRIMARY_KEY = db.n('EmployeeId');
    Artist.TABLENAME = db.n('Artist');
    Artist.PRIMARY_KEY = db.n('ArtistId');
    for (const model of [Track, Employee, Artist]) await model.columns();
  });

  it('reads NUMERIC(10,2) as text with two places, as the servers give it', async () => {
    const rows = await Track.find({ orderBy: db.n('TrackId') });
    assert.equal(rows.length, MUSIC_ROWS.tracks);
    rows.forEach((row, i) => assert.equal(field(row, price()), trackPriceText(i + 1)));
  });

  it('refuses a price with more places or digits than NUMERIC(10,2), before sending', async () => {
    for (const refused of ['0.999', 0.1 + 0.2, '1e10', 123456789, '-100000000', 1.005]) {
      const sent = await statementsOf(db.pool, async () => {
        const error = await rejection(track({ [price()]: refused }));
        assert.ok(error instanceof ValueOutOfRangeError, `${String(error)} for ${String(refused)}`);
        assert.equal(error.code, undefined, 'refused by Twistar');
        assert.match(error.message, new RegExp(price()));
      });
      assert.deepEqual(sent, [], `nothing sent for ${String(refused)}`);
    }
    assert.match(
      String(await rejection(track({ [price()]: 0.1 + 0.2 }))),
      /0\.30000000000000004.*toFixed\(2\)/,
    );
    await assert.rejects(track({ [price()]: 'cheap' }), InvalidValueError);
    await assert.rejects(
      Track.createMany([
        named({ [db.n('TrackId')]: nextId++, [price()]: '1.00' }),
        named({ [db.n('TrackId')]: nextId++, [price()]: '0.999' }),
      ] as never),
      ValueOutOfRangeError,
    );
    assert.equal(await Track.count(), MUSIC_ROWS.tracks);
  });

  it('after a save the object holds the price as stored: 1.5 is 1.50', async () => {
    const given: [unknown, string][] = [
      ['1.5', '1.50'],
      [2, '2.00'],
      [3n, '3.00'],
      ['1e2', '100.00'],
      ['-0.5', '-0.50'],
      [12345678.99, '12345678.99'],
    ];
    for (const [value, stored] of given) {
      const saved = await track({ [price()]: value });
      assert.equal(field(saved, price()), stored, `${String(value)} on the object`);
      const found = await Track.find(saved.id ?? 0);
      assert.equal(field(found ?? {}, price()), stored, `${String(value)} read back`);
      const same = await Track.findBy({
        [price()]: field(saved, price()),
        [db.n('TrackId')]: saved.id,
      } as never);
      assert.equal(same.length, 1);
      setField(saved, price(), '0.5');
      await saved.save();
      assert.equal(field(saved, price()), '0.50', 'on update too');
      await saved.delete();
    }
    const [a, b] = await Track.createMany([
      named({ [db.n('TrackId')]: nextId++, [price()]: '4.1' }),
      named({ [db.n('TrackId')]: nextId++, [price()]: 5 }),
    ] as never);
    assert.deepEqual([field(a ?? {}, price()), field(b ?? {}, price())], ['4.10', '5.00']);
    for (const obj of [a, b]) await obj?.delete();
  });

  it('after a save the object holds the date as stored, and findBy finds it', async () => {
    const hired = new Date(Date.UTC(2024, 4, 1, 10, 20, 30, 123));
    const employee = await Employee.create({
      [db.n('EmployeeId')]: nextId++,
      [db.n('LastName')]: 'Doe',
      [db.n('FirstName')]: 'Jo',
      [db.n('HireDate')]: hired,
    } as never);
    const onObject = field(employee, db.n('HireDate')) as Date;
    const expected = NO_FRACTION.has(db.name) ? Date.UTC(2024, 4, 1, 10, 20, 30) : hired.getTime();
    assert.equal(onObject.getTime(), expected);
    assert.equal(hired.getTime() % 1000, 123, "the caller's Date is not changed");
    const found = await Employee.find(employee.id ?? 0);
    assert.equal((field(found ?? {}, db.n('HireDate')) as Date).getTime(), onObject.getTime());
    const matches = await Employee.findBy({ [db.n('HireDate')]: onObject } as never);
    assert.deepEqual(
      matches.map((m) => m.id),
      [employee.id],
    );
    // Unchanged after the save: nothing to write.
    const sent = await statementsOf(db.pool, () => employee.save());
    assert.deepEqual(sent, []);
    await employee.delete();
  });

  it("a decimal of more digits than a double keeps: exact on the servers, refused on SQLite's float", async () => {
    class WideMoney extends DBObject {
      static override TABLENAME = 'wide_money';
    }
    await db.pool.runOperation('DROP TABLE IF EXISTS wide_money');
    await db.pool.runOperation('CREATE TABLE wide_money (id INTEGER PRIMARY KEY, amount NUMERIC(20,2))');
    try {
      const wide = '123456789012345678.91';
      if (db.name === 'sqlite') {
        const error = await rejection(WideMoney.create({ id: 1, amount: wide } as never));
        assert.ok(error instanceof ValueOutOfRangeError, String(error));
        assert.match(error.message, /20 significant digits.*15 exactly/);
        assert.deepEqual(await db.pool.runQuery('SELECT * FROM wide_money'), [], 'nothing was stored');
      } else {
        const saved = await WideMoney.create({ id: 1, amount: wide } as never);
        assert.equal(field(saved, 'amount'), wide);
        assert.equal(field((await WideMoney.find(1)) ?? {}, 'amount'), wide);
      }
      // Fifteen digits are exact everywhere.
      const kept = await WideMoney.create({ id: 2, amount: '1234567890123.45' } as never);
      assert.equal(field((await WideMoney.find(kept.id ?? 0)) ?? {}, 'amount'), '1234567890123.45');
    } finally {
      await db.pool.runOperation('DROP TABLE wide_money');
    }
  });

  it("brings a Date to a column's fraction of a second as the database does", async () => {
    const rounding = ROUNDING[db.name];
    assert.ok(rounding !== undefined, `no column with a fraction of a second on ${db.name}`);
    await db.pool.runOperation('DROP TABLE IF EXISTS value_shift');
    await db.pool.runOperation(rounding.ddl);
    await Shift.columns();
    const inputs = ['2021-01-01T00:00:00.500Z', '1969-12-31T23:59:59.500Z', '2021-01-01T00:00:00.999Z'];
    for (const [i, text] of inputs.entries()) {
      const raw = await Registry.getConfig().insert('value_shift', { starts: new Date(text) });
      const stored = await Registry.getConfig().select('value_shift', { id: raw as number });
      // What the database itself does with the millisecond Date, sent unchanged by the low-level insert.
      assert.equal((stored?.starts as Date).toISOString(), rounding.whole[i], `the server, ${text}`);
      const shift = await Shift.create({ starts: new Date(text) } as never);
      assert.equal((field(shift, 'starts') as Date).toISOString(), rounding.whole[i], text);
      const found = await Shift.findBy({ starts: field(shift, 'starts') } as never);
      assert.ok(found.some((s) => s.id === shift.id));
    }
    const lap = await Shift.create({ lap: new Date('2021-01-01T00:00:00.125Z') } as never);
    assert.equal((field(lap, 'lap') as Date).toISOString(), rounding.centi);
    assert.equal((field((await Shift.find(lap.id ?? 0)) ?? {}, 'lap') as Date).toISOString(), rounding.centi);
    await db.pool.runOperation('DROP TABLE value_shift');
  });

  it('refuses text the column cannot hold with InvalidValueError, before sending', async () => {
    const name = db.n('Name');
    if (!NARROW_TEXT.has(db.name)) {
      const artist = await Artist.create({ [db.n('ArtistId')]: nextId++, [name]: 'Band 🎸' } as never);
      assert.equal(field((await Artist.find(artist.id ?? 0)) ?? {}, name), 'Band 🎸');
      await artist.delete();
      return;
    }
    const sent = await statementsOf(db.pool, async () => {
      const error = await rejection(
        Artist.create({ [db.n('ArtistId')]: nextId++, [name]: 'Band 🎸' } as never),
      );
      assert.ok(error instanceof InvalidValueError, String(error));
      assert.match(error.message, /utf8mb3.*"🎸" \(U\+1F3B8\).*utf8mb4/);
    });
    assert.deepEqual(sent, []);
    // Within the Basic Multilingual Plane utf8mb3 holds it all.
    const fine = await Artist.create({ [db.n('ArtistId')]: nextId++, [name]: 'Motörhead — 東京' } as never);
    assert.equal(field((await Artist.find(fine.id ?? 0)) ?? {}, name), 'Motörhead — 東京');
    await fine.delete();
    // A statement Twistar does not check: the server's refusal is typed too.
    const error = await rejection(
      Registry.getConfig().insert(db.n('Artist'), { [db.n('ArtistId')]: nextId++, [name]: '🎸' }),
    );
    assert.ok(error instanceof CharacterSetError, String(error));
    assert.match(String(error), /utf8mb4/);
  });
});
