import assert from 'node:assert/strict';
import { before } from 'node:test';
import { DBObject } from '../../src/index.js';
import { describeEachBackend, it, type DialectName } from '../support/backends.js';
import {
  describeMusicStore,
  describeMusicStoreOn,
  invoiceDateText,
  MUSIC_INVOICES,
  MUSIC_ROWS,
} from '../support/music-store.js';

/** Dates other tools wrote (`'2021-01-01 00:00:00'`, CURRENT_TIMESTAMP), read and compared by Twistar. */
describeMusicStore('dates written by other tools', (db) => {
  class Invoice extends DBObject {
    static override TABLENAME = db.n('Invoice');
    static override PRIMARY_KEY = db.n('InvoiceId');
    static override TIMESTAMPS = false;
    declare id: number;
  }
  const date = db.n('InvoiceDate');
  const q = (name: string) => db.pool.dialect.quoteIdentifier(name);
  const dateOf = (invoice: Invoice) => (invoice as unknown as Record<string, Date>)[date] as Date;
  const fields = (key: number) => ({
    [db.n('InvoiceId')]: key,
    [db.n('CustomerId')]: 1,
    [db.n('Total')]: '1.00',
  });

  /** The ids of the fixture's invoices dated `day` (`'2021-01-02'`). */
  function idsOn(day: string): number[] {
    const ids: number[] = [];
    for (let i = 1; i <= MUSIC_ROWS.invoices; i++) if (invoiceDateText(i).startsWith(day)) ids.push(i);
    return ids;
  }

  async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
    const items: T[] = [];
    for await (const item of iterable) items.push(item);
    return items;
  }

  it('reads the canonical text as the UTC instant', async () => {
    const first = (await Invoice.find(1)) as Invoice;
    assert.equal(dateOf(first).toISOString(), '2021-01-01T00:00:00.000Z');
  });

  it('a range of Dates for one day finds exactly that day’s invoices', async () => {
    const found = (await Invoice.find({
      where: [
        `${q(date)} >= ? AND ${q(date)} < ?`,
        new Date('2021-01-01T00:00:00Z'),
        new Date('2021-01-02T00:00:00Z'),
      ],
      orderBy: db.n('InvoiceId'),
    })) as Invoice[];
    assert.deepEqual(
      found.map((invoice) => invoice.id),
      idsOn('2021-01-01'),
    );
    const through = (await Invoice.find({
      where: [
        `${q(date)} > ? AND ${q(date)} <= ?`,
        new Date('2021-01-01T00:00:00Z'),
        new Date('2021-01-02T00:00:00Z'),
      ],
    })) as Invoice[];
    assert.deepEqual(
      through.map((invoice) => invoice.id).sort((a, b) => a - b),
      idsOn('2021-01-02'),
    );
  });

  it('findBy with a Date equal to a stored value finds it', async () => {
    const day = new Date('2021-01-03T00:00:00Z');
    const one = await Invoice.findBy({ [date]: day }, { limit: 1 });
    assert.ok(one !== null, 'findBy found an invoice of 3 January');
    assert.equal(dateOf(one).getTime(), day.getTime());
    const all = await Invoice.findBy({ [date]: day }, { orderBy: db.n('InvoiceId') });
    assert.deepEqual(
      all.map((invoice) => invoice.id),
      idsOn('2021-01-03'),
    );
    assert.equal(await Invoice.count({ [date]: day }), idsOn('2021-01-03').length);
  });

  for (const batchSize of [1, 7, 10, 1000]) {
    for (const direction of ['ASC', 'DESC'] as const) {
      it(`each({ orderBy: date ${direction}, batchSize: ${batchSize} }) walks every invoice once`, async () => {
        const seen = await collect(Invoice.each({ orderBy: `${date} ${direction}`, batchSize }));
        assert.equal(seen.length, MUSIC_INVOICES);
        assert.equal(new Set(seen.map((invoice) => invoice.id)).size, MUSIC_INVOICES);
        const sign = direction === 'ASC' ? 1 : -1;
        for (let i = 1; i < seen.length; i++) {
          const [a, b] = [seen[i - 1] as Invoice, seen[i] as Invoice];
          const order = sign * (dateOf(b).getTime() - dateOf(a).getTime()) || sign * (b.id - a.id);
          assert.ok(order > 0, `invoice ${b.id} comes after ${a.id}`);
        }
      });
    }
  }

  it('a Date Twistar saves compares equal to itself and to text others wrote', async () => {
    try {
      const whole = new Date('2021-01-04T00:00:00Z');
      const saved = await Invoice.create({ ...fields(8001), [date]: whole });
      const again = await Invoice.findBy({ [date]: whole }, { orderBy: db.n('InvoiceId') });
      assert.deepEqual(
        again.map((invoice) => invoice.id),
        [...idsOn('2021-01-04'), saved.id],
      );
      // Whatever the column keeps of the milliseconds (MariaDB's DATETIME: none), the value read back finds the row.
      const later = await Invoice.create({ ...fields(8002), [date]: new Date('2021-01-04T00:00:00.250Z') });
      const kept = dateOf((await Invoice.find(later.id)) as Invoice);
      const found = await Invoice.findBy({ [date]: kept }, { orderBy: db.n('InvoiceId') });
      assert.ok(found.some((invoice) => invoice.id === later.id));
      const after = (await Invoice.find({ where: [`${q(date)} > ?`, whole] })) as Invoice[];
      assert.equal(
        after.some((invoice) => invoice.id === later.id),
        kept.getTime() > whole.getTime(),
      );
      assert.ok(!after.some((invoice) => invoice.id === saved.id));
    } finally {
      await db.pool.execute(`DELETE FROM ${q(db.n('Invoice'))} WHERE ${q(db.n('InvoiceId'))} >= 8000`);
    }
  });
});

