import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { before } from 'node:test';
import {
  DBObject,
  DBObjectSaveError,
  InvalidQueryError,
  InvalidValueError,
  MassAssignmentError,
  Registry,
  ValidationError,
  connect,
  transaction,
} from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { refused, statementsOf } from '../support/query-models.js';
import { createTable, dropTable, useTables } from '../support/schema.js';

/*
 * Upserts (issue 15): User.upsert(values, { uniqueBy }) and upsertMany, one atomic statement per chunk, with the
 * model's validations and hooks, and concurrent upserts of one key never failing.
 */

const events: string[] = [];

class Account extends DBObject {
  static override TABLENAME = 'upsert_accounts';
  static override GUARDED = ['is_admin'];
  declare id: number;
  declare email: string;
  declare handle: string | null;
  declare name: string | null;
  declare visits: number | null;
  declare is_admin: boolean | null;
  declare created_at: Date;
  declare updated_at: Date;

  override beforeSave() {
    events.push(`beforeSave ${this.email}`);
    return this.name !== 'cancel';
  }
  override afterCreate() {
    events.push(`afterCreate ${this.email}`);
  }
  override afterUpdate() {
    events.push(`afterUpdate ${this.email}`);
  }
  override afterSave() {
    events.push(`afterSave ${this.email} #${this.id}`);
  }
}
Account.validatesUniquenessOf('email', 'handle');
Account.validatesLengthOf('name', { range: [0, 20], allowNull: true });

class Membership extends DBObject {
  static override TABLENAME = 'upsert_memberships';
  declare id: number;
  declare team: string;
  declare member: string;
  declare role: string | null;
}

Registry.register(Account, Membership);

const TABLES = {
  upsert_accounts: {
    id: 'pk',
    email: 'string(100) not null unique',
    handle: 'string(50) unique',
    name: 'string(50)',
    visits: 'int default 0',
    is_admin: 'bool',
    created_at: 'datetime',
    updated_at: 'datetime',
  },
  upsert_memberships: {
    id: 'pk',
    team: 'string(20) not null',
    member: 'string(20) not null',
    role: 'string(20)',
  },
};

const RACER = fileURLToPath(new URL('../support/upsert-racer.ts', import.meta.url));

