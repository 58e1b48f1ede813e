import assert from 'node:assert/strict';
import { beforeEach } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ConnectionError,
  DBObject,
  QueryError,
  Registry,
  TransactionError,
  UniqueViolationError,
  transaction,
  type IsolationLevel,
  type QueryEvent,
  type Transaction,
} from '../../src/index.js';
import { describeEachBackend, it, type DialectName } from '../support/backends.js';
import { createTable, USERS } from '../support/schema.js';

class User extends DBObject {
  declare first_name: string;
  declare age: number | null;
}

/** A helper that knows nothing of transactions. */
async function createUser(first_name: string): Promise<User> {
  return new User({ first_name }).save();
}

/**
 * A plain INSERT, which rejects when the unique first_name refuses it (save() would report that on the
 * object instead, and go on).
 */
async function insertUser(first_name: string): Promise<unknown> {
  return Registry.getConfig().insert('users', { first_name });
}

describeEachBackend('transactions', (db) => {
  beforeEach(async () => {
    await createTable(db.pool, 'users', { ...USERS, first_name: 'string unique' });
  });

  it('commits and resolves to the callback result', async () => {
    const result = await transaction(async () => {
      await createUser('Ann');
      await createUser('Bob');
      return 'done';
    });
    assert.equal(result, 'done');
    assert.equal(await User.count(), 2);
  });

  it('rolls back everything on a throw and rejects with TransactionError carrying the cause', async () => {
    const boom = new Error('boom');
    const error = await transaction(async () => {
      await createUser('Ann');
      await Registry.getConfig().insert('users', { first_name: 'Bob' });
      throw boom;
    }).catch((e: unknown) => e);
    assert.ok(error instanceof TransactionError);
    assert.equal(error.cause, boom);
    assert.equal(await User.count(), 0);
  });

  it('rolls back when a duplicate insert fails inside it', async () => {
    const error = await transaction(async () => {
      await createUser('Ann');
      await insertUser('Ann');
    }).catch((e: unknown) => e);
    assert.ok(error instanceof TransactionError);
    assert.ok(error.cause instanceof QueryError);
    assert.equal(await User.count(), 0);
  });

  it('helpers join the transaction without being passed it; concurrent work outside does not', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inside = transaction(async () => {
      await createUser('Inside');
      await gate;
      throw new Error('undo');
    });
    // Started outside the callback's async context: not part of the transaction, and committed on its own.
    // (On SQLite it waits for the one connection, which the transaction holds until it ends.)
    const outside = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const saving = createUser('Outside');
      release();
      await saving;
    })();
    await assert.rejects(inside, TransactionError);
    await outside;
    const names = (await User.all({ orderBy: 'id' })).map((u) => u.first_name);
    assert.deepEqual(names, ['Outside']);
  });

  it('a nested transaction is a savepoint: its failure rolls back only its own part', async () => {
    await transaction(async () => {
      await createUser('Outer');
      await assert.rejects(
        transaction(async () => {
          await createUser('Inner');
          await insertUser('Outer');
        }),
        TransactionError,
      );
      await createUser('After');
    });
    const names = (await User.all({ orderBy: 'id' })).map((u) => u.first_name);
    assert.deepEqual(names, ['Outer', 'After']);
  });

  it('a nested transaction that succeeds commits with the outer one, and rolls back with it', async () => {
    await assert.rejects(
      transaction(async () => {
        await transaction(() => createUser('Inner'));
        throw new Error('outer fails');
      }),
      TransactionError,
    );
    assert.equal(await User.count(), 0);
  });

  it('runInteraction passes a handle whose statements run in the transaction', async () => {
    await assert.rejects(
      db.pool.runInteraction(async (txn) => {
        await txn.runOperation('INSERT INTO users (first_name) VALUES (?)', ['Ann']);
        assert.deepEqual(
          await txn.runQuery('SELECT COUNT(*) AS n FROM users').then((rows) => Number(rows[0]?.n)),
          1,
        );
        throw new Error('rollback please');
      }),
      /rollback please/,
    );
    assert.equal(await User.count(), 0);
  });

  it('a statement after the callback has finished cannot join the finished transaction', async () => {
    let leaked!: Promise<unknown>;
    await transaction(async (txn) => {
      leaked = new Promise((resolve) => setTimeout(resolve, 20)).then(() =>
        txn.runOperation('INSERT INTO users (first_name) VALUES (?)', ['Late']),
      );
    });
    await assert.rejects(leaked, TransactionError);
    assert.equal(await User.count(), 0);
  });

  it('rolls back all of it when a statement failed, even if the callback caught the error', async () => {
    const run = transaction(async () => {
      await createUser('Ann');
      await insertUser('Ann').catch(() => undefined); // unique first_name refuses the second
      await createUser('Bob');
    });
    await assert.rejects(
      run,
      (error: unknown) =>
        error instanceof TransactionError &&
        /rolled back|can only roll back/.test(error.message) &&
        error.cause instanceof QueryError,
    );
    // MySQL and SQLite would have committed Ann and Bob: the transaction was made rollback-only instead.
    assert.equal(await User.count(), 0);
  });

  it('commits the rest when a nested transaction (savepoint) handled the failure', async () => {
    await transaction(async () => {
      await createUser('Ann');
      await transaction(() => insertUser('Ann')).catch(() => undefined);
      await createUser('Bob');
    });
    assert.deepEqual(
      (await User.all({ orderBy: 'first_name' })).map((user) => user.first_name),
      ['Ann', 'Bob'],
    );
  });

  it('does not call a failure to start a transaction a rollback', async () => {
    const pool = Registry.DBPOOL;
    Registry.DBPOOL = null;
    try {
      await assert.rejects(
        transaction(() => 1),
        (error: unknown) => error instanceof ConnectionError && !(error instanceof TransactionError),
      );
    } finally {
      Registry.DBPOOL = pool;
    }
  });

  it('work left running after a transaction rolled back fails and writes nothing, with no other transaction open', async () => {
    let late!: Promise<unknown>;
    await assert.rejects(
      transaction(async () => {
        await createUser('Ann');
        late = new Promise((resolve) => setTimeout(resolve, 30)).then(() => createUser('Late'));
        late.catch(() => undefined); // awaited below
        throw new Error('undo');
      }),
      TransactionError,
    );
    await assert.rejects(late, (error: unknown) => {
      assert.ok(error instanceof TransactionError);
      assert.match(error.message, /already finished/);
      return true;
    });
    assert.equal(await User.count(), 0);
  });

  it('a save() not awaited by a committed transaction fails instead of committing on its own', async () => {
    const user = new User({ first_name: 'Ann' });
    let late!: Promise<unknown>;
    await transaction(async () => {
      await user.save();
      user.age = 40;
      // Not awaited: it starts after the callback has returned (its outcome is kept for the assertion).
      late = new Promise((resolve) => setImmediate(resolve))
        .then(() => user.save())
        .catch((error: unknown) => error);
    });
    assert.ok((await late) instanceof TransactionError);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const rows = await db.pool.runQuery('SELECT age FROM users');
    assert.deepEqual(
      rows.map((row) => row.age),
      [null],
    );
    // Nor does a transaction started by such work run apart from it.
    let started!: Promise<unknown>;
    await transaction(async () => {
      started = new Promise((resolve) => setTimeout(resolve, 10))
        .then(() => transaction(() => createUser('Detached')))
        .catch((error: unknown) => error);
    });
    assert.ok((await started) instanceof TransactionError);
    assert.equal(await User.count(), 1);
  });

  it('outsideTransaction() runs background work on its own, committed apart from the transaction', async () => {
    let background!: Promise<unknown>;
    await assert.rejects(
      transaction(async () => {
        background = db.pool.outsideTransaction(() =>
          new Promise((resolve) => setTimeout(resolve, 10)).then(() => createUser('Background')),
        );
        throw new Error('undo');
      }),
      TransactionError,
    );
    await background;
    assert.deepEqual(
      (await User.all()).map((user) => user.first_name),
      ['Background'],
    );
  });

  it('a save() refused by a constraint makes the transaction roll back, with the typed error as cause', async () => {
    const error = await transaction(async () => {
      await createUser('Ann');
      const twin = await createUser('Ann');
      assert.equal(twin.isNewRecord(), true);
      assert.ok(twin.errors.errorsFor('first_name').length > 0);
    }).catch((e: unknown) => e);
    assert.ok(error instanceof TransactionError, String(error));
    assert.ok(error.cause instanceof UniqueViolationError, String(error.cause));
    assert.equal(await User.count(), 0);
  });

  it('a refused save() in a nested transaction rolls back only the nested one', async () => {
    await transaction(async () => {
      await createUser('Ann');
      const twin = new User({ first_name: 'Ann' });
      const nested = await transaction(() => twin.save()).catch((e: unknown) => e);
      assert.ok(nested instanceof TransactionError);
      assert.ok(nested.cause instanceof UniqueViolationError);
      assert.ok(twin.errors.errorsFor('first_name').length > 0);
      await createUser('Bob');
    });
    assert.deepEqual(
      (await User.all({ orderBy: 'first_name' })).map((user) => user.first_name),
      ['Ann', 'Bob'],
    );
  });

  it('nested transactions started side by side run one after the other, each rolled back alone', async () => {
    await transaction(async () => {
      const results = await Promise.allSettled([
        transaction(async () => {
          await createUser('A1');
          await new Promise((resolve) => setTimeout(resolve, 20));
          await createUser('A2');
        }),
        transaction(async () => {
          await createUser('B1');
          await insertUser('A1'); // refused: rolls back B1 only
        }),
        transaction(() => createUser('C1')),
        // Work of the outer level meanwhile waits for the nested ones rather than landing inside one.
        createUser('Outer'),
      ]);
      assert.deepEqual(
        results.map((result) => result.status),
        ['fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
      );
    });
    assert.deepEqual(
      (await User.all({ orderBy: 'first_name' })).map((user) => user.first_name),
      ['A1', 'A2', 'C1', 'Outer'],
    );
  });

  it("a transaction of another pool inside one keeps each pool's work in its own transaction", async () => {
    const other = db.openPool();
    await createTable(other, 'other_pool_users', { id: 'pk', first_name: 'string' });
    await assert.rejects(
      transaction(async () => {
        await createUser('Outer'); // Registry.DBPOOL's transaction
        await transaction(
          async () => {
            await other.runOperation('INSERT INTO other_pool_users (first_name) VALUES (?)', ['Other']);
            await createUser('Still outer'); // not the other pool's: joins the outer transaction
          },
          { pool: other },
        );
        throw new Error('undo the outer one');
      }),
      TransactionError,
    );
    assert.equal(await User.count(), 0);
    const rows = await other.runQuery('SELECT first_name FROM other_pool_users');
    assert.deepEqual(
      rows.map((row) => row.first_name),
      ['Other'],
    );
    await other.runOperation('DROP TABLE other_pool_users');
  });

  it('a nested transaction left running when its transaction ends sends nothing more, and the next transaction is untouched', async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    let late!: Promise<unknown>;
    const first = await transaction(async () => {
      late = transaction(async () => {
        await sleep(20);
        await createUser('Late');
      }).catch((error: unknown) => error);
    }).catch((error: unknown) => error);
    assert.ok(first instanceof TransactionError, 'a transaction whose nested one was not awaited rolls back');
    // The next transaction, on the connection the first one used, with a savepoint of the same name.
    await transaction(async () => {
      await createUser('Outer');
      await transaction(async () => {
        await createUser('Inner');
        await sleep(40);
      });
    });
    assert.ok((await late) instanceof TransactionError);
    assert.deepEqual(
      (await User.all({ orderBy: 'first_name' })).map((user) => user.first_name),
      ['Inner', 'Outer'],
    );
  });

  it('a nested transaction left running inside a nested one neither hangs the transaction nor commits', async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    let grandchild!: Promise<unknown>;
    const error = await transaction(async () => {
      await transaction(async () => {
        grandchild = transaction(async () => {
          await sleep(30);
          await createUser('Grandchild');
        }).catch((e: unknown) => e);
      });
      await createUser('After');
    }).catch((e: unknown) => e);
    assert.ok(error instanceof TransactionError, String(error));
    assert.ok((await grandchild) instanceof TransactionError);
    assert.equal(await User.count(), 0);
  });

  it('saves run side by side inside a transaction all commit', async () => {
    await transaction(async () => {
      await Promise.all(['A', 'B', 'C', 'D'].map((name) => createUser(name)));
    });
    assert.equal(await User.count(), 4);
  });
});

