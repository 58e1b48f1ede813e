import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIALECT, type DialectName } from '../support/dialects.js';
import { isUnreachable } from '../../src/connection/replicas.js';
import {
  CommitOutcomeUnknownError,
  ConnectionError,
  ConnectionLostError,
  DeadlockError,
  NodeUnavailableError,
  QueryError,
  TransactionError,
  isRetryable,
} from '../../src/index.js';

/** What the dialect named says a driver's error means. */
const errorKind = (dialect: DialectName, error: unknown) => DIALECT[dialect].errorKind(error);

describe('errorKind', () => {
  it('reads PostgreSQL codes and node-postgres messages', () => {
    assert.equal(errorKind('postgres', { code: '40P01' }), 'deadlock');
    assert.equal(errorKind('postgres', { code: '40001' }), 'serialization');
    assert.equal(errorKind('postgres', { code: '57014' }), 'timeout');
    assert.equal(errorKind('postgres', { code: '57P01' }), 'lost');
    assert.equal(errorKind('postgres', { code: '08006' }), 'lost');
    assert.equal(errorKind('postgres', { message: 'Connection terminated unexpectedly' }), 'lost');
    assert.equal(
      errorKind('postgres', { message: 'Client has encountered a connection error and is not queryable' }),
      'unsent',
    );
    assert.equal(errorKind('postgres', { code: 'ECONNRESET' }), 'lost');
    assert.equal(errorKind('postgres', { code: 'ECONNREFUSED' }), 'unsent');
    assert.equal(errorKind('postgres', { code: '23505' }), undefined);
    assert.equal(errorKind('postgres', { code: '22008' }), 'range');
  });

  it('takes a PostgreSQL protocol violation (08P01) for a definite failure, not a lost connection', () => {
    // e.g. "insufficient data left in message": the server refused the Bind, the statement did not run.
    assert.equal(
      errorKind('postgres', { code: '08P01', message: 'insufficient data left in message' }),
      undefined,
    );
    assert.equal(errorKind('postgres', { code: '08006' }), 'lost');
  });

  it('reads MySQL/MariaDB errnos and mysql2 codes', () => {
    assert.equal(errorKind('mysql', { code: 'ER_LOCK_DEADLOCK', errno: 1213 }), 'deadlock');
    assert.equal(errorKind('mysql', { errno: 1969 }), 'timeout');
    assert.equal(errorKind('mysql', { errno: 3024 }), 'timeout');
    assert.equal(errorKind('mysql', { errno: 1927 }), 'lost');
    assert.equal(errorKind('mysql', { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }), 'lost');
    assert.equal(errorKind('mysql', { code: 'ECONNRESET', fatal: true }), 'lost');
    assert.equal(
      errorKind('mysql', { message: "Can't add new command when connection is in closed state" }),
      'unsent',
    );
    assert.equal(errorKind('mysql', { code: 'ER_DUP_ENTRY', errno: 1062 }), undefined);
  });

  it('reads a Galera node that cannot serve applications (1047) as unavailable: the statement did not run', () => {
    const refused = {
      code: 'ER_UNKNOWN_COM_ERROR',
      errno: 1047,
      sqlState: '08S01',
      message: 'WSREP has not yet prepared node for application use',
    };
    assert.equal(errorKind('mysql', refused), 'unavailable');
    assert.equal(errorKind('mysql', { errno: 1047 }), 'unavailable');
    assert.equal(errorKind('postgres', { errno: 1047 }), undefined);
  });

  it('reads SQLite codes', () => {
    assert.equal(errorKind('sqlite', { code: 'SQLITE_BUSY' }), 'serialization');
    assert.equal(errorKind('sqlite', { code: 'SQLITE_BUSY_SNAPSHOT' }), 'serialization');
    assert.equal(errorKind('sqlite', { code: 'SQLITE_CONSTRAINT_UNIQUE' }), undefined);
  });

  it('reads values out of range and values too large, on each database', () => {
    assert.equal(errorKind('postgres', { code: '22001' }), 'range');
    assert.equal(errorKind('postgres', { code: '22003' }), 'range');
    assert.equal(errorKind('mysql', { code: 'ER_DATA_TOO_LONG', errno: 1406 }), 'range');
    assert.equal(errorKind('mysql', { code: 'ER_WARN_DATA_OUT_OF_RANGE', errno: 1264 }), 'range');
    assert.equal(errorKind('mysql', { code: 'ER_DATA_OUT_OF_RANGE', errno: 1690 }), 'range');
    assert.equal(errorKind('mysql', { code: 'ER_NET_PACKET_TOO_LARGE', errno: 1153 }), 'tooLarge');
    assert.equal(errorKind('sqlite', { code: 'SQLITE_TOOBIG' }), 'tooLarge');
    assert.equal(
      errorKind(
        'sqlite',
        new RangeError('9223372036854775808 is outside the 64-bit integer range SQLite stores.'),
      ),
      'range',
    );
    assert.equal(
      errorKind('sqlite', new RangeError('The bound string, buffer, or bigint is too big')),
      'tooLarge',
    );
  });

  it('ignores what is not an error object', () => {
    assert.equal(errorKind('postgres', null), undefined);
    assert.equal(errorKind('mysql', 'boom'), undefined);
  });
});

describe('isRetryable', () => {
  const deadlock = new DeadlockError('deadlock', 'UPDATE t SET n = 1', [], { code: '40P01' });

  it('follows the cause chain', () => {
    assert.equal(isRetryable(deadlock), true);
    assert.equal(isRetryable(new TransactionError('rolled back', { cause: deadlock })), true);
    assert.equal(isRetryable(new ConnectionLostError('lost', 'SELECT 1', [], true, null)), true);
    assert.equal(isRetryable(new QueryError('syntax', 'SELEC 1', [], { code: '42601' })), false);
    assert.equal(isRetryable(new Error('plain')), false);
  });

  it('makes a refusing node (NodeUnavailableError) a definite connection failure the replica set skips', () => {
    const refused = new NodeUnavailableError('refused', 'SELECT * FROM t', [], false, { errno: 1047 });
    assert.ok(refused instanceof ConnectionLostError);
    assert.ok(refused instanceof ConnectionError);
    assert.equal(refused.name, 'NodeUnavailableError');
    assert.equal(refused.outcomeUnknown, false);
    assert.equal(isRetryable(refused), true);
    assert.equal(isUnreachable(refused), true);
  });

  it('never calls a lost COMMIT retryable', () => {
    const lost = new ConnectionLostError('lost', 'COMMIT', [], true, null);
    assert.equal(isRetryable(new CommitOutcomeUnknownError('unknown', { cause: lost })), false);
  });
});
