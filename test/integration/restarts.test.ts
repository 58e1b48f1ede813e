import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CommitOutcomeUnknownError,
  ConnectionError,
  TransactionError,
  transaction,
  type ConnectionPool,
} from '../../src/index.js';
import { describeOn, it } from '../support/backends.js';
import { createTable } from '../support/schema.js';
import { restartServer, type StopMode } from '../support/servers.js';
import { switchedOn } from '../support/switches.js';

// Restarting the servers needs the rights to do so: CI sets TWISTAR_RESTART_SERVERS=1 (see .ci/run).
const { skip } = switchedOn('TWISTAR_RESTART_SERVERS', 'stop and start the local servers');
const CONNECT_TIMEOUT_MS = 2_000;

/** A failure the client may see while the server is away; anything else is a bug. */
function isOutage(error: unknown): boolean {
  if (error instanceof CommitOutcomeUnknownError || error instanceof ConnectionError) return true;
  return error instanceof TransactionError && error.cause instanceof ConnectionError;
}

async function restartUnderLoad(pool: ConnectionPool, name: 'postgres' | 'mysql', mode: StopMode) {
  await createTable(pool, 'restart_items', { id: 'pk', tag: 'string not null' });
  const outcome = new Map<string, 'committed' | 'failed' | 'unknown'>();
  let slowestFailureMs = 0;
  let stop = false;
  const worker = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const tag = `w${w}-${i}`;
      const started = performance.now();
      try {
        await transaction(
          async (txn) => {
            for (let r = 0; r < 3; r++)
              await txn.runOperation('INSERT INTO restart_items (tag) VALUES (?)', [tag]);
          },
          { pool },
        );
        outcome.set(tag, 'committed');
      } catch (error) {
        assert.ok(isOutage(error), `unexpected failure: ${String(error)}`);
        slowestFailureMs = Math.max(slowestFailureMs, performance.now() - started);
        outcome.set(tag, error instanceof CommitOutcomeUnknownError ? 'unknown' : 'failed');
        await sleep(20);
      }
    }
  };
  const workers = [1, 2, 3, 4].map(worker);
  await sleep(300);
  await restartServer(name, mode, 1_000);
  // The same pool serves again by itself: the first transactions after the restart succeed.
  let resumed = false;
  for (let tries = 0; tries < 100 && !resumed; tries++) {
    resumed = await pool.runQuery('SELECT 1 AS one').then(
      () => true,
      () => false,
    );
    if (!resumed) await sleep(100);
  }
  assert.ok(resumed, 'the pool did not recover after the server came back');
  await sleep(300);
  stop = true;
  await Promise.all(workers);

  const rows = await pool.runQuery('SELECT tag, COUNT(*) AS found FROM restart_items GROUP BY tag');
  const present = new Map(rows.map((row) => [String(row.tag), Number(row.found)]));
  for (const [tag, state] of outcome) {
    const count = present.get(tag) ?? 0;
    if (state === 'committed') assert.equal(count, 3, `acknowledged ${tag} has ${count} of 3 rows`);
    else if (state === 'failed') assert.equal(count, 0, `${tag} failed before COMMIT but has ${count} rows`);
    else assert.ok(count === 0 || count === 3, `${tag} (outcome unknown) has ${count} of 3 rows`);
  }
  const failed = [...outcome.values()].filter((state) => state !== 'committed').length;
  assert.ok(failed > 0, 'the restart was seen by the clients');
  // Pending work failed within the connect timeout (plus the time a refused connection takes to report).
  assert.ok(
    slowestFailureMs < CONNECT_TIMEOUT_MS + 1_500,
    `a failure took ${slowestFailureMs.toFixed(0)} ms`,
  );
  const { inUse, waiting, open, max } = pool.stats;
  assert.deepEqual({ inUse, waiting }, { inUse: 0, waiting: 0 });
  assert.ok(open <= max);
  return { transactions: outcome.size, failed, slowestFailureMs };
}

if (skip !== false) {
  describe('faults: server restarts', { skip }, () => {});
} else {
  describeOn(['postgres', 'mysql'], 'faults: server restarts', (db) => {
    const modes: readonly StopMode[] = db.backend === 'postgres' ? ['fast', 'immediate'] : ['shutdown'];
    for (const mode of modes) {
      it(`resumes by itself after a ${mode} stop and start, losing no acknowledged commit`, async (t) => {
        const pool = db.openPool({ max: 4, connectTimeoutMs: CONNECT_TIMEOUT_MS });
        const figures = await restartUnderLoad(pool, db.backend as 'postgres' | 'mysql', mode);
        t.diagnostic(
          `${figures.transactions} transactions, ${figures.failed} failed during the outage, slowest failure ${figures.slowestFailureMs.toFixed(0)} ms`,
        );
      });
    }
  });
}
