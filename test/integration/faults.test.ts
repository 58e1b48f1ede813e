import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach } from 'node:test';
import {
  CommitOutcomeUnknownError,
  ConnectionError,
  ConnectionLostError,
  DBObject,
  DeadlockError,
  SerializationError,
  Registry,
  StatementTimeoutError,
  TransactionError,
  isRetryable,
  transaction,
  type ConnectionPool,
} from '../../src/index.js';
import {
  describeEachBackend,
  describeEachServer,
  describeOn,
  type BackendContext,
  it,
} from '../support/backends.js';
import { createTable } from '../support/schema.js';

class Item extends DBObject {
  static override TABLENAME = 'fault_items';
  declare tag: string;
  declare n: number | null;
  /** Set by the soak test: the hook throws for n = -1, the validation for n = -2. */
  static faulty = false;

  override async beforeSave(): Promise<void> {
    if (Item.faulty && this.n === -1) throw new Error('hook failed');
  }
}
Item.addValidator((item: Item) => {
  if (Item.faulty && item.n === -2) throw new Error('validator failed');
});
Registry.register(Item);

async function createTables(pool: ConnectionPool): Promise<void> {
  await createTable(pool, 'fault_items', { id: 'pk', tag: 'string not null', n: 'int' });
  await createTable(pool, 'fault_counters', { id: 'pk', n: 'int not null' });
  await pool.runOperation('INSERT INTO fault_counters (id, n) VALUES (1, 0)');
}

type Server = 'postgres' | 'mysql';

/** What the servers spell differently, in one place. */
const SERVER_SQL: Record<
  Server,
  {
    /** The ids of the sessions on this database, except the asking one. */
    readonly sessions: string;
    /** Ends session `id`. */
    readonly kill: (pool: ConnectionPool, id: number) => Promise<unknown>;
    /** Reads and changes the session's time zone. */
    readonly zone: { readonly read: string; readonly set: string };
    /** Opens a transaction by hand, behind the pool's back. */
    readonly begin: string;
    /** Sleeps 5 s, and finds such a statement running on this database. */
    readonly sleep: { readonly run: string; readonly running: string };
    /** Runs a 2 s statement under a server-side statement timeout of 100 ms. */
    readonly timedOut: (pool: ConnectionPool) => Promise<unknown>;
  }
> = {
  postgres: {
    sessions:
      "SELECT pid AS id FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
    kill: (pool, id) => pool.runQuery('SELECT pg_terminate_backend(?)', [id]),
    zone: { read: "SELECT current_setting('TimeZone') AS zone", set: "SET TIME ZONE 'Asia/Tokyo'" },
    begin: 'BEGIN',
    sleep: {
      run: 'SELECT pg_sleep(5)',
      running:
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE 'SELECT pg_sleep%'",
    },
    timedOut: (pool) =>
      transaction(async () => {
        await pool.runOperation('SET LOCAL statement_timeout = 100');
        await pool.runQuery('SELECT pg_sleep(2)');
      }, pool),
  },
  mysql: {
    sessions:
      'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()',
    // KILL takes no parameters; the id is a number read from the server.
    kill: (pool, id) => pool.runOperation(`KILL CONNECTION ${Math.trunc(id)}`).catch(() => undefined),
    zone: { read: 'SELECT @@session.time_zone AS zone', set: "SET time_zone = '+09:00'" },
    begin: 'START TRANSACTION',
    sleep: {
      run: 'SELECT SLEEP(5) AS s',
      running:
        "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND INFO LIKE 'SELECT SLEEP%'",
    },
    timedOut: (pool) => pool.runQuery('SET STATEMENT max_statement_time = 0.1 FOR SELECT SLEEP(2) AS s'),
  },
};

/** This pool's server's entry of SERVER_SQL. */
function serverSql(pool: ConnectionPool): (typeof SERVER_SQL)[Server] {
  return SERVER_SQL[pool.dialect.name as Server];
}

/** The server-side ids of the sessions on this database, except the asking one. */
async function sessions(killer: ConnectionPool): Promise<number[]> {
  const rows = await killer.runQuery(serverSql(killer).sessions);
  return rows.map((row) => Number(row.id));
}

