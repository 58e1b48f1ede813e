import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DBObject, Registry, connect, transaction, type ConnectionPool } from '../../src/index.js';
import { replicaUnavailable, startReplicaPair, type ReplicaPair } from '../support/replica.js';
import { switchedOn } from '../support/switches.js';

class Note extends DBObject {
  declare id: number;
  declare body: string;
}

// The suite makes a PostgreSQL primary and replica of its own (a few seconds): it runs when TWISTAR_REPLICAS=1 (as in CI).
const { skip, unavailable } = switchedOn(
  'TWISTAR_REPLICAS',
  'make a PostgreSQL primary and streaming replica for this suite',
  replicaUnavailable,
);

/** Polls until `check` holds (replication is asynchronous). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe('read replicas [postgres streaming replica]', { skip }, () => {
  let pair: ReplicaPair;
  let pool: ConnectionPool;

  /** True when the statement was answered by the replica. */
  const onReplica = async () => (await pool.runQuery('SELECT pg_is_in_recovery() AS r'))[0]?.r === true;

  before(async () => {
    if (unavailable !== null) assert.fail(`A PostgreSQL replica cannot run here: ${unavailable}`);
    pair = startReplicaPair();
    pool = connect({ primary: pair.primaryUrl, replicas: [pair.replicaUrl] }, { replicaRetryMs: 100 });
    Registry.DBPOOL = pool;
    await pool.runOperation('CREATE TABLE notes (id SERIAL PRIMARY KEY, body TEXT)');
    const replica = connect(pair.replicaUrl);
    await eventually(
      async () => (await replica.runQuery("SELECT to_regclass('notes') AS t"))[0]?.t !== null,
      'the table reaches the replica',
    );
    await replica.close();
  });

  after(async () => {
    Registry.DBPOOL = null;
    await pool?.close();
    pair?.destroy();
  });

  it('sends reads outside transactions to the replica and writes to the primary', async () => {
    assert.equal(await onReplica(), true);
    const note = await Note.create({ body: 'hello' });
    await eventually(async () => (await Note.find(note.id)) !== null, 'the row is replicated');
    assert.equal((await Note.find(note.id))?.body, 'hello');
  });

  it('keeps reads in a transaction, and in primary(), on the primary', async () => {
    await transaction(async () => {
      assert.equal(await onReplica(), false);
      const note = await Note.create({ body: 'read your writes' });
      assert.equal((await Note.find(note.id))?.body, 'read your writes');
    });
    assert.equal(await pool.primary(onReplica), false);
    assert.equal(await pool.runQuery('SELECT 1 AS one FOR UPDATE').then(() => onReplica()), true);
  });

  it('reads columns and refresh() from the primary while the replica has not replayed a migration', async () => {
    const replica = connect(pair.replicaUrl);
    const fresh = connect({ primary: pair.primaryUrl, replicas: [pair.replicaUrl] });
    const onPrimary = async (id: number) =>
      (await pool.primary(() => pool.runQuery('SELECT body, plan FROM notes WHERE id = ?', [id])))[0];
    try {
      const loaded = await Note.create({ body: 'before' }); // the pool has read the columns already
      await replica.runQuery('SELECT pg_wal_replay_pause()');
      await pool.runOperation('ALTER TABLE notes ADD COLUMN plan TEXT');
      assert.equal(
        (
          await replica.runQuery(
            "SELECT count(*)::int AS n FROM information_schema.columns WHERE column_name = 'plan'",
          )
        )[0]?.n,
        0,
      );
      // A pool that reads the columns now, and one that read them before the migration: both save the new column.
      Registry.DBPOOL = fresh;
      const created = await Note.create({ body: 'new', plan: 'pro' } as Partial<Note>);
      assert.deepEqual(await onPrimary(created.id), { body: 'new', plan: 'pro' });
      Registry.DBPOOL = pool;
      (loaded as unknown as Record<string, unknown>).plan = 'team';
      await loaded.save();
      assert.deepEqual(await onPrimary(loaded.id), { body: 'before', plan: 'team' });
      // refresh() reads what was just written, though the replica has not seen it.
      loaded.body = 'written';
      await loaded.save();
      loaded.body = 'local';
      await loaded.refresh();
      assert.equal(loaded.body, 'written');
    } finally {
      Registry.DBPOOL = pool;
      await replica.runQuery('SELECT pg_wal_replay_resume()');
      await Promise.all([replica.close(), fresh.close()]);
    }
  });

  it('answers reads from the primary while the replica is down, and returns to it when it is back', async () => {
    pair.stopReplica();
    try {
      assert.equal(await onReplica(), false);
      assert.ok((await Note.count()) >= 0);
    } finally {
      pair.startReplica();
    }
    await eventually(onReplica, 'reads go to the replica again');
  });
});
