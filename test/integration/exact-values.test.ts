import assert from 'node:assert/strict';
import { beforeEach } from 'node:test';
import {
  DBObject,
  InvalidValueError,
  QueryError,
  Registry,
  UniqueViolationError,
  ValueOutOfRangeError,
  ValueTooLargeError,
  type BelongsTo,
  type ConnectionPool,
  type HasMany,
  type Id,
} from '../../src/index.js';
import { describeEachBackend, describeOn, type DialectName, it } from '../support/backends.js';
import { statementsOf } from '../support/relationship-models.js';
import { createTable } from '../support/schema.js';

const MiB = 1024 * 1024;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** 10 MiB of UTF-8 text: a one-, a two-, a three- and a four-byte character, over and over. */
const TEXT = 'aé€😀'.repeat(MiB);

/** `length` bytes taking every value from 0 to 255, in no repeating pattern (xorshift32). */
function bytes(length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let x = 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buffer[i] = x & 0xff;
  }
  return buffer;
}

/** Asserts `actual === expected` without printing megabytes when they differ. */
function assertSameText(actual: unknown, expected: string): void {
  if (actual === expected) return;
  const text = typeof actual === 'string' ? actual : '';
  let at = 0;
  while (at < text.length && text.charCodeAt(at) === expected.charCodeAt(at)) at++;
  assert.fail(
    `the text came back different: ${typeof actual}, length ${text.length} instead of ${expected.length}, first difference at ${at}`,
  );
}

function assertSameBytes(actual: unknown, expected: Buffer): void {
  assert.ok(Buffer.isBuffer(actual), `a Buffer comes back, not ${typeof actual}`);
  assert.ok(actual.equals(expected), `the bytes came back different (length ${actual.length})`);
}

