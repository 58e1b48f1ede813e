import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConnectionLostError,
  TransactionError,
  connect,
  mysqlDialect,
  transaction,
  type ConnectionPool,
  type Dialect,
  type DialectDefinition,
  type DriverConnection,
  type IsolationLevel,
  type QueryResult,
} from '../../src/index.js';
import { DIALECTS, type DialectName } from '../support/dialects.js';

const LEVELS: readonly IsolationLevel[] = ['serializable', 'repeatable read', 'read committed'];

const BEGIN_AT: Record<DialectName, Record<IsolationLevel, readonly string[]>> = {
  sqlite: {
    serializable: ['BEGIN IMMEDIATE'],
    'repeatable read': ['BEGIN IMMEDIATE'],
    'read committed': ['BEGIN IMMEDIATE'],
  },
  postgres: {
    serializable: ['BEGIN ISOLATION LEVEL SERIALIZABLE'],
    'repeatable read': ['BEGIN ISOLATION LEVEL REPEATABLE READ'],
    'read committed': ['BEGIN ISOLATION LEVEL READ COMMITTED'],
  },
  mysql: {
    serializable: ['SET TRANSACTION ISOLATION LEVEL SERIALIZABLE', 'START TRANSACTION'],
    'repeatable read': ['SET TRANSACTION ISOLATION LEVEL REPEATABLE READ', 'START TRANSACTION'],
    'read committed': ['SET TRANSACTION ISOLATION LEVEL READ COMMITTED', 'START TRANSACTION'],
  },
};

describe('beginTransactionAt', () => {
  for (const dialect of DIALECTS)
    for (const level of LEVELS)
      it(`begins a transaction at ${level} (${dialect.name})`, () => {
        assert.deepEqual(dialect.beginTransactionAt?.(level), BEGIN_AT[dialect.name][level]);
      });

  it('writes no SQL for what is not a level, even called directly', () => {
    for (const dialect of DIALECTS)
      assert.throws(() => dialect.beginTransactionAt?.('snapshot' as IsolationLevel), TransactionError);
  });
});

/** A statement one connection of the fake database ran, or `close` when the pool closed it. */
type Sent = readonly [connection: number, sql: string];

/** What the fake database does with a statement: throws, or answers (undefined: no rows). */
type Answer = (sql: string, connection: number) => QueryResult | undefined;

/** mysql2's errors, as the MySQL dialect reads them. */
const lost = () =>
  Object.assign(new Error('Connection lost: The server closed the connection.'), {
    code: 'PROTOCOL_CONNECTION_LOST',
    fatal: true,
  });
const deadlock = () =>
  Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction'), {
    code: 'ER_LOCK_DEADLOCK',
    errno: 1213,
  });
const refused = () =>
  Object.assign(new Error('Access denied; you need the SUPER privilege'), {
    code: 'ER_SPECIFIC_ACCESS_DENIED_ERROR',
    errno: 1227,
  });

/** A pool of a database on MySQL's SQL (or `dialect`) that records every statement on each connection. */
function fakePool(answer: Answer = () => undefined, dialect: Dialect = mysqlDialect) {
  const sent: Sent[] = [];
  let opened = 0;
  const open = (): DriverConnection => {
    const id = ++opened;
    let broken = false;
    return {
      get broken() {
        return broken;
      },
      execute(sql) {
        sent.push([id, sql]);
        try {
          return Promise.resolve(answer(sql, id) ?? { rows: [], affectedRows: 0, insertId: null });
        } catch (error) {
          if ((error as { fatal?: unknown }).fatal === true) broken = true;
          return Promise.reject(error as Error);
        }
      },
      close() {
        sent.push([id, 'close']);
        return Promise.resolve();
      },
    };
  };
  const definition: DialectDefinition = {
    dialect: { ...dialect, name: 'fakemysql', displayName: 'FakeSQL' },
    urlSchemes: ['fakemysql'],
    parseUrl: () => ({}),
    createDriver: () => ({ defaultPoolSize: 1, connect: () => Promise.resolve(open()) }),
  };
  const pool: ConnectionPool = connect({ dialect: definition });
  return { pool, sent };
}