async function kill(killer: ConnectionPool, id: number): Promise<void> {
  await serverSql(killer).kill(killer, id);
}

/** Terminates every session of the pool under test and waits until the server has ended them. */
async function killAll(killer: ConnectionPool): Promise<number> {
  const ids = await sessions(killer);
  for (const id of ids) await kill(killer, id);
  for (let waited = 0; waited < 5_000; waited += 10) {
    const left = await sessions(killer);
    if (!ids.some((id) => left.includes(id))) break;
    await sleep(10);
  }
  await sleep(5); // one turn for the clients to read the server's goodbye
  return ids.length;
}

/** Errors that work running on a killed connection may end with; anything else is a bug. */
function isConnectionFault(error: unknown): boolean {
  if (error instanceof CommitOutcomeUnknownError || error instanceof ConnectionError) return true;
  for (let current = error; current instanceof Error; current = current.cause)
    if (current instanceof ConnectionLostError) return true;
  return false;
}

/** One unit of the load: three rows tagged `tag` and the counter bumped, in one transaction. */
function tagged(tag: string): Promise<void> {
  return transaction(async () => {
    const config = Registry.getConfig();
    for (let i = 0; i < 3; i++) await config.insert('fault_items', { tag, n: i });
    await config.pool.runOperation('UPDATE fault_counters SET n = n + 1 WHERE id = 1');
  });
}

describeEachServer('faults: killed connections', (db) => {
  let killer: ConnectionPool;

  beforeEach(async () => {
    await createTables(db.pool);
    killer ??= db.openPool({ max: 1 });
  });

  it('serves the next queries after every connection of a warm pool was killed', async () => {
    // Five transactions at once leave five connections open and idle.
    await Promise.all(
      Array.from({ length: 5 }, () =>
        transaction(async () => {
          await Item.count();
          await sleep(20);
        }),
      ),
    );
    assert.ok(db.pool.stats.open >= 5);
    assert.ok((await killAll(killer)) >= 5);
    const reads = Array.from({ length: 10 }, () => Item.count());
    const writes = Array.from({ length: 5 }, (_, i) => Item.create({ tag: 'after', n: i }));
    const inTransactions = Array.from({ length: 5 }, (_, i) => tagged(`t${i}`));
    await Promise.all([...reads, ...writes, ...inTransactions]);
    assert.equal(await Item.count(), 5 + 15);
    const { open, max, inUse, waiting } = db.pool.stats;
    assert.ok(open <= max, `${open} connections open, at most ${max}`);
    assert.deepEqual({ inUse, waiting }, { inUse: 0, waiting: 0 });
  });

  it('retries reads that meet a connection killed a moment before', async () => {
    await Promise.all(Array.from({ length: 4 }, () => transaction(() => sleep(10))));
    // No waiting for the server here: the reads may reach connections the server is still closing.
    const ids = await sessions(killer);
    await Promise.all(ids.map((id) => kill(killer, id)));
    const counts = await Promise.all(Array.from({ length: 8 }, () => Item.count()));
    assert.deepEqual(counts, Array<number>(8).fill(0));
  });

  it('loses no acknowledged commit while connections are killed under load', async (t) => {
    const outcome = new Map<string, 'committed' | 'failed' | 'unknown'>();
    let stop = false;
    let kills = 0;
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const tag = `w${w}-${i}`;
        try {
          await tagged(tag);
          outcome.set(tag, 'committed');
        } catch (error) {
          assert.ok(isConnectionFault(error), `unexpected failure: ${String(error)}`);
          outcome.set(tag, error instanceof CommitOutcomeUnknownError ? 'unknown' : 'failed');
        }
      }
    };
    const killing = (async () => {
      while (kills < 100) {
        await sleep(40 + Math.random() * 80);
        const ids = await sessions(killer);
        const victim = ids[Math.floor(Math.random() * ids.length)];
        if (victim === undefined) continue;
        await kill(killer, victim);
        kills++;
      }
      stop = true;
    })();
    await Promise.all([killing, worker(1), worker(2), worker(3), worker(4)]);

    // Service is back at once: the first transactions after the last kill succeed.
    const started = performance.now();
    for (let i = 0; i < 10; i++) await tagged(`after-${i}`);
    t.diagnostic(`10 transactions right after the last kill: ${(performance.now() - started).toFixed(0)} ms`);

    const rows = await Registry.getConfig().pool.runQuery(
      'SELECT tag, COUNT(*) AS found FROM fault_items GROUP BY tag',
    );
    const present = new Map(rows.map((row) => [String(row.tag), Number(row.found)]));
    let committed = 0;
    for (const [tag, state] of outcome) {
      const count = present.get(tag) ?? 0;
      if (state === 'committed') assert.equal(count, 3, `acknowledged ${tag} has ${count} of 3 rows`);
      else if (state === 'failed')
        assert.equal(count, 0, `${tag} failed before COMMIT but has ${count} rows`);
      else assert.ok(count === 0 || count === 3, `${tag} (outcome unknown) has ${count} of 3 rows`);
      if (count === 3) committed++;
    }
    const [counter] = await db.pool.runQuery('SELECT n FROM fault_counters WHERE id = 1');
    assert.equal(Number(counter?.n), committed + 10);
    const failures = [...outcome.values()].filter((state) => state !== 'committed').length;
    t.diagnostic(`${kills} kills, ${outcome.size} transactions, ${failures} failed on a killed connection`);
    assert.ok(outcome.size > kills, 'the workers kept running');
    const { inUse, waiting } = db.pool.stats;
    assert.deepEqual({ inUse, waiting }, { inUse: 0, waiting: 0 });
  });
});

