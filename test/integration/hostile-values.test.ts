import assert from 'node:assert/strict';
import { beforeEach } from 'node:test';
import {
  DBObject,
  InvalidValueError,
  Registry,
  TwistarError,
  ValueOutOfRangeError,
} from '../../src/index.js';
import { describeEachBackend, describeOn, type DialectName, it } from '../support/backends.js';
import { createTable } from '../support/schema.js';

class Hostile extends DBObject {
  static override TABLENAME = 'hostile_values';
  declare at: Date | null;
  declare day: Date | null;
  declare body: unknown;
  declare name: unknown;
  declare data: unknown;
  declare stamp?: Date | null;
}

Registry.register(Hostile);

/** The error `work` rejects with (or fails if it resolves). */
async function rejection(work: () => Promise<unknown>): Promise<unknown> {
  return work().then(
    (value: unknown) => assert.fail(`expected a rejection, got ${String(value)}`),
    (error: unknown) => error,
  );
}

/**
 * The years a Date column holds on each database, where Twistar knows them (PostgreSQL's are another suite's: a gap,
 * test/support/gaps.ts).
 */
const YEARS: Partial<Record<DialectName, readonly [string, string]>> = {
  sqlite: ['0000', '9999'],
  mysql: ['1000', '9999'],
};

/** Instants each database with a known range holds, at and inside its limits (and a century SQLite once misread). */
const HELD: Partial<Record<DialectName, readonly string[]>> = {
  sqlite: [
    '0000-01-01T00:00:00.000Z',
    '0050-03-01T10:20:30.456Z',
    '0099-12-31T23:59:59.999Z',
    '0100-01-01T00:00:00.000Z',
    '9999-12-31T23:59:59.999Z',
  ],
  mysql: ['1000-01-01T00:00:00.000Z', '1000-03-01T10:20:30.456Z', '9999-12-31T23:59:59.999Z'],
};

/** Instants outside those ranges. */
const OUTSIDE: Partial<Record<DialectName, readonly string[]>> = {
  sqlite: ['-000001-12-31T23:59:59.999Z', '+010000-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z'],
  mysql: [
    '0999-12-31T23:59:59.999Z',
    '0050-03-01T00:00:00.000Z',
    '-000001-01-01T00:00:00.000Z',
    '+010000-01-01T00:00:00.000Z',
  ],
};

