import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryError, TransactionError, oneOf, transaction, type ConnectionPool } from '../../src/index.js';
import { describeEachBackend, describeEachServer, it } from '../support/backends.js';
import { User, people, refused, seedUsers, useQueryTables } from '../support/query-models.js';

/*
 * Row locks in the query layer (issue 14): forUpdate() and forShare(), with { skipLocked } or { noWait }. On
 * every backend they read the same rows inside a transaction (SQLite's are accepted no-ops: its write
 * transactions hold the database lock); on the servers a second connection shows that they lock.
 */

const ids = (users: readonly { id: number }[]) => users.map((user) => user.id);

describeEachBackend('query locks', (db) => {
  useQueryTables(db, seedUsers);

  it('forUpdate, forShare, skipLocked and noWait read the same rows inside a transaction (on SQLite, accepted no-ops)', async () => {
    const { Ann, Abe, Cid } = people;
    const q = User.where({ last_name: 'Smith' }).orderBy('id');
    await transaction(async () => {
      for (const locked of [
        q.forUpdate(),
        q.forShare(),
        q.forUpdate({ skipLocked: true }),
        q.forUpdate({ noWait: true }),
        q.forShare({ skipLocked: true }),
        q.forShare({ noWait: true }),
        q.forUpdate({}),
      ])
        assert.deepEqual(ids(await locked), [Ann.id, Abe.id, Cid.id]);
      assert.equal((await q.forUpdate().first())?.id, Ann.id);
      assert.equal((await q.forUpdate({ skipLocked: true }).firstOrFail()).id, Ann.id);
    });
  });

  it('a row read forUpdate in a transaction is written back in it', async () => {
    await transaction(async () => {
      const ann = await User.where({ id: people.Ann.id }).forUpdate().firstOrFail();
      ann.age = (ann.age ?? 0) + 1;
      await ann.save();
    });
    assert.equal((await User.find(people.Ann.id))?.age, 31);
  });

  it('refuses skipLocked with noWait, and lock options it does not know, before sending', async () => {
    const q = User.query();
    // Outside a transaction, so that not even a BEGIN is sent.
    await refused(db.pool, () => q.forUpdate({ skipLocked: true, noWait: true }).all());
    await refused(db.pool, () => q.forShare({ skipLocked: true, noWait: true }).all());
    for (const options of [
      { skiplocked: true },
      { wait: false },
      { noWait: 'yes' },
      { skipLocked: 1 },
      'nowait',
    ])
      await refused(db.pool, () => q.forUpdate(options as never).all(), undefined, JSON.stringify(options));
  });
});

describeEachServer('query locks across connections', (db) => {
  useQueryTables(db, seedUsers);

  let other: ConnectionPool | undefined;
  const pool = () => (other ??= db.openPool());

  /** Runs `work` while a transaction of the other pool holds the rows `lockSql` reads. */
  async function whileHeld<T>(
    lockSql: string,
    params: readonly unknown[],
    work: () => Promise<T>,
  ): Promise<T> {
    const holderPool = pool();
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const holder = holderPool.runInteraction(async () => {
      await holderPool.runQuery(lockSql, params);
      locked();
      await released;
    });
    try {
      await Promise.race([isLocked, holder]);
      return await work();
    } finally {
      release();
      await holder;
    }
  }

  it('forUpdate({ skipLocked: true }) and forShare({ skipLocked: true }) pass over rows another connection holds', async () => {
    const { Ann, Abe, Cid } = people;
    await whileHeld('SELECT id FROM query_users WHERE id = ? FOR UPDATE', [Ann.id], async () => {
      const q = User.where({ last_name: 'Smith' }).orderBy('id');
      assert.deepEqual(ids(await transaction(() => q.forUpdate({ skipLocked: true }).all())), [
        Abe.id,
        Cid.id,
      ]);
      assert.deepEqual(ids(await transaction(() => q.forShare({ skipLocked: true }).all())), [
        Abe.id,
        Cid.id,
      ]);
      assert.equal((await transaction(() => q.forUpdate({ skipLocked: true }).first()))?.id, Abe.id);
      assert.deepEqual(ids(await q), [Ann.id, Abe.id, Cid.id], 'a read without a lock sees every row');
    });
  });

  it("forUpdate and forShare lock: another connection's SKIP LOCKED read passes over the rows they read", async () => {
    const others = ids(await User.where({ last_name: 'Jones' }).orderBy('id'));
    for (const lock of ['update', 'share'] as const) {
      await transaction(async () => {
        // By key: InnoDB locks every row a scan examines, so a condition on an unindexed column would lock them all.
        const jones = User.where({ id: oneOf(others) });
        const read = lock === 'update' ? await jones.forUpdate() : await jones.forShare();
        assert.equal(read.length, 2);
        const free = await pool().runQuery('SELECT id FROM query_users ORDER BY id FOR UPDATE SKIP LOCKED');
        const freeIds = free.map((row) => Number(row.id));
        for (const id of others) assert.ok(!freeIds.includes(id), `${lock}: row ${id} is locked`);
        assert.equal(freeIds.length, 7 - 2);
      });
    }
  });

  it('forUpdate({ noWait: true }) fails at once with a typed error when another connection holds the row', async () => {
    const { Ann } = people;
    let attempt: Promise<unknown> | undefined;
    await whileHeld('SELECT id FROM query_users WHERE id = ? FOR UPDATE', [Ann.id], async () => {
      const started = Date.now();
      attempt = transaction(() => User.where({ id: Ann.id }).forUpdate({ noWait: true }).all()).then(
        () => 'read the locked row',
        (error: unknown) => error,
      );
      const outcome = await Promise.race([attempt, sleep(3_000, 'waited for the lock')]);
      assert.notEqual(outcome, 'waited for the lock');
      assert.ok(Date.now() - started < 3_000);
      const error = outcome instanceof TransactionError ? outcome.cause : outcome;
      assert.ok(error instanceof QueryError, `a typed error, got ${String(error)}`);
    });
    await attempt;
  });

  it('skipLocked hands two workers taking "the first free row" different rows', async () => {
    let arrived = 0;
    let open!: () => void;
    const barrier = new Promise<void>((resolve) => (open = resolve));
    const take = () =>
      transaction(async () => {
        const job = await User.where({ last_name: 'Smith' })
          .orderBy('id')
          .forUpdate({ skipLocked: true })
          .first();
        if (++arrived === 2) open();
        await Promise.race([barrier, sleep(2_000)]);
        return job?.id;
      });
    const [first, second] = await Promise.all([take(), take()]);
    assert.ok(first !== undefined && second !== undefined);
    assert.notEqual(first, second);
    assert.deepEqual([first, second].sort(), [people.Ann.id, people.Abe.id].sort());
  });
});