const LEVELS: readonly IsolationLevel[] = ['serializable', 'repeatable read', 'read committed'];

/**
 * How each server tells the isolation level of the transaction it runs in, in lower case. MariaDB's
 * `@@tx_isolation` shows the session's level, not the one SET TRANSACTION gave this transaction, so MySQL asks
 * InnoDB, which lists a transaction once it has read a table (the `users` table here). Its view is a cache,
 * refreshed only when no one has read it for 0.1 s (polling would keep an earlier transaction's row), hence
 * the wait. SQLite has no levels to tell: every transaction of it is serializable.
 */
const ISOLATION_NOW: Record<DialectName, ((txn: Transaction) => Promise<string>) | undefined> = {
  sqlite: undefined,
  postgres: async (txn) => {
    const [row] = await txn.runQuery('SHOW transaction_isolation');
    return String(row?.transaction_isolation);
  },
  mysql: async (txn) => {
    await txn.runQuery('SELECT COUNT(*) AS n FROM users');
    await sleep(150);
    const [row] = await txn.runQuery(
      'SELECT trx_isolation_level AS level FROM information_schema.innodb_trx ' +
        'WHERE trx_mysql_thread_id = CONNECTION_ID()',
    );
    if (row === undefined) throw new Error('InnoDB does not list the transaction');
    return String(row.level).toLowerCase();
  },
};