describe('transaction({ isolation })', () => {
  it('sends SET TRANSACTION and START TRANSACTION on one connection, then commits', async () => {
    const { pool, sent } = fakePool();
    await transaction((txn) => txn.runQuery('SELECT 1'), { pool, isolation: 'read committed' });
    assert.deepEqual(sent, [
      [1, 'SET TRANSACTION ISOLATION LEVEL READ COMMITTED'],
      [1, 'START TRANSACTION'],
      [1, 'SELECT 1'],
      [1, 'COMMIT'],
    ]);
    await pool.close();
  });

  it('refuses any other level with TransactionError listing the levels, sending nothing', async () => {
    const { pool, sent } = fakePool();
    for (const isolation of ['SERIALIZABLE', 'read uncommitted', 'snapshot', '', 1, null]) {
      await assert.rejects(
        transaction(() => 'ran', { pool, isolation: isolation as IsolationLevel }),
        (error: unknown) =>
          error instanceof TransactionError &&
          error.message.includes(
            "isolation must be one of 'serializable', 'repeatable read', 'read committed'",
          ),
      );
      await assert.rejects(
        pool.runInteraction(() => 'ran', { isolation: isolation as IsolationLevel }),
        TransactionError,
      );
    }
    assert.deepEqual(sent, []);
    await pool.close();
  });

  it('refuses an isolation in a nested transaction, which is a savepoint, and the outer one goes on', async () => {
    const { pool, sent } = fakePool();
    await transaction(
      async () => {
        await assert.rejects(
          transaction(() => 'ran', { pool, isolation: 'serializable' }),
          (error: unknown) =>
            error instanceof TransactionError &&
            /nested transaction\(\) is a savepoint, which cannot change the isolation/.test(error.message),
        );
        await assert.rejects(
          pool.runInteraction(() => 'ran', { isolation: 'serializable' }),
          TransactionError,
        );
        await pool.runOperation('UPDATE t SET n = 1');
      },
      { pool },
    );
    assert.deepEqual(
      sent.map(([, sql]) => sql),
      ['START TRANSACTION', 'UPDATE t SET n = 1', 'COMMIT'],
    );
    await pool.close();
  });

  it('a connection lost between SET TRANSACTION and START TRANSACTION is closed; both go again on a new one', async () => {
    let failed = false;
    const { pool, sent } = fakePool((sql) => {
      if (sql === 'START TRANSACTION' && !failed) {
        failed = true;
        throw lost();
      }
      return undefined;
    });
    await transaction((txn) => txn.runQuery('SELECT 1'), { pool, isolation: 'serializable' });
    assert.deepEqual(sent, [
      [1, 'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE'],
      [1, 'START TRANSACTION'],
      [1, 'close'],
      [2, 'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE'],
      [2, 'START TRANSACTION'],
      [2, 'SELECT 1'],
      [2, 'COMMIT'],
    ]);
    await pool.close();
  });

  it('a connection whose START TRANSACTION was refused after SET TRANSACTION is closed, never lent out with it', async () => {
    const { pool, sent } = fakePool((sql, connection) => {
      if (sql === 'START TRANSACTION' && connection === 1) throw refused();
      return undefined;
    });
    await assert.rejects(
      transaction(() => 'ran', { pool, isolation: 'serializable' }),
      (error: unknown) => !(error instanceof TransactionError) && /SUPER privilege/.test(String(error)),
    );
    await transaction((txn) => txn.runQuery('SELECT 1'), { pool });
    assert.deepEqual(sent, [
      [1, 'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE'],
      [1, 'START TRANSACTION'],
      [1, 'close'],
      [2, 'START TRANSACTION'],
      [2, 'SELECT 1'],
      [2, 'COMMIT'],
    ]);
    await pool.close();
  });

  it('retries begin every attempt at the same isolation', async () => {
    let attempts = 0;
    const { pool, sent } = fakePool((sql) => {
      if (sql === 'UPDATE t SET n = 1' && attempts === 1) throw deadlock();
      return undefined;
    });
    await transaction(
      async (txn) => {
        attempts++;
        await txn.runOperation('UPDATE t SET n = 1');
      },
      { pool, isolation: 'repeatable read', retries: 2, retryDelayMs: 1 },
    );
    assert.equal(attempts, 2);
    assert.deepEqual(
      sent.map(([, sql]) => sql),
      [
        'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ',
        'START TRANSACTION',
        'UPDATE t SET n = 1',
        'ROLLBACK',
        'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ',
        'START TRANSACTION',
        'UPDATE t SET n = 1',
        'COMMIT',
      ],
    );
    await pool.close();
  });

  it('a dialect without beginTransactionAt refuses an isolation, sending nothing; plain transactions run', async () => {
    const { beginTransactionAt: _, ...withoutLevels } = mysqlDialect;
    const { pool, sent } = fakePool(undefined, withoutLevels);
    await assert.rejects(
      transaction(() => 'ran', { pool, isolation: 'serializable' }),
      (error: unknown) =>
        error instanceof TransactionError &&
        /FakeSQL cannot begin a transaction at an isolation level/.test(error.message),
    );
    assert.equal(sent.length, 0, 'nothing sent');
    assert.equal(await transaction(() => 'ran', { pool }), 'ran');
    assert.deepEqual(
      sent.map(([, sql]) => sql),
      ['START TRANSACTION', 'COMMIT'],
    );
    await pool.close();
  });

  it('rejects with ConnectionLostError, unwrapped, when the new connection is lost while beginning too', async () => {
    const { pool } = fakePool((sql) => {
      if (sql.startsWith('SET TRANSACTION')) throw lost();
      return undefined;
    });
    await assert.rejects(
      transaction(() => 'ran', { pool, isolation: 'serializable' }),
      ConnectionLostError,
    );
    await pool.close();
  });
});