describeEachServer('faults: poisoned connections', (db) => {
  beforeEach(() => createTables(db.pool));

  const zoneQuery = (pool: ConnectionPool) => pool.runQuery(serverSql(pool).zone.read);

  it('never lends out a connection whose session settings were changed', async () => {
    const [before] = await zoneQuery(db.pool);
    const set = serverSql(db.pool).zone.set;
    await db.pool.runOperation(set);
    await transaction(() => db.pool.runOperation(set));
    const zones = await Promise.all(Array.from({ length: 12 }, () => zoneQuery(db.pool)));
    for (const [row] of zones) assert.equal(row?.zone, before?.zone);
    // Dates still round-trip in UTC.
    const at = new Date(Date.UTC(2024, 5, 1, 12, 0, 0));
    const [read] = await db.pool.runQuery('SELECT ? AS at', [at]);
    assert.equal(new Date(read?.at as Date).getTime(), at.getTime());
  });

  it('never lends out a connection left inside a transaction', async () => {
    await db.pool.runOperation(serverSql(db.pool).begin);
    for (let i = 0; i < 5; i++) await Registry.getConfig().insert('fault_items', { tag: 'seen', n: i });
    const other = db.openPool({ max: 1 });
    const [seen] = await other.runQuery("SELECT COUNT(*) AS n FROM fault_items WHERE tag = 'seen'");
    assert.equal(Number(seen?.n), 5, 'each insert was committed on a clean connection');
  });

  it('leaves nothing open after a transaction whose statement failed', async () => {
    await assert.rejects(
      transaction(async () => {
        await Registry.getConfig().insert('fault_items', { tag: 'x', n: 1 });
        await db.pool.runQuery('SELECT * FROM no_such_table').catch(() => undefined);
      }),
      TransactionError,
    );
    const results = await Promise.all(Array.from({ length: 10 }, () => Item.count()));
    assert.deepEqual(results, Array<number>(10).fill(0));
  });
});