describeEachBackend('hostile values', (db) => {
  beforeEach(async () => {
    await createTable(db.pool, 'hostile_values', {
      id: 'pk',
      at: 'datetime',
      day: 'date',
      body: 'text',
      name: 'string',
      data: 'json',
    });
  });

  /** This database's entry of a table above, which a test of the years needs. */
  const listed = <T>(table: Partial<Record<DialectName, T>>): T => {
    const entry = table[db.name];
    assert.ok(entry !== undefined, `the years a Date column holds on ${db.name} are not listed`);
    return entry;
  };

  it('round-trips exactly every instant in the years the database holds, in DATETIME and DATE columns', async () => {
    const config = Registry.getConfig();
    for (const iso of listed(HELD)) {
      const saved = await Hostile.create({ at: new Date(iso), day: new Date(iso) });
      const found = await Hostile.find(saved.id ?? 0);
      assert.equal(found?.at?.toISOString(), iso);
      assert.equal(found?.day?.toISOString(), `${iso.slice(0, 10)}T00:00:00.000Z`);
      assert.deepEqual(
        (await Hostile.findBy({ at: new Date(iso) })).map((match) => match.id),
        [saved.id],
      );
      const id = await config.insert('hostile_values', { at: new Date(iso) });
      const row = (await config.select('hostile_values', { where: ['id = ?', id] })) as { at: unknown }[];
      const at = row[0]?.at;
      // SQLite's text is CURRENT_TIMESTAMP's form, with the milliseconds only when there are some.
      const text = `${iso.slice(0, 10)} ${iso.slice(11, iso.endsWith('.000Z') ? 19 : 23)}`;
      assert.equal(at instanceof Date ? at.toISOString() : at, at instanceof Date ? iso : text);
    }
  });

  it('refuses, before sending, a Date outside the years the database holds with ValueOutOfRangeError naming the range', async () => {
    const years = listed(YEARS);
    const config = Registry.getConfig();
    const range = new RegExp(`${years[0]} to ${years[1]}`);
    for (const iso of listed(OUTSIDE)) {
      const date = new Date(iso);
      for (const attrs of [{ at: date }, { day: date }]) {
        const error = await rejection(() => Hostile.create(attrs));
        assert.ok(
          error instanceof ValueOutOfRangeError,
          `${iso} in ${Object.keys(attrs)[0]}: ${String(error)}`,
        );
        assert.match(error.message, range);
        assert.match(error.message, /nothing was sent/);
      }
      const saved = await Hostile.create({});
      saved.at = date;
      assert.ok((await rejection(() => saved.save())) instanceof ValueOutOfRangeError);
      const low = await rejection(() => config.insert('hostile_values', { at: date }));
      assert.ok(low instanceof ValueOutOfRangeError, `${iso} low-level: ${String(low)}`);
      assert.match(low.message, range);
      assert.ok(
        (await rejection(() => db.pool.runQuery('SELECT ? AS v', [date]))) instanceof ValueOutOfRangeError,
      );
    }
    // Nothing was cut or written as text.
    const rows = await db.pool.runQuery(
      'SELECT at, day FROM hostile_values WHERE at IS NOT NULL OR day IS NOT NULL',
    );
    assert.deepEqual(rows, []);
  });

  it('refuses an invalid Date, or an object that only looks like one, with InvalidValueError in DATE and DATETIME columns, on save, findBy and the low-level interface', async () => {
    const config = Registry.getConfig();
    const invalids: [string, Date][] = [
      ["new Date('not a date')", new Date('not a date')],
      ['a Proxy of a Date', new Proxy(new Date('2024-05-01T00:00:00Z'), {})],
      ['Object.create(Date.prototype)', Object.create(Date.prototype) as Date],
    ];
    for (const [what, invalid] of invalids) {
      for (const column of ['day', 'at']) {
        const label = `${what} in ${column}`;
        const error = await rejection(() => Hostile.create({ [column]: invalid }));
        assert.ok(error instanceof InvalidValueError, `${label}: ${String(error)}`);
        assert.match(error.message, /invalid Date/);
        const found = await rejection(() => Hostile.findBy({ [column]: invalid }));
        assert.ok(found instanceof InvalidValueError, `${label}, findBy: ${String(found)}`);
        const low = await rejection(() => config.insert('hostile_values', { [column]: invalid }));
        assert.ok(low instanceof InvalidValueError, `${label}, insert: ${String(low)}`);
        const saved = await Hostile.create({});
        (saved as unknown as Record<string, unknown>)[column] = invalid;
        const update = await rejection(() => saved.save());
        assert.ok(update instanceof InvalidValueError, `${label}, update: ${String(update)}`);
        const loaded = await Hostile.find(saved.id ?? 0);
        assert.ok(loaded !== null);
        (loaded as unknown as Record<string, unknown>)[column] = new Date('2024-05-01T00:00:00Z');
        await loaded.save();
        (loaded as unknown as Record<string, unknown>)[column] = invalid;
        const change = await rejection(() => loaded.save());
        assert.ok(
          change instanceof InvalidValueError,
          `${label}, update of a loaded date: ${String(change)}`,
        );
      }
    }
  });

  it('refuses cyclic and BigInt-holding JSON values with InvalidValueError, on insert, update and the low-level interface', async () => {
    const config = Registry.getConfig();
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    for (const [what, value] of [
      ['a cyclic object', cyclic],
      ['an object holding a BigInt', { n: 1n }],
      ['an array holding a BigInt', [1n]],
    ] as const) {
      const error = await rejection(() => Hostile.create({ data: value }));
      assert.ok(error instanceof InvalidValueError, `${what}: ${String(error)}`);
      assert.match(error.message, /"data"/);
      const saved = await Hostile.create({ data: { a: 1 } });
      saved.data = value;
      const update = await rejection(() => saved.save());
      assert.ok(update instanceof InvalidValueError, `${what} on update: ${String(update)}`);
      assert.ok(
        (await rejection(() => config.insert('hostile_values', { data: value }))) instanceof
          InvalidValueError,
      );
      assert.ok(
        (await rejection(() =>
          config.update('hostile_values', { data: value }, ['id = ?', saved.id]),
        )) instanceof InvalidValueError,
      );
      assert.ok((await rejection(() => Hostile.findBy({ data: value }))) instanceof TwistarError);
    }
    const rows = (await db.pool.runQuery('SELECT COUNT(*) AS n FROM hostile_values')) as { n: unknown }[];
    assert.equal(Number(rows[0]?.n), 3);
  });

  it('writes booleans and numbers to text columns the same way on every database: String(value), booleans as true/false', async () => {
    const cases: [unknown, string][] = [
      [true, 'true'],
      [false, 'false'],
      [5, '5'],
      [-0, '0'],
      [0.5, '0.5'],
      [0.1 + 0.2, '0.30000000000000004'],
      [1e21, '1e+21'],
      [123456789012345680000, '123456789012345680000'],
      [-1.5e-7, '-1.5e-7'],
      [2n ** 70n, '1180591620717411303424'],
    ];
    for (const [value, text] of cases) {
      const saved = await Hostile.create({ body: value, name: value });
      const found = await Hostile.find(saved.id ?? 0);
      assert.deepEqual([found?.body, found?.name], [text, text], `${String(value)} is written as '${text}'`);
      assert.deepEqual(
        (await Hostile.findBy({ body: value, name: value })).map((match) => match.id),
        [saved.id],
        `findBy({ body: ${String(value)} }) finds it`,
      );
      const other = await Hostile.create({});
      other.body = value;
      await other.save();
      assert.equal((await Hostile.find(other.id ?? 0))?.body, text, `${String(value)} on update`);
    }
  });

  it('refuses bytes bound to a text column with InvalidValueError, on save, update and findBy', async () => {
    for (const bytes of [Buffer.from([1, 2, 3, 4]), new Uint8Array([1, 2, 3, 4])]) {
      assert.ok((await rejection(() => Hostile.create({ name: bytes }))) instanceof InvalidValueError);
      assert.ok((await rejection(() => Hostile.create({ body: bytes }))) instanceof InvalidValueError);
      const other = await Hostile.create({ name: 'plain' });
      other.name = bytes;
      assert.ok((await rejection(() => other.save())) instanceof InvalidValueError);
      assert.ok((await rejection(() => Hostile.findBy({ name: bytes }))) instanceof InvalidValueError);
    }
    const rows = await db.pool.runQuery('SELECT name FROM hostile_values');
    assert.deepEqual(
      rows.map((row) => row.name),
      ['plain', 'plain'],
    );
  });

  it('the low-level interface writes a boolean to a text column as the database casts 1/0 or true/false, never 1.0', async () => {
    const config = Registry.getConfig();
    const id = await config.insert('hostile_values', { body: true, name: false });
    const row = (await config.select('hostile_values', { where: ['id = ?', id] })) as Record<
      string,
      unknown
    >[];
    const expected = db.name === 'postgres' ? ['true', 'false'] : ['1', '0'];
    assert.deepEqual([row[0]?.body, row[0]?.name], expected);
  });
});

