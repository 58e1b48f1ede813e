import assert from 'node:assert/strict';
import { beforeEach } from 'node:test';
import {
  ConnectionError,
  InteractionBase,
  InvalidQueryError,
  PoolTimeoutError,
  QueryError,
  TransactionError,
  connect,
  transaction,
  type QueryEvent,
} from '../../src/index.js';
import { describeEachBackend, it, type DialectName } from '../support/backends.js';
import { createTable } from '../support/schema.js';

describeEachBackend('connection pool', (db) => {
  beforeEach(async () => {
    await createTable(db.pool, 'notes', { id: 'pk', body: 'text', n: 'int' });
  });

  it('runs statements with ? placeholders and returns rows as plain objects', async () => {
    const inserted = await db.pool.runOperation('INSERT INTO notes (body, n) VALUES (?, ?)', ['hello', 1]);
    assert.equal(inserted.affectedRows, 1);
    const rows = await db.pool.runQuery('SELECT body, n FROM notes WHERE n = ?', [1]);
    assert.deepEqual(rows, [{ body: 'hello', n: 1 }]);
  });

  it('does not treat ? inside string literals, quoted identifiers or comments as placeholders', async () => {
    const quoted = db.pool.dialect.quoteIdentifier('what?');
    const rows = await db.pool.runQuery(`SELECT 'is it?' AS ${quoted}, ? AS answer -- really?\n /* or ? */`, [
      'yes',
    ]);
    assert.deepEqual(rows, [{ 'what?': 'is it?', answer: 'yes' }]);
  });

  it('refuses a placeholder/parameter count mismatch before sending anything', async () => {
    const seen: QueryEvent[] = [];
    const listener = (event: QueryEvent) => seen.push(event);
    db.pool.on('query', listener);
    try {
      await assert.rejects(db.pool.runQuery('SELECT ? AS a, ? AS b', [1]), InvalidQueryError);
      await assert.rejects(db.pool.runQuery('SELECT 1 AS a', [1]), /0 placeholder\(s\) but 1 parameter/);
      assert.equal(seen.length, 0);
    } finally {
      db.pool.off('query', listener);
    }
  });

  it('refuses objects, arrays and undefined as parameters', async () => {
    await assert.rejects(db.pool.runQuery('SELECT ? AS a', [{ id: 1 }]), InvalidQueryError);
    await assert.rejects(db.pool.runQuery('SELECT ? AS a', [[1, 2]]), InvalidQueryError);
    await assert.rejects(db.pool.runQuery('SELECT ? AS a', [undefined]), /use null for NULL/);
  });

  it('emits a query event for every statement, with its SQL, parameters and duration', async () => {
    const seen: QueryEvent[] = [];
    const listener = (event: QueryEvent) => seen.push(event);
    db.pool.on('query', listener);
    try {
      await db.pool.runQuery('SELECT ? AS a', [7]);
      await db.pool.runInteraction(async (txn) => {
        await txn.runOperation('INSERT INTO notes (body) VALUES (?)', ['x']);
      });
    } finally {
      db.pool.off('query', listener);
    }
    assert.deepEqual(seen[0]?.params, [7]);
    assert.equal(seen[0]?.sql, 'SELECT ? AS a');
    assert.ok((seen[0]?.durationMs ?? -1) >= 0);
    const statements = seen.map((event) => event.sql.split(' ')[0]);
    assert.deepEqual(statements, [
      'SELECT',
      db.pool.dialect.beginTransaction.split(' ')[0],
      'INSERT',
      'COMMIT',
    ]);
  });

  it('wraps database errors in QueryError with the SQL, the parameters and the driver error', async () => {
    const error = await db.pool
      .runQuery('SELECT * FROM no_such_table WHERE n = ?', [1])
      .catch((e: unknown) => e);
    assert.ok(error instanceof QueryError);
    assert.equal(error.sql, 'SELECT * FROM no_such_table WHERE n = ?');
    assert.deepEqual(error.params, [1]);
    assert.ok(error.cause instanceof Error);
    assert.match(error.message, /no_such_table/);
  });

  it('logs every statement with its parameters, Unicode intact, when InteractionBase.LOG is on', async () => {
    const lines: string[] = [];
    const previous = InteractionBase.logger;
    InteractionBase.logger = (line) => lines.push(line);
    InteractionBase.LOG = true;
    try {
      await db.pool.runQuery('SELECT ? AS greeting', ['héllo wörld ✓ 日本']);
    } finally {
      InteractionBase.LOG = false;
      InteractionBase.logger = previous;
    }
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /SELECT \? AS greeting -- params: \["héllo wörld ✓ 日本"\]/);
    await db.pool.runQuery('SELECT 1 AS one');
    assert.equal(lines.length, 1, 'nothing is logged once LOG is off again');
  });

  it('refuses an option that is not one, naming it and the options there are', () => {
    assert.throws(
      () => connect(db.url, { maxx: 3 } as never),
      (error: unknown) =>
        error instanceof ConnectionError &&
        /"maxx"/.test(error.message) &&
        /acquireTimeoutMs/.test(error.message),
    );
    assert.throws(() => connect(db.url, { url: db.url } as never), ConnectionError);
  });

  it('refuses to run once closed', async () => {
    const pool = db.openPool();
    await pool.runQuery('SELECT 1 AS one');
    await pool.close();
    await assert.rejects(pool.runQuery('SELECT 1 AS one'), ConnectionError);
  });
});