describeEachServer('faults: deadlocks and timeouts', (db) => {
  beforeEach(async () => {
    await createTables(db.pool);
    await db.pool.runOperation('INSERT INTO fault_counters (id, n) VALUES (2, 0)');
  });

  it('types a deadlock as retryable, and transaction({ retries }) runs the loser again', async () => {
    let attempts = 0;
    const bump = (first: number, second: number, barrier: Promise<void>, arrive: () => void) =>
      transaction(
        async () => {
          attempts++;
          await db.pool.runOperation('UPDATE fault_counters SET n = n + 1 WHERE id = ?', [first]);
          arrive();
          await Promise.race([barrier, sleep(500)]);
          await db.pool.runOperation('UPDATE fault_counters SET n = n + 1 WHERE id = ?', [second]);
        },
        { retries: 3, retryDelayMs: 10 },
      );
    let arrived = 0;
    let open!: () => void;
    const barrier = new Promise<void>((resolve) => (open = resolve));
    const arrive = () => {
      if (++arrived === 2) open();
    };
    await Promise.all([bump(1, 2, barrier, arrive), bump(2, 1, barrier, arrive)]);
    assert.ok(
      attempts >= 3,
      `one of the two was chosen as the deadlock victim and ran again (${attempts} runs)`,
    );
    const rows = await db.pool.runQuery('SELECT n FROM fault_counters ORDER BY id');
    assert.deepEqual(
      rows.map((row) => Number(row.n)),
      [2, 2],
    );

    // Without retries the victim's error is typed.
    arrived = 0;
    let reopen!: () => void;
    const again = new Promise<void>((resolve) => (reopen = resolve));
    const arriveAgain = () => {
      if (++arrived === 2) reopen();
    };
    const plain = (first: number, second: number) =>
      transaction(async () => {
        await db.pool.runOperation('UPDATE fault_counters SET n = n + 1 WHERE id = ?', [first]);
        arriveAgain();
        await Promise.race([again, sleep(500)]);
        await db.pool.runOperation('UPDATE fault_counters SET n = n + 1 WHERE id = ?', [second]);
      });
    const results = await Promise.allSettled([plain(1, 2), plain(2, 1)]);
    const failed = results.filter((result) => result.status === 'rejected');
    assert.equal(failed.length, 1);
    const reason = (failed[0] as PromiseRejectedResult).reason as Error;
    assert.ok(reason.cause instanceof DeadlockError, String(reason));
    assert.ok(isRetryable(reason));
  });

  it('cancels a statement on the server when it runs past statementTimeoutMs', async () => {
    const pool = db.openPool({ statementTimeoutMs: 200, max: 2 });
    const watcher = db.openPool({ max: 1 });
    const sleeping = async () => (await watcher.runQuery(serverSql(watcher).sleep.running)).length;
    const started = performance.now();
    await assert.rejects(
      pool.runQuery(serverSql(pool).sleep.run),
      (error: unknown) =>
        error instanceof StatementTimeoutError && /statementTimeoutMs \(200 ms\)/.test(error.message),
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 4_000, `rejected after ${elapsed.toFixed(0)} ms, before the statement could finish`);
    assert.equal(await sleeping(), 0, 'the server is no longer running it');
    // The pool goes on, and a quick statement is not affected.
    const [row] = await pool.runQuery('SELECT 1 AS one');
    assert.equal(Number(row?.one), 1);
    assert.deepEqual({ inUse: pool.stats.inUse, waiting: pool.stats.waiting }, { inUse: 0, waiting: 0 });
  });

  it("types the server's statement timeout", async () => {
    const slow = serverSql(db.pool).timedOut(db.pool);
    await assert.rejects(slow, (error: unknown) => {
      const typed = error instanceof StatementTimeoutError ? error : (error as Error).cause;
      return typed instanceof StatementTimeoutError;
    });
  });
});

