import assert from 'node:assert/strict';
import { afterEach, it } from 'node:test';
import {
  ClassNotRegisteredError,
  ConnectionError,
  DBObject,
  InteractionBase,
  Registry,
  connect,
} from '../../src/index.js';

afterEach(() => {
  Registry.DBPOOL = null;
});

it('finds registered classes by name and names the missing one in ClassNotRegisteredError', () => {
  class Picture extends DBObject {}
  Registry.register(Picture);
  assert.equal(Registry.getClass('Picture'), Picture);
  assert.throws(
    () => Registry.getClass('Avatar'),
    (error: unknown) => {
      return error instanceof ClassNotRegisteredError && /Registry\.register\(Avatar\)/.test(error.message);
    },
  );
});

it('says how to set a pool when none is set', async () => {
  assert.equal(Registry.DBPOOL, null);
  assert.throws(() => Registry.getConfig(), ConnectionError);
  class Lonely extends DBObject {}
  await assert.rejects(Lonely.find(1), /Registry\.DBPOOL = connect/);
});

it('gives one InteractionBase per pool', async () => {
  const pool = connect('sqlite::memory:');
  Registry.DBPOOL = pool;
  const config = Registry.getConfig();
  assert.ok(config instanceof InteractionBase);
  assert.equal(Registry.getConfig(), config);
  assert.equal(config.pool, pool);
  assert.notEqual(Registry.getConfig(connect('sqlite::memory:')), config);
  await pool.close();
});
