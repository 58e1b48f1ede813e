import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TransactionError } from '../../src/index.js';
import type { IsolationLevel } from '../../src/dialects/isolation-level.js';
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