describeOn(['mysql'], 'hostile values: MySQL zero dates', (db) => {
  beforeEach(async () => {
    await createTable(db.pool, 'hostile_values', {
      id: 'pk',
      at: 'datetime',
      day: 'date',
      body: 'text',
      name: 'string',
      data: 'json',
    });
  });

  it('refuses a Date outside what a TIMESTAMP holds (1970–2038) with ValueOutOfRangeError, as the server refuses it', async () => {
    await db.pool.runOperation('ALTER TABLE hostile_values ADD COLUMN stamp TIMESTAMP(3) NULL');
    Registry.getConfig().forgetColumns('hostile_values');
    for (const iso of ['2050-01-01T00:00:00.000Z', '1969-12-31T23:59:59.999Z']) {
      const error = await rejection(() => Hostile.create({ stamp: new Date(iso) }));
      assert.ok(error instanceof ValueOutOfRangeError, `${iso}: ${String(error)}`);
    }
    const held = await Hostile.create({ stamp: new Date('2038-01-19T03:14:07.999Z') });
    const found = await Hostile.find(held.id ?? 0);
    assert.equal(found?.stamp?.toISOString(), '2038-01-19T03:14:07.999Z');
  });

  it("reads '0000-00-00' and '0000-00-00 00:00:00' (written under a permissive sql_mode) as null, in models and the low-level interface", async () => {
    // Another tool's session, without NO_ZERO_DATE or strict mode.
    await db.pool.runInteraction(async (txn) => {
      await txn.runOperation("SET SESSION sql_mode = ''");
      await txn.runOperation(
        "INSERT INTO hostile_values (id, at, day) VALUES (1, '0000-00-00 00:00:00', '0000-00-00')",
      );
    });
    const found = await Hostile.find(1);
    assert.equal(found?.at, null);
    assert.equal(found?.day, null);
    const params = await db.pool.runQuery('SELECT at, day FROM hostile_values WHERE id = ?', [1]);
    assert.deepEqual(params, [{ at: null, day: null }]);
    const text = await db.pool.runQuery('SELECT at, day FROM hostile_values WHERE id = 1');
    assert.deepEqual(text, [{ at: null, day: null }]);
  });

  it('reads a DATE with a zero part as its text and a DATE before 1000 as written, never rolled over into another day', async () => {
    await db.pool.runInteraction(async (txn) => {
      await txn.runOperation("SET SESSION sql_mode = ''");
      await txn.runOperation(
        "INSERT INTO hostile_values (id, day) VALUES (1, '2024-05-00'), (2, '0050-03-01')",
      );
    });
    for (const rows of [
      await db.pool.runQuery('SELECT day FROM hostile_values WHERE id IN (?, ?) ORDER BY id', [1, 2]),
      await db.pool.runQuery('SELECT day FROM hostile_values ORDER BY id'),
    ]) {
      assert.equal(rows[0]?.day, '2024-05-00');
      assert.equal((rows[1]?.day as Date).toISOString(), '0050-03-01T00:00:00.000Z');
    }
    assert.equal((await Hostile.find(1))?.day, '2024-05-00');
  });
});