// SQLite only: the servers store dates, not text.
describeMusicStoreOn(['sqlite'], 'SQLite date text', (db) => {
  const table = db.n('Invoice');
  const date = db.n('InvoiceDate');
  const id = db.n('InvoiceId');
  class Invoice extends DBObject {
    static override TABLENAME = table;
    static override PRIMARY_KEY = id;
    static override TIMESTAMPS = false;
    declare id: number;
  }
  const q = (name: string) => db.pool.dialect.quoteIdentifier(name);
  const stored = async (key: number) =>
    (await db.pool.execute(`SELECT ${q(date)} AS d FROM ${q(table)} WHERE ${q(id)} = ?`, [key])).rows[0]?.d;

  it('binds whole seconds without a fraction, and milliseconds only when there are some', async () => {
    const fields = (key: number) => ({ [id]: key, [db.n('CustomerId')]: 1, [db.n('Total')]: '1.00' });
    try {
      const whole = await Invoice.create({ ...fields(8003), [date]: new Date('2021-03-01T10:20:30Z') });
      const ms = await Invoice.create({ ...fields(8004), [date]: new Date('2021-03-01T10:20:30.045Z') });
      assert.equal(await stored(whole.id), '2021-03-01 10:20:30');
      assert.equal(await stored(ms.id), '2021-03-01 10:20:30.045');
    } finally {
      await db.pool.execute(`DELETE FROM ${q(table)} WHERE ${q(id)} >= 8000`);
    }
  });

  it('text Twistar wrote before (with .000) is read, walked and found by a half-open range', async () => {
    const keys = [9001, 9002, 9003];
    for (const key of keys)
      await db.pool.execute(
        `INSERT INTO ${q(table)} (${q(id)}, ${q(db.n('CustomerId'))}, ${q(date)}, ${q(db.n('Total'))}) VALUES (?, 1, ?, '1.00')`,
        [key, '2021-01-05 00:00:00.000'],
      );
    try {
      const day = (await Invoice.find({
        where: [`${q(date)} >= ? AND ${q(date)} < ?`, new Date('2021-01-05Z'), new Date('2021-01-06Z')],
      })) as Invoice[];
      assert.ok(keys.every((key) => day.some((invoice) => invoice.id === key)));
      for (const batchSize of [1, 2, 5]) {
        const seen: number[] = [];
        for await (const invoice of Invoice.each({ orderBy: date, batchSize })) seen.push(invoice.id);
        assert.equal(seen.length, MUSIC_INVOICES + keys.length, `batchSize ${batchSize}`);
        assert.equal(new Set(seen).size, seen.length, `batchSize ${batchSize}: no invoice twice`);
      }
    } finally {
      await db.pool.execute(`DELETE FROM ${q(table)} WHERE ${q(id)} >= 9000`);
    }
  });
});

/** A column with microseconds (PostgreSQL's `now()`, MySQL's `DATETIME(6)`), which a Date cannot hold. */
const MICRO_TYPE: Record<DialectName, string> = {
  sqlite: 'DATETIME',
  postgres: 'TIMESTAMP(6)',
  mysql: 'DATETIME(6)',
};

describeEachBackend('each() over date-times finer than a Date', (db) => {
  class Reading extends DBObject {
    static override TABLENAME = 'micro_readings';
    static override TIMESTAMPS = false;
    declare id: number;
    declare taken_at: Date;
  }

  before(async () => {
    await db.pool.execute('DROP TABLE IF EXISTS micro_readings');
    await db.pool.execute(
      `CREATE TABLE micro_readings (id INTEGER PRIMARY KEY, taken_at ${MICRO_TYPE[db.name]} NOT NULL)`,
    );
    const times = ['2021-06-01 10:00:00.123456', '2021-06-01 10:00:00.123999', '2021-06-01 10:00:00.124'];
    for (let id = 1; id <= 12; id++)
      await db.pool.execute('INSERT INTO micro_readings (id, taken_at) VALUES (?, ?)', [
        id,
        times[id % times.length],
      ]);
  });

  for (const batchSize of [1, 2, 5]) {
    it(`walks rows sharing a microsecond value once each (batchSize ${batchSize})`, async () => {
      for (const orderBy of ['taken_at', 'taken_at DESC']) {
        const seen: number[] = [];
        for await (const reading of Reading.each({ orderBy, batchSize })) {
          seen.push(reading.id);
          assert.ok(seen.length <= 12, `${orderBy}: no row read twice (${seen.join(', ')})`);
        }
        assert.deepEqual(
          [...seen].sort((a, b) => a - b),
          Array.from({ length: 12 }, (_, i) => i + 1),
          orderBy,
        );
      }
    });
  }
});