describeEachBackend('faults: no connection leaks', (db: BackendContext) => {
  beforeEach(() => createTables(db.pool));
  afterEach(() => {
    Item.faulty = false;
  });

  it('leaks no connection over 10,000 transactions with one in ten failing', async () => {
    Item.faulty = true;
    const TOTAL = 10_000;
    let succeeded = 0;
    let failed = 0;
    let next = 0;
    const worker = async () => {
      while (next < TOTAL) {
        const i = next++;
        const kind = i % 10 === 3 ? (['callback', 'hook', 'validation'] as const)[i % 3] : null;
        try {
          await transaction(async () => {
            await Registry.getConfig().insert('fault_items', { tag: `s${i}`, n: i });
            if (kind === 'callback') throw new Error('callback failed');
            if (kind === 'hook') await new Item({ tag: `h${i}`, n: -1 }).save();
            if (kind === 'validation') await new Item({ tag: `v${i}`, n: -2 }).save();
          });
          succeeded++;
        } catch (error) {
          assert.ok(error instanceof TransactionError, String(error));
          failed++;
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    assert.equal(succeeded + failed, TOTAL);
    assert.equal(failed, TOTAL / 10);
    assert.equal(await Item.count(), succeeded);
    const { inUse, waiting, open, max } = db.pool.stats;
    assert.deepEqual({ inUse, waiting }, { inUse: 0, waiting: 0 });
    assert.ok(open <= max);
  });
});

// PostgreSQL's SERIALIZABLE isolation refuses one of two transactions whose reads and writes cross.
describeOn(['postgres'], 'faults: serialisation failures', (db) => {
  beforeEach(() => createTables(db.pool));

  const crossing = (tag: string, barrier: Promise<void>, arrive: () => void, retries: number) => {
    let runs = 0;
    const done = transaction(
      async (txn) => {
        runs++;
        await txn.runOperation('SET TRANSACTION ISOLATION LEVEL SERIALIZABLE');
        await txn.runQuery('SELECT COUNT(*) AS n FROM fault_items');
        arrive();
        await Promise.race([barrier, sleep(500)]);
        await txn.runOperation('INSERT INTO fault_items (tag, n) VALUES (?, 1)', [tag]);
      },
      { retries, retryDelayMs: 10 },
    );
    return { done, runs: () => runs };
  };

  const meeting = () => {
    let arrived = 0;
    let open!: () => void;
    const barrier = new Promise<void>((resolve) => (open = resolve));
    return {
      barrier,
      arrive: () => {
        if (++arrived === 2) open();
      },
    };
  };

  it('types a serialisation failure as retryable, and retries run it again', async () => {
    const plain = meeting();
    const results = await Promise.allSettled([
      crossing('a', plain.barrier, plain.arrive, 0).done,
      crossing('b', plain.barrier, plain.arrive, 0).done,
    ]);
    const failed = results.filter((result) => result.status === 'rejected');
    assert.equal(failed.length, 1, 'one of the two crossing transactions is refused');
    const reason = (failed[0] as PromiseRejectedResult).reason as Error;
    assert.ok(
      reason instanceof TransactionError && reason.cause instanceof SerializationError,
      String(reason),
    );
    assert.ok(isRetryable(reason));

    await createTables(db.pool);
    const retried = meeting();
    const first = crossing('c', retried.barrier, retried.arrive, 3);
    const second = crossing('d', retried.barrier, retried.arrive, 3);
    await Promise.all([first.done, second.done]);
    assert.equal(first.runs() + second.runs(), 3, 'the refused one ran again, once');
    assert.equal(await Item.count(), 2);
  });
});

// Only PostgreSQL can make COMMIT itself slow (a deferred constraint trigger), to lose the connection during it.
describeOn(['postgres'], 'faults: a connection lost during COMMIT', (db) => {
  beforeEach(async () => {
    await createTables(db.pool);
    await db.pool.runOperation(
      'CREATE OR REPLACE FUNCTION fault_slow_commit() RETURNS trigger AS $$ BEGIN PERFORM pg_sleep(1); RETURN NULL; END $$ LANGUAGE plpgsql',
    );
    await db.pool.runOperation(
      'CREATE CONSTRAINT TRIGGER fault_slow_commit AFTER INSERT ON fault_items DEFERRABLE INITIALLY DEFERRED ' +
        'FOR EACH ROW EXECUTE FUNCTION fault_slow_commit()',
    );
  });

  it('rejects with CommitOutcomeUnknownError and never retries it', async () => {
    const killer = db.openPool({ max: 1 });
    let runs = 0;
    let pid = 0;
    const outcome = transaction(
      async () => {
        runs++;
        const [row] = await db.pool.runQuery('SELECT pg_backend_pid() AS pid');
        pid = Number(row?.pid);
        await Registry.getConfig().insert('fault_items', { tag: 'c', n: 1 });
      },
      { retries: 3 },
    ).then(
      () => null,
      (error: unknown) => error,
    );
    // COMMIT now sleeps in the deferred trigger; end its connection meanwhile.
    await sleep(300);
    assert.ok(pid > 0);
    await killer.runQuery('SELECT pg_terminate_backend(?)', [pid]);
    const error = await outcome;
    assert.ok(error instanceof CommitOutcomeUnknownError, String(error));
    assert.ok(!isRetryable(error));
    assert.equal(runs, 1);
    assert.equal(await Item.count(), 0, 'this time the server had not committed');
  });
});
