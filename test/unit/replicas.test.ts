import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplicaSet, isReadOnly } from '../../src/connection/replicas.js';

const replica = (name: string) => ({ name, close: () => Promise.resolve() });

describe('ReplicaSet', () => {
  it('takes replicas in turn', () => {
    const [a, b] = [replica('a'), replica('b')];
    const set = new ReplicaSet([a, b], 1000);
    assert.deepEqual(
      [set.pick(0), set.pick(0), set.pick(0)].map((r) => r?.name),
      ['a', 'b', 'a'],
    );
  });

  it('skips a replica marked down until its retry time, and answers undefined when all are down', () => {
    const [a, b] = [replica('a'), replica('b')];
    const set = new ReplicaSet([a, b], 1000);
    set.markDown(a, 0);
    assert.deepEqual(
      [set.pick(10), set.pick(10)].map((r) => r?.name),
      ['b', 'b'],
    );
    set.markDown(b, 10);
    assert.equal(set.pick(500), undefined);
    assert.equal(set.pick(1000)?.name, 'a');
  });
});

describe('isReadOnly', () => {
  it('lets plain SELECTs go to replicas', () => {
    assert.equal(isReadOnly('SELECT * FROM "users" WHERE "id" = ?'), true);
    assert.equal(isReadOnly('  select count(*) from t'), true);
  });

  it('keeps writes, locking reads and sequence calls on the primary', () => {
    for (const sql of [
      'INSERT INTO t VALUES (1)',
      'UPDATE t SET a = 1',
      'WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x',
      'SELECT * FROM t FOR UPDATE',
      'SELECT * FROM t FOR NO KEY UPDATE',
      'SELECT * FROM t LOCK IN SHARE MODE',
      "SELECT nextval('s')",
      'SELECT pg_advisory_lock(1)',
      'SELECT * INTO copy FROM t',
    ]) {
      assert.equal(isReadOnly(sql), false, sql);
    }
  });
});