/** Which connection answered, taking a moment so that concurrent queries overlap (SQLite has no connections). */
const CONNECTION_ID: Partial<Record<DialectName, string>> = {
  postgres: 'SELECT pg_backend_pid() AS id, pg_sleep(0.02)',
  mysql: 'SELECT CONNECTION_ID() AS id, SLEEP(0.02)',
};

describeEachBackend('pool limits', (db) => {
  it('fails with PoolTimeoutError when no connection frees up in time', async () => {
    const pool = db.openPool({ max: 1, acquireTimeoutMs: 100 });
    let release!: () => void;
    const held = pool.runInteraction(() => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Outside the transaction, so it needs a connection of its own.
    const waiting = new Promise((resolve) => setImmediate(resolve)).then(() =>
      pool.runQuery('SELECT 1 AS one'),
    );
    await assert.rejects(waiting, PoolTimeoutError);
    release();
    await held;
    assert.deepEqual(await pool.runQuery('SELECT 1 AS one'), [{ one: 1 }]);
  });

  it('times a PoolTimeoutError from the moment the caller started waiting', async () => {
    const pool = db.openPool({ max: 1, acquireTimeoutMs: 300 });
    let release!: () => void;
    const held = pool.runInteraction(() => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = performance.now();
    const error = await pool.runQuery('SELECT 1 AS one').then(
      () => null,
      (failure: unknown) => failure,
    );
    const waited = performance.now() - started;
    assert.ok(error instanceof PoolTimeoutError, String(error));
    assert.match((error as Error).message, /within 300 ms \(pool size 1\)/);
    // Not before the timeout, and not long after it (timers fire late on a busy machine, never early).
    assert.ok(waited >= 299 && waited < 1_300, `failed after ${waited.toFixed(0)} ms`);
    assert.equal(pool.stats.waiting, 0, 'the timed-out caller no longer waits');
    release();
    await held;
    assert.deepEqual(pool.stats.inUse, 0);
  });

  it('transaction() that gets no connection rejects with the PoolTimeoutError itself, not a TransactionError', async () => {
    // As docs/transactions.md and docs/errors.md say: nothing began, so nothing was rolled back.
    const pool = db.openPool({ max: 1, acquireTimeoutMs: 100 });
    let release!: () => void;
    const held = pool.runInteraction(() => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    let ran = false;
    const error = await new Promise((resolve) => setImmediate(resolve))
      .then(() =>
        transaction(() => {
          ran = true;
        }, pool),
      )
      .then(
        () => null,
        (failure: unknown) => failure,
      );
    assert.ok(error instanceof PoolTimeoutError, String(error));
    assert.ok(!(error instanceof TransactionError));
    assert.equal(ran, false, 'the callback never ran');
    release();
    await held;
  });

  it('answers more concurrent queries than its size', async () => {
    const pool = db.openPool({ max: 5 });
    const rows = await Promise.all(Array.from({ length: 20 }, (_, i) => pool.runQuery('SELECT ? AS i', [i])));
    assert.deepEqual(
      rows.map(([row]) => Number(row?.i)),
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  it('never opens more connections than its size under concurrent load', async () => {
    const pool = db.openPool({ max: 3 });
    const ids = new Set<unknown>();
    const sql = CONNECTION_ID[db.name];
    assert.ok(sql !== undefined, `no query for ${db.name}'s connection id`);
    const rows = await Promise.all(Array.from({ length: 12 }, () => pool.runQuery(sql)));
    for (const [row] of rows) ids.add(row?.id);
    assert.ok(ids.size <= 3, `used ${ids.size} connections`);
    assert.ok(ids.size >= 2, 'work was spread over several connections');
  });
});

it('connect() tells the database from the URL and rejects unknown schemes', () => {
  assert.equal(connect('sqlite::memory:').dialect.name, 'sqlite');
  assert.equal(connect('postgresql://u@localhost/db').dialect.name, 'postgres');
  assert.equal(connect('mariadb://u@localhost/db').dialect.name, 'mysql');
  assert.throws(() => connect('oracle://u@localhost/db'), ConnectionError);
});