/** The error `work` rejects with (or fails if it resolves). */
async function rejection(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => assert.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

/** The statements `work` sends, transaction control apart. */
async function dataStatementsOf(pool: ConnectionPool, work: () => Promise<unknown>): Promise<string[]> {
  const sent = await statementsOf(pool, work);
  return sent.filter((sql) => !/^(BEGIN|START|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(sql));
}

/**
 * Per-database differences, in one place.
 * - NEXT_KEY: how a table's next generated key is moved; no statement does it on all three.
 * - ENFORCES_COLUMN_TYPES: the servers refuse, themselves, a string longer than VARCHAR(n) and a number
 *   outside an INT; SQLite keeps either whole (save() refuses them before sending, on all three).
 */
const NEXT_KEY: Record<DialectName, (pool: ConnectionPool, table: string, next: bigint) => Promise<unknown>> =
  {
    // AUTOINCREMENT never reuses a key: the next one follows the largest ever used.
    sqlite: async (pool, table, next) => {
      await pool.runOperation(`INSERT INTO ${table} (id) VALUES (?)`, [next - 1n]);
      await pool.runOperation(`DELETE FROM ${table} WHERE id = ?`, [next - 1n]);
    },
    postgres: (pool, table, next) =>
      pool.runQuery("SELECT setval(pg_get_serial_sequence(?, 'id'), ?, false)", [table, next]),
    mysql: (pool, table, next) => pool.runOperation(`ALTER TABLE ${table} AUTO_INCREMENT = ${next}`),
  };
const ENFORCES_COLUMN_TYPES: ReadonlySet<DialectName> = new Set(['postgres', 'mysql']);

class LargeValue extends DBObject {
  static override TABLENAME = 'exact_large';
  declare body: string | null;
  declare data: Buffer | null;
}

class BigParent extends DBObject {
  static override TABLENAME = 'exact_parents';
  static override HASMANY = [{ name: 'children', className: 'BigChild', foreignKey: 'parent_id' }];
  declare name: string | null;
  declare children: HasMany<BigChild>;
}

class BigChild extends DBObject {
  static override TABLENAME = 'exact_children';
  static override BELONGSTO = [{ name: 'parent', className: 'BigParent', foreignKey: 'parent_id' }];
  declare name: string | null;
  declare parent_id: Id | null;
  declare parent: BelongsTo<BigParent>;
}

class TextSample extends DBObject {
  static override TABLENAME = 'exact_texts';
  declare name: string | null;
  declare body: string | null;
}

class RangeSample extends DBObject {
  static override TABLENAME = 'exact_ranges';
  declare code: string | null;
  declare fixed: string | null;
  declare small: number | null;
  declare big: number | bigint | null;
}

class Moment extends DBObject {
  static override TABLENAME = 'exact_moments';
  declare at: Date | null;
  declare day: Date | string | null;
}

class JsonNames extends DBObject {
  static override TABLENAME = 'exact_json_names';
  declare data_x: string | null;
  declare dataYx: unknown;
}

Registry.register(LargeValue, BigParent, BigChild, TextSample, RangeSample, Moment, JsonNames);

describeEachBackend('exact values: 10 MiB strings and Buffers', (db) => {
  beforeEach(async () => {
    await createTable(db.pool, 'exact_large', { id: 'pk', body: 'longtext', data: 'longblob' });
  });

  it('round-trips 10 MiB of multi-byte text and 10 MiB of bytes exactly, through save and find and the low-level interface', async () => {
    const data = bytes(10 * MiB);
    assert.equal(Buffer.byteLength(TEXT, 'utf8'), 10 * MiB);
    // One value per statement: both at once would exceed MariaDB's default max_allowed_packet (16 MiB).
    const text = await LargeValue.create({ body: TEXT });
    const blob = await LargeValue.create({ data });
    assertSameText((await LargeValue.find(text.id ?? 0))?.body, TEXT);
    assertSameBytes((await LargeValue.find(blob.id ?? 0))?.data, data);

    const changed = Buffer.from(data);
    changed[5 * MiB] = (changed[5 * MiB] ?? 0) ^ 0xff;
    blob.data = changed;
    const sent = await dataStatementsOf(db.pool, () => blob.save());
    assert.equal(sent.length, 1, 'the changed Buffer is written');
    assertSameBytes((await LargeValue.find(blob.id ?? 0))?.data, changed);

    const config = Registry.getConfig();
    const textId = (await config.insert('exact_large', { body: TEXT })) ?? 0;
    const blobId = (await config.insert('exact_large', { data })) ?? 0;
    assertSameText((await config.select('exact_large', { id: textId }))?.body, TEXT);
    assertSameBytes((await config.select('exact_large', { id: blobId }))?.data, data);
    assert.equal(await config.count('exact_large'), 4);
  });
});

describeOn(['mysql'], 'exact values: MariaDB limits, charset and sql_mode', (db) => {
  beforeEach(async () => {
    await createTable(db.pool, 'exact_large', { id: 'pk', body: 'longtext', data: 'longblob' });
    await createTable(db.pool, 'exact_texts', { id: 'pk', name: 'string', body: 'text' });
  });

  it('reads as JSON exactly the columns MariaDB validates with json_valid, and no other', async () => {
    await db.pool.runOperation('DROP TABLE IF EXISTS exact_json_names');
    // `data_x` is TEXT: a LIKE pattern would take its `_` for any character and match dataYx's check.
    await db.pool.runOperation(
      'CREATE TABLE exact_json_names (id INT AUTO_INCREMENT PRIMARY KEY, data_x TEXT, dataYx JSON)',
    );
    try {
      const saved = await JsonNames.create({ data_x: '{"kept":"as text"}', dataYx: { parsed: 1 } });
      const row = await JsonNames.find(saved.id ?? 0);
      assert.deepEqual([row?.data_x, row?.dataYx], ['{"kept":"as text"}', { parsed: 1 }]);
    } finally {
      await db.pool.runOperation('DROP TABLE IF EXISTS exact_json_names');
    }
  });

  it('refuses a value over max_allowed_packet with ValueTooLargeError, and the pool serves the next statements', async (t) => {
    const [row] = await db.pool.runQuery('SELECT @@max_allowed_packet AS max_packet');
    const limit = Number(row?.max_packet);
    if (limit > 64 * MiB) {
      t.skip(`max_allowed_packet is ${limit} bytes: a value over it is more than this test builds`);
      return;
    }
    const pool = db.openPool({ max: 1 });
    const config = Registry.getConfig(pool);
    const connectionId = async () => (await pool.runQuery('SELECT CONNECTION_ID() AS id'))[0]?.id;
    const first = await connectionId();

    // One byte over: refused before sending, so the connection stays as it was.
    for (const values of [
      { data: Buffer.alloc(limit + 1, 7) },
      { body: 'é'.repeat(Math.ceil((limit + 1) / 2)) },
    ]) {
      const error = await rejection(config.insert('exact_large', values));
      assert.ok(error instanceof ValueTooLargeError, String(error));
      assert.ok(error instanceof QueryError);
      assert.equal(error.code, 'ER_NET_PACKET_TOO_LARGE');
      assert.match(error.message, /max_allowed_packet/);
      assert.equal(await connectionId(), first, 'nothing was sent: the same connection serves on');
    }

    // One byte under: the statement's own headers take the packet over, and the server refuses it and closes
    // the connection. The pool replaces it, and the next statement is a write that succeeds.
    const error = await rejection(config.insert('exact_large', { data: Buffer.alloc(limit - 1, 7) }));
    assert.ok(error instanceof ValueTooLargeError, String(error));
    assert.equal((error.cause as { errno?: unknown }).errno, 1153);
    const id = await config.insert('exact_large', { body: 'after' });
    assert.equal((await config.select('exact_large', { id: id ?? 0 }))?.body, 'after');
    assert.notEqual(await connectionId(), first);

    // Through save(), on the suite's pool.
    await assert.rejects(LargeValue.create({ data: Buffer.alloc(limit + 1, 7) }), ValueTooLargeError);
    assert.equal((await LargeValue.create({ body: 'saved' })).body, 'saved');

    assert.equal(await config.count('exact_large'), 2);
    assert.deepEqual(pool.stats, { max: 1, open: 1, idle: 1, inUse: 0, waiting: 0 });
    assert.equal(db.pool.stats.inUse, 0);
  });

  it('uses utf8mb4 on every connection and in the tables the tests create', async () => {
    const [session] = await db.pool.runQuery(
      'SELECT @@character_set_client AS client, @@character_set_connection AS connection, @@character_set_results AS results',
    );
    assert.deepEqual(session, { client: 'utf8mb4', connection: 'utf8mb4', results: 'utf8mb4' });
    const [table] = await db.pool.runQuery(
      'SELECT table_collation AS collation FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?',
      ['exact_texts'],
    );
    assert.match(String(table?.collation), /^utf8mb4_/);
    const emoji = '😀👩‍👩‍👧‍👦𝄞';
    const sample = await TextSample.create({ name: emoji, body: emoji });
    assert.deepEqual(await Registry.getConfig().select('exact_texts', { id: sample.id ?? 0 }), {
      id: sample.id,
      name: emoji,
      body: emoji,
    });
  });

  it('runs every connection in strict sql_mode, for every table', async () => {
    const [row] = await db.pool.runQuery('SELECT @@sql_mode AS mode');
    assert.ok(String(row?.mode).split(',').includes('STRICT_ALL_TABLES'), String(row?.mode));
    // STRICT_TRANS_TABLES alone would write the second row of a non-transactional table truncated.
    await db.pool.runOperation('DROP TABLE IF EXISTS exact_myisam');
    await db.pool.runOperation(
      'CREATE TABLE exact_myisam (id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(5)) ENGINE=MyISAM',
    );
    const config = Registry.getConfig();
    const error = await rejection(
      config.insertMany('exact_myisam', [{ code: 'ok' }, { code: 'abcdef' }, { code: 'fine' }]),
    );
    assert.ok(error instanceof ValueOutOfRangeError, String(error));
    assert.equal(error.code, 'ER_DATA_TOO_LONG');
    const codes = (await config.select('exact_myisam', { orderBy: 'id' })).map((r) => r.code);
    assert.ok(!codes.includes('abcde'), `nothing truncated: ${JSON.stringify(codes)}`);
    await db.pool.runOperation('DROP TABLE exact_myisam');
  });
});

describeEachBackend('exact values: 100,000 rows through insertMany', (db) => {
  const ROWS = 100_000;
  const COLUMNS = 3;
  const rows = Array.from({ length: ROWS }, (_, i) => ({
    label: `r${i}`,
    n: i,
    note: i % 7 === 0 ? null : `n${i}`,
  }));
  /** Statements the rows take: ceil(rows / floor(limit / columns)), which is ceil(rows × columns / limit) here. */
  const expectedInserts = () => Math.ceil(ROWS / Math.floor(db.pool.dialect.maxParameters / COLUMNS));

  beforeEach(async () => {
    await createTable(db.pool, 'exact_bulk', {
      id: 'pk',
      label: 'string not null unique',
      n: 'bigint',
      note: 'string',
    });
  });

  it('writes 100,000 rows in chunks under the parameter limit, in one transaction', async () => {
    const config = Registry.getConfig();
    const sent: { sql: string; params: number }[] = [];
    const listener = ({ sql, params }: { sql: string; params: readonly unknown[] }) =>
      sent.push({ sql, params: params.length });
    db.pool.on('query', listener);
    try {
      assert.equal(await config.insertMany('exact_bulk', rows), ROWS);
    } finally {
      db.pool.off('query', listener);
    }
    const inserts = sent.filter(({ sql }) => sql.startsWith('INSERT'));
    assert.equal(inserts.length, expectedInserts());
    assert.equal(inserts.length, Math.ceil((ROWS * COLUMNS) / db.pool.dialect.maxParameters));
    assert.ok(inserts.every(({ params }) => params <= db.pool.dialect.maxParameters));
    assert.equal(
      inserts.reduce((total, { params }) => total + params, 0),
      ROWS * COLUMNS,
    );
    assert.match(sent[0]?.sql ?? '', /^(BEGIN|START TRANSACTION)/);
    assert.equal(sent.at(-1)?.sql, 'COMMIT');
    assert.equal(sent.length, inserts.length + 2);

    const [totals] = await db.pool.runQuery(
      'SELECT COUNT(*) AS count, SUM(n) AS total, COUNT(note) AS notes, MAX(label) AS last FROM exact_bulk',
    );
    assert.equal(Number(totals?.count), ROWS);
    assert.equal(BigInt(String(totals?.total)), BigInt((ROWS * (ROWS - 1)) / 2));
    assert.equal(Number(totals?.notes), ROWS - Math.ceil(ROWS / 7));
    assert.equal(totals?.last, 'r99999');
  });

  it('writes none of 100,000 rows when the last row fails', async () => {
    const config = Registry.getConfig();
    const failing = [...rows.slice(0, ROWS - 1), { label: 'r0', n: -1, note: 'duplicate' }];
    let error: unknown;
    const sent = await statementsOf(db.pool, async () => {
      error = await rejection(config.insertMany('exact_bulk', failing));
    });
    assert.ok(error instanceof UniqueViolationError, String(error).slice(0, 300));
    const inserts = sent.filter((sql) => sql.startsWith('INSERT'));
    assert.equal(inserts.length, expectedInserts(), 'every chunk was sent, and the last one failed');
    assert.equal(sent.at(-1), 'ROLLBACK');
    assert.equal(await config.count('exact_bulk'), 0);
  });
});

describeEachBackend('exact values: 64-bit integers', (db) => {
  beforeEach(async () => {
    await createTable(db.pool, 'exact_parents', { id: 'bigpk', name: 'string' });
    await createTable(db.pool, 'exact_children', { id: 'bigpk', name: 'string', parent_id: 'bigint' });
  });

  it('gives an auto-increment key of 2^63−1 as that exact bigint, finds by it, and loads relationships through it', async () => {
    await NEXT_KEY[db.name](db.pool, 'exact_parents', INT64_MAX);
    await NEXT_KEY[db.name](db.pool, 'exact_children', INT64_MAX - 2n);
    const parent = await BigParent.create({ name: 'max' });
    assert.equal(parent.id, INT64_MAX);

    const found = await BigParent.find(INT64_MAX);
    assert.equal(found?.id, INT64_MAX);
    assert.equal(found?.name, 'max');
    assert.equal((await BigParent.findBy({ id: INT64_MAX }))[0]?.name, 'max');
    assert.equal(await BigParent.count(['id = ?', INT64_MAX]), 1);

    // Multi-row INSERTs report their keys as bigints too (SQLite the last, MySQL the first, PostgreSQL each).
    const children = await BigChild.createMany(
      ['a', 'b', 'c'].map((name) => ({ name, parent_id: INT64_MAX })),
    );
    assert.deepEqual(
      children.map((child) => child.id),
      [INT64_MAX - 2n, INT64_MAX - 1n, INT64_MAX],
    );
    const loaded = await parent.children.get({ orderBy: 'id' });
    assert.deepEqual(
      loaded.map((child) => [child.id, child.name, child.parent_id]),
      [
        [INT64_MAX - 2n, 'a', INT64_MAX],
        [INT64_MAX - 1n, 'b', INT64_MAX],
        [INT64_MAX, 'c', INT64_MAX],
      ],
    );
    const last = await BigChild.find(INT64_MAX);
    assert.equal((await last?.parent.get())?.id, INT64_MAX);

    const eager = await BigChild.find({ orderBy: 'id', include: ['parent'] });
    assert.deepEqual(await Promise.all(eager.map(async (child) => (await child.parent.get())?.id)), [
      INT64_MAX,
      INT64_MAX,
      INT64_MAX,
    ]);
    const [withChildren] = await BigParent.find({ include: ['children'] });
    assert.equal((await withChildren?.children.get())?.length, 3);

    // Past the largest key there is no next one: an error, never a wrap-around.
    await assert.rejects(BigParent.create({ name: 'beyond' }), QueryError);
  });

  it('keeps -2^63 exact as a key, a foreign key and a value', async () => {
    const parent = await BigParent.create({ id: INT64_MIN, name: 'min' });
    assert.equal(parent.id, INT64_MIN);
    const child = await BigChild.create({ name: 'low', parent_id: INT64_MIN });
    assert.equal((await BigParent.find(INT64_MIN))?.name, 'min');
    assert.deepEqual(
      (await parent.children.get()).map((found) => [found.id, found.parent_id]),
      [[child.id, INT64_MIN]],
    );
    assert.equal((await (await BigChild.find(child.id ?? 0))?.parent.get())?.id, INT64_MIN);
    const row = await Registry.getConfig().select('exact_children', { id: child.id ?? 0 });
    assert.equal(row?.parent_id, INT64_MIN);
  });
});

/** Text that must come back exactly as written: no normalisation, no replacement, no reordering. */
const TEXTS: Readonly<Record<string, string>> = {
  'four-byte emoji, skin tones and ZWJ sequences': '😀🎉👍🏽👩‍👩‍👧‍👦🏳️‍🌈',
  'other characters beyond the BMP': '𝄞𠀋𐍈🀄',
  'combining marks (not normalised)': 'e\u0301 a\u0308 n\u0303 \u1100\u1161\u11a8 Z\u0351\u0352',
  'right-to-left text and direction marks': 'שלום עולם مرحبا بالعالم \u200f\u202eabc\u202c \u05d0\u05b7',
  'invisible characters': '\ufeff\u200b\u200d\u2060',
  'a mixture': 'Zoë 😀 e\u0301 שלום 𝄞',
};

/** Strings with half a surrogate pair: UTF-8 cannot encode them. */
const LONE_SURROGATES = ['\ud800', 'a\udc00b', 'end\udbff', '\udc00\ud800', '😀'.slice(0, 1)];

describeEachBackend('exact values: text', (db) => {
  beforeEach(async () => {
    await createTable(db.pool, 'exact_texts', { id: 'pk', name: 'string', body: 'text' });
  });

  for (const [what, text] of Object.entries(TEXTS)) {
    it(`round-trips ${what} exactly`, async () => {
      const sample = await TextSample.create({ name: text, body: text });
      const found = await TextSample.find(sample.id ?? 0);
      assert.equal(found?.name, text);
      assert.equal(found?.body, text);
      const config = Registry.getConfig();
      const id = (await config.insert('exact_texts', { name: text, body: text })) ?? 0;
      assert.deepEqual(await config.select('exact_texts', { id, select: ['name', 'body'] }), {
        name: text,
        body: text,
      });
      const matches = await TextSample.find({ where: ['body = ?', text], orderBy: 'id' });
      assert.ok(matches.some((match) => match.id === sample.id));
    });
  }

  it('counts VARCHAR(n) in characters: 255 four-byte emoji fit in VARCHAR(255), 256 do not', async () => {
    const fits = '😀'.repeat(255);
    const sample = await TextSample.create({ name: fits });
    assert.equal((await TextSample.find(sample.id ?? 0))?.name, fits);
    await assert.rejects(TextSample.create({ name: '😀'.repeat(256) }), ValueOutOfRangeError);
  });

  it('refuses lone surrogates with InvalidValueError before sending, on every path', async () => {
    const config = Registry.getConfig();
    for (const text of LONE_SURROGATES) {
      const sent = await dataStatementsOf(db.pool, async () => {
        await assert.rejects(TextSample.create({ name: text }), InvalidValueError);
        await assert.rejects(TextSample.findBy({ body: text }), InvalidValueError);
        await assert.rejects(config.insert('exact_texts', { body: text }), InvalidValueError);
        await assert.rejects(
          config.insertMany('exact_texts', [{ body: 'ok' }, { body: text }]),
          InvalidValueError,
        );
        await assert.rejects(db.pool.runQuery('SELECT ? AS s', [text]), /lone surrogate/);
      });
      assert.deepEqual(
        sent.filter((sql) => !sql.startsWith('SELECT')),
        [],
        `nothing written for ${JSON.stringify(text)}`,
      );
    }
    assert.equal(await config.count('exact_texts'), 0);
  });
});

describeEachBackend('exact values: lengths and ranges', (db) => {
  beforeEach(async () => {
    await createTable(db.pool, 'exact_ranges', {
      id: 'pk',
      code: 'string(5)',
      fixed: 'char(3)',
      small: 'int',
      big: 'bigint',
    });
  });

  it('stores values at the limits of their columns exactly', async () => {
    for (const values of [
      { code: 'abcde', fixed: 'abc', small: 2_147_483_647, big: INT64_MAX },
      { code: '😀😀😀😀😀', fixed: '𝄞𝄞𝄞', small: -2_147_483_648, big: INT64_MIN },
      { code: 'e\u0301e\u0301e', fixed: '', small: 0, big: 0 },
    ]) {
      const sample = await RangeSample.create(values);
      const found = await RangeSample.find(sample.id ?? 0);
      assert.deepEqual([found?.code, found?.small, found?.big], [values.code, values.small, values.big]);
      // CHAR(n) pads on the servers, where PostgreSQL reads the spaces back and MySQL strips them.
      assert.equal(found?.fixed?.trimEnd(), values.fixed);
    }
  });

  it('refuses, in save() and before sending, a string longer than its VARCHAR(n)/CHAR(n) or an integer it cannot hold', async () => {
    const refused: Record<string, unknown>[] = [
      { code: 'abcdef' },
      { code: 'abcd  ' },
      { code: '😀'.repeat(6) },
      { fixed: 'abcd' },
      { big: INT64_MAX + 1n },
      { big: INT64_MIN - 1n },
      { big: 2 ** 63 },
      { small: 1.5 },
      { big: -0.25 },
    ];
    await RangeSample.columns(); // read once, so that what follows sends nothing at all
    for (const values of refused) {
      const sent = await dataStatementsOf(db.pool, async () => {
        const error = await rejection(RangeSample.create(values));
        assert.ok(
          error instanceof ValueOutOfRangeError,
          `${String(error)} for ${String(Object.values(values)[0])}`,
        );
        assert.ok(error instanceof QueryError);
        assert.equal(error.code, undefined, 'refused by Twistar, not by the database');
        assert.match(error.sql, /^INSERT INTO/);
      });
      assert.deepEqual(sent, [], 'nothing was sent');
    }
    const sample = await RangeSample.create({ code: 'ok', big: 1 });
    sample.code = 'too long';
    await assert.rejects(sample.save(), ValueOutOfRangeError);
    await sample.refresh();
    assert.equal(sample.code, 'ok');
    await assert.rejects(
      RangeSample.createMany([{ code: 'fine' }, { code: 'way too long' }]),
      ValueOutOfRangeError,
    );
    assert.equal(await RangeSample.count(), 1);
  });

  it('types the database refusing a value too long or out of range as ValueOutOfRangeError, never truncating', async () => {
    const config = Registry.getConfig();
    // No database binds a bigint beyond 64 bits to a BIGINT column.
    const beyond = await rejection(config.insert('exact_ranges', { big: INT64_MAX + 1n }));
    assert.ok(beyond instanceof ValueOutOfRangeError, String(beyond));
    for (const values of [{ code: 'abcdef' }, { small: 2 ** 31 }, { small: -(2 ** 31) - 1 }]) {
      if (ENFORCES_COLUMN_TYPES.has(db.name)) {
        const error = await rejection(config.insert('exact_ranges', values));
        assert.ok(error instanceof ValueOutOfRangeError, String(error));
        assert.ok(
          ['22001', '22003', 'ER_DATA_TOO_LONG', 'ER_WARN_DATA_OUT_OF_RANGE'].includes(error.code ?? ''),
        );
      } else {
        // SQLite keeps the value whole: not what the declared type says, but nothing is lost.
        const id = (await config.insert('exact_ranges', values)) ?? 0;
        const row = await config.select('exact_ranges', { id, select: Object.keys(values) });
        assert.deepEqual(row, values);
      }
    }
    assert.equal(await config.count('exact_ranges'), ENFORCES_COLUMN_TYPES.has(db.name) ? 0 : 3);
  });
});

/**
 * Instants around which code that goes through local time breaks: before 1970, after 2038, and the DST changes of
 * the zones the suites run in.
 */
const INSTANTS = [
  '1900-01-01T00:00:00.000Z',
  '1969-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00.000Z',
  '1970-01-01T00:00:00.001Z',
  '2038-01-19T03:14:08.000Z',
  // America/New_York: 02:00 EST becomes 03:00 EDT; 02:00 EDT becomes 01:00 EST, so 01:30 happens twice.
  '2024-03-10T06:59:59.999Z',
  '2024-03-10T07:00:00.000Z',
  '2024-11-03T05:30:00.000Z',
  '2024-11-03T06:00:00.000Z',
  '2024-11-03T06:30:00.000Z',
  // Pacific/Chatham: 03:45 +13:45 becomes 02:45 +12:45, and back in September.
  '2024-04-06T13:59:59.999Z',
  '2024-04-06T14:00:00.000Z',
  '2024-09-28T14:00:00.000Z',
  // America/Sao_Paulo's last DST (2018–19); America/St_Johns's spring change.
  '2018-11-04T03:00:00.000Z',
  '2019-02-17T02:00:00.000Z',
  '2024-03-10T05:30:00.000Z',
];

const DAYS = [
  '1900-01-01',
  '1969-12-31',
  '1970-01-01',
  '2024-02-29',
  '2024-03-10',
  '2024-04-07',
  '2024-11-03',
];

/** A date-time the low-level interface read: a Date, or SQLite's UTC text. */
function isoOf(value: unknown): string {
  // SQLite's text has its milliseconds only when they are not zero.
  return value instanceof Date
    ? value.toISOString()
    : new Date(`${String(value).replace(' ', 'T')}Z`).toISOString();
}

describeEachBackend('exact values: dates under the process time zone', (db) => {
  beforeEach(async () => {
    await createTable(db.pool, 'exact_moments', { id: 'pk', at: 'datetime', day: 'date' });
  });

  it('runs in the zone TWISTAR_TEST_TZ names', () => {
    assert.equal(process.env.TZ, process.env.TWISTAR_TEST_TZ ?? 'America/St_Johns');
  });

  it('keeps every instant to the millisecond, before 1970 and across DST changes', async () => {
    const config = Registry.getConfig();
    for (const iso of INSTANTS) {
      const instant = new Date(iso);
      const moment = await Moment.create({ at: instant, day: instant });
      const found = await Moment.find(moment.id ?? 0);
      assert.equal(found?.at?.toISOString(), iso);
      assert.equal((found?.day as Date | undefined)?.toISOString(), `${iso.slice(0, 10)}T00:00:00.000Z`);
      assert.deepEqual(
        (await Moment.findBy({ at: new Date(iso) })).map((match) => match.id),
        [moment.id],
      );
      const id = (await config.insert('exact_moments', { at: instant })) ?? 0;
      assert.equal(isoOf((await config.select('exact_moments', { id }))?.at), iso);
    }
  });

  it('keeps the calendar day of a DATE, given as text or as a Date in that UTC day', async () => {
    for (const day of DAYS) {
      for (const given of [day, new Date(`${day}T00:00:00.000Z`), new Date(`${day}T23:59:59.999Z`)]) {
        const moment = await Moment.create({ day: given });
        const found = await Moment.find(moment.id ?? 0);
        assert.ok(found?.day instanceof Date);
        assert.equal(found.day.toISOString(), `${day}T00:00:00.000Z`, `${String(given)} keeps ${day}`);
      }
      assert.equal((await Moment.findBy({ day: new Date(`${day}T12:00:00Z`) })).length, 3);
    }
  });
});