/** Runs the racer in a process of its own; resolves with how many rows it created. */
function racer(url: string, count: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', RACER, url, 'upsert_accounts', String(count)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`the racer failed (${String(code)}): ${err}`));
      else resolve((JSON.parse(out) as { created: number }).created);
    }),
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachBackend('upsert', (db) => {
  useTables(db, TABLES, async () => {
    events.length = 0;
  });
  before(async () => {
    await db.pool.runOperation(
      'CREATE UNIQUE INDEX upsert_memberships_key ON upsert_memberships (team, member)',
    );
    Registry.getConfig(db.pool).forgetColumns('upsert_memberships');
  });

  const rows = async () =>
    (await Account.find({ orderBy: 'id' })).map((a) => [a.email, a.name, a.visits] as const);

  it('inserts a new key and updates an existing one, each object holding the row as stored', async () => {
    const first = await Account.upsert({ email: 'ann@x.org', name: 'Ann' }, { uniqueBy: ['email'] });
    assert.equal(first.created, true);
    assert.ok(first.record instanceof Account);
    assert.equal(typeof first.record.id, 'number');
    assert.equal(first.record.visits, 0, 'the column default is read back');
    assert.equal(first.record.isNewRecord(), false);
    const createdAt = first.record.created_at;
    await sleep(5);
    const second = await Account.upsert(
      { email: 'ann@x.org', name: 'Annie', visits: 3 },
      { uniqueBy: ['email'] },
    );
    assert.equal(second.created, false);
    assert.equal(second.record.id, first.record.id);
    assert.equal(second.record.name, 'Annie');
    assert.equal(second.record.visits, 3);
    assert.equal(second.record.created_at.getTime(), createdAt.getTime(), 'created_at is kept on update');
    assert.ok(second.record.updated_at.getTime() > createdAt.getTime(), 'updated_at moves on update');
    assert.deepEqual(await rows(), [['ann@x.org', 'Annie', 3]]);
    // The object is an ordinary saved record: a change saves as an UPDATE.
    second.record.name = 'Ann B';
    await second.record.save();
    assert.deepEqual(await rows(), [['ann@x.org', 'Ann B', 3]]);
  });

  it('runs validations and beforeSave first, then afterCreate or afterUpdate, then afterSave', async () => {
    const { record } = await Account.upsert({ email: 'a@x', name: 'A' }, { uniqueBy: ['email'] });
    await Account.upsert({ email: 'a@x', name: 'B' }, { uniqueBy: ['email'] });
    assert.deepEqual(events, [
      'beforeSave a@x',
      'afterCreate a@x',
      `afterSave a@x #${record.id}`,
      'beforeSave a@x',
      'afterUpdate a@x',
      `afterSave a@x #${record.id}`,
    ]);
    // A before-hook that cancels: nothing written.
    await assert.rejects(
      Account.upsert({ email: 'c@x', name: 'cancel' }, { uniqueBy: ['email'] }),
      DBObjectSaveError,
    );
    assert.equal(await Account.count(), 1);
  });

  it("a uniqueness validation of the key's columns does not apply; of other columns it counts other rows only", async () => {
    await Account.upsert({ email: 'a@x', handle: 'ann' }, { uniqueBy: ['email'] });
    await Account.upsert({ email: 'b@x', handle: 'bob' }, { uniqueBy: ['email'] });
    // The row being updated already holds handle "ann": that is no duplicate.
    const again = await Account.upsert({ email: 'a@x', handle: 'ann', name: 'Ann' }, { uniqueBy: ['email'] });
    assert.equal(again.created, false);
    // Another row's handle is.
    const error = await Account.upsert({ email: 'a@x', handle: 'bob' }, { uniqueBy: ['email'] }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof ValidationError, String(error));
    assert.deepEqual(error.errors.errorsFor('handle'), ['Handle is not unique.']);
    const invalid = await Account.upsert(
      { email: 'c@x', name: 'x'.repeat(30) },
      { uniqueBy: ['email'] },
    ).catch((caught: unknown) => caught);
    assert.ok(invalid instanceof ValidationError);
    assert.equal(await Account.count(), 2);
  });

  it('update: names the columns a conflicting row takes; [] leaves it as it is', async () => {
    await Account.upsert({ email: 'a@x', name: 'Ann', visits: 1 }, { uniqueBy: ['email'] });
    const some = await Account.upsert(
      { email: 'a@x', name: 'Zed', visits: 9 },
      { uniqueBy: ['email'], update: ['visits'] },
    );
    assert.equal(some.created, false);
    assert.deepEqual([some.record.name, some.record.visits], ['Ann', 9]);
    const none = await Account.upsert(
      { email: 'a@x', name: 'Zed', visits: 5 },
      { uniqueBy: ['email'], update: [] },
    );
    assert.equal(none.created, false);
    assert.deepEqual([none.record.name, none.record.visits], ['Ann', 9]);
    assert.deepEqual(await rows(), [['a@x', 'Ann', 9]]);
    const fresh = await Account.upsert({ email: 'b@x', name: 'Bob' }, { uniqueBy: ['email'], update: [] });
    assert.equal(fresh.created, true);
    assert.equal(await Account.count(), 2);
  });

  it('refuses, with nothing sent, a key that is not unique, unknown columns and options, keys without a value', async () => {
    await Account.upsert({ email: 'a@x', name: 'Ann' }, { uniqueBy: ['email'] });
    const keys = async (work: () => Promise<unknown>, error: abstract new (...args: never[]) => Error) => {
      const outcome = await work().catch((caught: unknown) => caught);
      assert.ok(outcome instanceof error, String(outcome));
      return outcome;
    };
    const notUnique = await keys(
      () => Account.upsert({ email: 'a@x', name: 'Ann' }, { uniqueBy: ['name'] }),
      InvalidQueryError,
    );
    assert.match(String(notUnique), /not a unique key of "upsert_accounts".*\(email\)/);
    await keys(() => Account.upsert({ email: 'a@x' }, { uniqueBy: ['email', 'name'] }), InvalidQueryError);
    await refused(
      db.pool,
      // @ts-expect-error -- a misspelled column
      () => Account.upsert({ email: 'a@x' }, { uniqueBy: ['emial'] }),
      InvalidQueryError,
      'misspelled',
    );
    await refused(
      db.pool,
      // @ts-expect-error -- an unknown option
      () => Account.upsert({ email: 'a@x' }, { uniqueBy: ['email'], onConflict: 'x' }),
      InvalidQueryError,
      'option',
    );
    await refused(
      db.pool,
      () => Account.upsert({ name: 'no key' }, { uniqueBy: ['email'] }),
      InvalidValueError,
      'no key',
    );
    await refused(
      db.pool,
      () => Account.upsert({ email: 'a@x', is_admin: true }, { uniqueBy: ['email'] }),
      MassAssignmentError,
      'guarded',
    );
    await refused(
      db.pool,
      () => Account.upsert({ email: 'a@x' }, { uniqueBy: [] }),
      InvalidQueryError,
      'empty',
    );
    await refused(
      db.pool,
      () => Account.upsert({ email: 'a@x' }, { uniqueBy: ['email'], update: ['name'] }),
      InvalidQueryError,
      'update of a column not given',
    );
    assert.deepEqual(await rows(), [['a@x', 'Ann', 0]]);
  });

  it('a unique key of several columns', async () => {
    const one = await Membership.upsert(
      { team: 'red', member: 'ann', role: 'dev' },
      { uniqueBy: ['team', 'member'] },
    );
    const two = await Membership.upsert(
      { team: 'blue', member: 'ann', role: 'ops' },
      { uniqueBy: ['member', 'team'] },
    );
    const three = await Membership.upsert(
      { team: 'red', member: 'ann', role: 'lead' },
      { uniqueBy: ['team', 'member'] },
    );
    assert.deepEqual([one.created, two.created, three.created], [true, true, false]);
    assert.equal(three.record.id, one.record.id);
    assert.deepEqual(
      (await Membership.find({ orderBy: 'id' })).map((m) => [m.team, m.member, m.role]),
      [
        ['red', 'ann', 'lead'],
        ['blue', 'ann', 'ops'],
      ],
    );
  });

  it('another unique key than uniqueBy conflicting leaves every row as it was', async () => {
    await Account.upsert({ email: 'a@x', handle: 'ann', name: 'Ann' }, { uniqueBy: ['email'] });
    // Past the validation: the other row's handle is written by the low-level interface meanwhile.
    class Unvalidated extends DBObject {
      static override TABLENAME = 'upsert_accounts';
    }
    Registry.register(Unvalidated);
    const error = await Unvalidated.upsert(
      { email: 'b@x', handle: 'ann', name: 'Bob' },
      { uniqueBy: ['email'] },
    ).catch((caught: unknown) => caught);
    // MySQL's ON DUPLICATE KEY acts on any unique key: Twistar finds the row it wrote is not the key's and undoes
    // it; PostgreSQL and SQLite refuse the row (their ON CONFLICT names one key). Either way, that key's error.
    assert.ok(error instanceof ValidationError, String(error));
    assert.deepEqual(error.errors.errorsFor('handle'), ['Handle is not unique.']);
    assert.deepEqual(await rows(), [['a@x', 'Ann', 0]]);
    // In a transaction, the refusal undoes only the upsert: the transaction goes on.
    await transaction(async () => {
      await Unvalidated.upsert({ email: 'b@x', handle: 'ann' }, { uniqueBy: ['email'] }).catch(
        () => undefined,
      );
      await Account.upsert({ email: 'c@x', name: 'Cid' }, { uniqueBy: ['email'] });
    });
    assert.deepEqual(await rows(), [
      ['a@x', 'Ann', 0],
      ['c@x', 'Cid', 0],
    ]);
  });

  it('upsertMany: one transaction, chunked, counting inserts and updates, the records in order', async () => {
    await Account.upsertMany(
      [
        { email: 'a@x', name: 'Ann' },
        { email: 'b@x', name: 'Bob' },
      ],
      { uniqueBy: ['email'] },
    );
    const result = await Account.upsertMany(
      [
        { email: 'c@x', name: 'Cid' },
        { email: 'a@x', name: 'Ann 2' },
        { email: 'd@x', name: 'Dee' },
      ],
      { uniqueBy: ['email'] },
    );
    assert.deepEqual([result.created, result.updated], [2, 1]);
    assert.deepEqual(
      result.records.map((r) => [r.email, r.name, typeof r.id]),
      [
        ['c@x', 'Cid', 'number'],
        ['a@x', 'Ann 2', 'number'],
        ['d@x', 'Dee', 'number'],
      ],
    );
    assert.deepEqual(await rows(), [
      ['a@x', 'Ann 2', 0],
      ['b@x', 'Bob', 0],
      ['c@x', 'Cid', 0],
      ['d@x', 'Dee', 0],
    ]);
    // Rows setting different columns, and many of them.
    const many = Array.from({ length: 1200 }, (_, i) =>
      i % 2 === 0 ? { email: `m${i}@x`, name: `M${i}` } : { email: `m${i}@x`, visits: i },
    );
    const big = await Account.upsertMany([...many, { email: 'a@x', visits: 7 }], { uniqueBy: ['email'] });
    assert.deepEqual([big.created, big.updated, big.records.length], [1200, 1, 1201]);
    assert.equal(big.records[1200]?.name, 'Ann 2');
    assert.equal(big.records[1200]?.visits, 7);
    assert.equal(await Account.count(), 1204);
  });

  it('refuses a lock version in the values, and names upsert in its messages', async () => {
    class Versioned extends DBObject {
      static override TABLENAME = 'upsert_versioned';
    }
    Registry.register(Versioned);
    await createTable(db.pool, 'upsert_versioned', {
      id: 'pk',
      code: 'string(10) not null unique',
      n: 'int',
      lock_version: 'int not null default 0',
    });
    try {
      await Versioned.upsert({ code: 'a' }, { uniqueBy: ['code'] });
      const stale = await Versioned.upsert({ code: 'a', lock_version: 0 }, { uniqueBy: ['code'] }).catch(
        (caught: unknown) => caught,
      );
      assert.ok(stale instanceof InvalidQueryError, String(stale));
      assert.match(stale.message, /lock version, which an upsert cannot check/);
      const { record } = await Versioned.upsert({ code: 'a', n: 2 }, { uniqueBy: ['code'] });
      assert.equal(
        (record as unknown as { lock_version: number }).lock_version,
        1,
        'an update bumps the version',
      );
    } finally {
      await dropTable(db.pool, 'upsert_versioned');
    }
    const guarded = await Account.upsert({ email: 'x@x', is_admin: true }, { uniqueBy: ['email'] }).catch(
      (caught: unknown) => caught,
    );
    assert.match(String(guarded), /Account\.upsert\(\) may not set "is_admin"/);
    await assert.rejects(
      Account.upsert(null as never, { uniqueBy: ['email'] }),
      /takes the values as an object, got null/,
    );
  });

  it('upsertMany writes nothing when one row is not valid, is refused, or repeats a key', async () => {
    await Account.upsert({ email: 'a@x', name: 'Ann' }, { uniqueBy: ['email'] });
    await assert.rejects(
      Account.upsertMany([{ email: 'b@x' }, { email: 'c@x', name: 'x'.repeat(30) }], { uniqueBy: ['email'] }),
      DBObjectSaveError,
    );
    await refused(
      db.pool,
      () => Account.upsertMany([{ email: 'b@x' }, { email: 'b@x', name: 'B' }], { uniqueBy: ['email'] }),
      InvalidQueryError,
      'a key twice',
    );
    assert.deepEqual(await rows(), [['a@x', 'Ann', 0]]);
    assert.deepEqual(await Account.upsertMany([], { uniqueBy: ['email'] }), {
      created: 0,
      updated: 0,
      records: [],
    });
  });

  it('concurrent upserts of one key never fail: one creates, the others update', async () => {
    for (let round = 0; round < 5; round++) {
      const email = `race${round}@x`;
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => Account.upsert({ email, visits: i }, { uniqueBy: ['email'] })),
      );
      assert.equal(results.filter((r) => r.created).length, 1, `round ${round}: one created`);
      assert.equal(new Set(results.map((r) => r.record.id)).size, 1, `round ${round}: one row`);
    }
    assert.equal(await Account.count(), 5);
    // Overlapping upsertMany calls over the same new keys.
    const keys = Array.from({ length: 20 }, (_, i) => ({ email: `k${i}@x`, name: 'k' }));
    const batches = await Promise.all(
      [0, 1, 2, 3].map(() => Account.upsertMany(keys, { uniqueBy: ['email'] })),
    );
    assert.equal(
      batches.reduce((sum, b) => sum + b.created, 0),
      20,
    );
    assert.equal(
      batches.reduce((sum, b) => sum + b.updated, 0),
      60,
    );
    assert.equal(await Account.count(), 25);
  });

  it('inside a transaction: rolled back with it, and one statement per chunk where RETURNING tells inserts', async () => {
    await assert.rejects(
      transaction(async () => {
        await Account.upsert({ email: 'a@x' }, { uniqueBy: ['email'] });
        throw new Error('undo');
      }),
    );
    assert.equal(await Account.count(), 0);
    const sent = await statementsOf(db.pool, () => Account.upsert({ email: 'a@x' }, { uniqueBy: ['email'] }));
    const writes = sent.filter((sql) => /^\s*INSERT/i.test(sql));
    assert.equal(writes.length, 1, sent.join('\n'));
    assert.match(
      writes[0] ?? '',
      db.name === 'mysql' ? /ON DUPLICATE KEY UPDATE/ : /ON CONFLICT \("email"\)/,
    );
  });

  it("createMany(rows, { onConflict: 'ignore' }) inserts what does not conflict and says how many", async () => {
    const { record: ann } = await Account.upsert(
      { email: 'a@x', handle: 'ann', name: 'Ann' },
      { uniqueBy: ['email'] },
    );
    events.length = 0;
    class Loose extends DBObject {
      static override TABLENAME = 'upsert_accounts';
      declare id: number;
      declare email: string;
      declare handle: string | null;
    }
    Registry.register(Loose);
    const items = [
      { email: 'b@x', handle: 'bob' },
      { email: 'a@x', handle: 'other' }, // the email is taken
      { email: 'c@x', handle: 'ann' }, // the handle is taken
      { id: ann.id, email: 'd@x' }, // the primary key is taken
      { email: 'e@x' },
    ];
    const result = await Loose.createMany(items, { onConflict: 'ignore' });
    assert.equal(result.created, 2);
    assert.deepEqual(
      result.records.map((r) => r.email),
      ['b@x', 'e@x'],
    );
    for (const record of result.records) assert.equal(typeof record.id, 'number');
    assert.deepEqual(
      (await Account.find({ orderBy: 'id' })).map((a) => a.email),
      ['a@x', 'b@x', 'e@x'],
    );
    // The default still refuses the whole call; other failures are not ignored.
    await assert.rejects(Loose.createMany([{ email: 'f@x' }, { email: 'a@x' }]), DBObjectSaveError);
    await assert.rejects(
      Loose.createMany([{ email: 'g@x', handle: 'x'.repeat(80) }], { onConflict: 'ignore' }),
    );
    // A refusal other than a unique key's is reported on its object, as createMany reports it.
    const missing = Loose.build({ email: null as never });
    const refusedRow = await Loose.createMany([{ email: 'g@x' }, missing], { onConflict: 'ignore' }).catch(
      (caught: unknown) => caught,
    );
    assert.ok(refusedRow instanceof DBObjectSaveError, String(refusedRow));
    assert.match(refusedRow.message, /Loose\.createMany wrote nothing/);
    assert.ok(missing.errors.errorsFor('email').length > 0, missing.errors.toString());
    assert.equal(await Account.count(), 3);
    // After-hooks run for the rows inserted only; the call is one transaction.
    const hooked = await Account.createMany([{ email: 'a@x' }, { email: 'h@x' }], { onConflict: 'ignore' });
    assert.deepEqual(
      hooked.records.map((r) => r.email),
      ['h@x'],
    );
    assert.ok(events.includes('afterCreate h@x') && !events.includes('afterCreate a@x'), events.join(', '));
    await refused(
      db.pool,
      // @ts-expect-error -- not an onConflict choice
      () => Account.createMany([{ email: 'i@x' }], { onConflict: 'update' }),
      InvalidQueryError,
      'onConflict',
    );
  });

  it("createMany(…, { onConflict: 'ignore' }) calls over the same new keys at once all succeed", async () => {
    const keys = Array.from({ length: 20 }, (_, i) => ({ email: `same${i}@x` }));
    const results = await Promise.all([
      Account.createMany(keys, { onConflict: 'ignore' }),
      Account.createMany([...keys].reverse(), { onConflict: 'ignore' }),
      Account.createMany(keys.slice(5), { onConflict: 'ignore' }),
    ]);
    assert.equal(
      results.reduce((sum, r) => sum + r.created, 0),
      20,
    );
    assert.equal(await Account.count(), 20);
  });

  if (db.backend !== 'pglite') {
    // PGlite's database belongs to one process.
    it('two processes upserting the same keys at once: each key created once, nothing fails', async () => {
      // The database both processes reach (for SQLite in memory, a file of its own).
      const shared = connect(db.sharedUrl);
      try {
        if (db.sharedUrl !== db.url) await createTable(shared, 'upsert_accounts', TABLES.upsert_accounts);
        const [a, b] = await Promise.all([racer(db.sharedUrl, 40), racer(db.sharedUrl, 40)]);
        assert.equal((a ?? 0) + (b ?? 0), 40);
        const [row] = await shared.runQuery('SELECT COUNT(*) AS n FROM upsert_accounts');
        assert.equal(Number(row?.n), 40);
      } finally {
        await shared.close();
      }
    });
  }
});