describeEachBackend('transaction isolation', (db) => {
  beforeEach(async () => {
    await createTable(db.pool, 'users', { ...USERS, first_name: 'string unique' });
  });

  const isolationNow = (txn: Transaction): Promise<string> => {
    const read = ISOLATION_NOW[db.name];
    if (read === undefined) throw new Error(`${db.name} has no isolation level to read (see gaps.ts)`);
    return read(txn);
  };

  /** The statements the suite's pool sends while `work` runs. */
  const sentDuring = async (work: () => Promise<unknown>): Promise<string[]> => {
    const sent: string[] = [];
    const listen = (event: QueryEvent) => sent.push(event.sql);
    db.pool.on('query', listen);
    try {
      await work();
    } finally {
      db.pool.off('query', listen);
    }
    return sent;
  };

  it('accepts every level and runs the work, committing or rolling back as ever', async () => {
    for (const isolation of LEVELS)
      assert.equal(await transaction(() => createUser(isolation).then(() => 'ran'), { isolation }), 'ran');
    await assert.rejects(
      transaction(
        async () => {
          await createUser('Undone');
          throw new Error('undo');
        },
        { isolation: 'serializable' },
      ),
      TransactionError,
    );
    assert.deepEqual(
      (await User.all({ orderBy: 'id' })).map((user) => user.first_name),
      LEVELS,
    );
  });

  it('runs the transaction at the level given, as the server reports it', async () => {
    for (const isolation of LEVELS)
      assert.equal(await transaction((txn) => isolationNow(txn), { isolation }), isolation);
    assert.equal(
      await db.pool.runInteraction((txn) => isolationNow(txn), { isolation: 'repeatable read' }),
      'repeatable read',
    );
  });

  it("leaves the next plain transaction on the same connection at the server's default", async () => {
    const pool = db.openPool({ max: 1 });
    const plain = () => transaction((txn) => isolationNow(txn), { pool });
    const before = await plain();
    for (const isolation of LEVELS.filter((level) => level !== before)) {
      assert.equal(await transaction((txn) => isolationNow(txn), { pool, isolation }), isolation);
      assert.equal(await plain(), before);
      // A transaction at a level that rolled back leaves nothing behind either.
      await assert.rejects(
        transaction(
          async (txn) => {
            assert.equal(await isolationNow(txn), isolation);
            throw new Error('undo');
          },
          { pool, isolation },
        ),
        TransactionError,
      );
      assert.equal(await plain(), before);
    }
    assert.equal(pool.stats.open, 1, 'one connection served them all');
  });

  it('repeatable read sees a snapshot: a row another pool commits after the first read stays unseen', async () => {
    const other = db.openPool({ max: 1 });
    const count = async (txn: Transaction) =>
      Number((await txn.runQuery('SELECT COUNT(*) AS n FROM users'))[0]?.n);
    const reads = await transaction(
      async (txn) => {
        const first = await count(txn);
        await other.runOperation('INSERT INTO users (first_name) VALUES (?)', ['Meanwhile']);
        return [first, await count(txn)];
      },
      { isolation: 'repeatable read' },
    );
    assert.deepEqual(reads, [0, 0]);
    // Read committed sees the other pool's commit at once.
    const committed = await transaction(
      async (txn) => {
        const first = await count(txn);
        await other.runOperation('INSERT INTO users (first_name) VALUES (?)', ['Later']);
        return [first, await count(txn)];
      },
      { isolation: 'read committed' },
    );
    assert.deepEqual(committed, [1, 2]);
  });

  it('refuses a level it does not know with TransactionError listing the levels, sending nothing', async () => {
    for (const isolation of ['SERIALIZABLE', 'read uncommitted', 'snapshot', ''])
      assert.deepEqual(
        await sentDuring(() =>
          assert.rejects(
            transaction(() => createUser('Never'), { isolation: isolation as IsolationLevel }),
            (error: unknown) =>
              error instanceof TransactionError &&
              error.message ===
                `isolation must be one of 'serializable', 'repeatable read', 'read committed'; got '${isolation}'.`,
          ),
        ),
        [],
      );
    assert.equal(await User.count(), 0);
  });

  it('refuses an isolation for a nested transaction (a savepoint), sending nothing for it', async () => {
    await transaction(async () => {
      await createUser('Outer');
      const sent = await sentDuring(() =>
        assert.rejects(
          transaction(() => createUser('Inner'), { isolation: 'serializable' }),
          (error: unknown) =>
            error instanceof TransactionError &&
            /savepoint, which cannot change the isolation of the transaction it is in/.test(error.message),
        ),
      );
      assert.deepEqual(sent, []);
      await createUser('After');
    });
    assert.deepEqual(
      (await User.all({ orderBy: 'id' })).map((user) => user.first_name),
      ['Outer', 'After'],
    );
  });

  it('retries run a serializable transaction that lost a conflict again, at serializable each time', async () => {
    let arrived = 0;
    let open!: () => void;
    const barrier = new Promise<void>((resolve) => (open = resolve));
    const levels: string[] = [];
    // Each reads what the other writes, then writes: no serial order explains both, so one is refused
    // (PostgreSQL: a serialisation failure; MySQL: SERIALIZABLE reads lock, and the two deadlock).
    const crossing = (name: string) =>
      transaction(
        async (txn) => {
          levels.push(await isolationNow(txn));
          await txn.runQuery('SELECT COUNT(*) AS n FROM users');
          if (++arrived === 2) open();
          await Promise.race([barrier, sleep(1_000)]);
          await txn.runOperation('INSERT INTO users (first_name) VALUES (?)', [name]);
        },
        { isolation: 'serializable', retries: 3, retryDelayMs: 10 },
      );
    await Promise.all([crossing('A'), crossing('B')]);
    assert.deepEqual(levels, ['serializable', 'serializable', 'serializable'], 'the loser ran again, once');
    assert.equal(await User.count(), 2);
  });
});
