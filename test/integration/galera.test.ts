import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  ConnectionError,
  ConnectionLostError,
  MigrationLockError,
  MigrationLockLostError,
  Migrator,
  connect,
  NodeUnavailableError,
  type ConnectionPool,
} from '../../src/index.js';
import { SQL_PORTS, galeraUnavailable, startGaleraCluster, type GaleraCluster } from '../support/galera.js';
import { switchedOn } from '../support/switches.js';

// The suite starts a cluster of its own (about 15 s): it runs when TWISTAR_GALERA=1 (as in CI).
const { skip, unavailable } = switchedOn(
  'TWISTAR_GALERA',
  'start a 3-node Galera cluster for this suite',
  galeraUnavailable,
);

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** tsx, by its full address: the CLI runs in a project folder that has no node_modules. */
const TSX = import.meta.resolve('tsx');
const folders: string[] = [];

/** Runs `twistar --url <url> migrate` (from the sources) in `cwd`; resolves to its exit code and output. */
function twistarMigrate(cwd: string, url: string): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', TSX, CLI, '--url', url, 'migrate'], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', DATABASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', (code) => done({ code: code ?? -1, out }));
  });
}

function folderWith(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'twistar-galera-migrations-'));
  folders.push(folder);
  writeFileSync(join(folder, 'package.json'), '{ "type": "module" }\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return folder;
}

/** A migration that logs itself into mig_log, then takes `ms`. */
function logging(name: string, ms: number): string {
  return `export async function up(db) {
  await db.runOperation('INSERT INTO mig_log (migration) VALUES (?)', ['${name}']);
  await new Promise((resolve) => setTimeout(resolve, ${ms}));
}

export async function down() {}
`;
}

/** Polls until `check` holds. */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe('on a Galera cluster [3 MariaDB nodes]', { skip }, () => {
  let cluster: GaleraCluster;
  const pools: ConnectionPool[] = [];
  const open = (target: Parameters<typeof connect>[0], options: Parameters<typeof connect>[1] = {}) => {
    const pool = connect(target, options);
    pools.push(pool);
    return pool;
  };

  before(async () => {
    if (unavailable !== null) assert.fail(`A Galera cluster cannot run here: ${unavailable}`);
    cluster = await startGaleraCluster();
    console.log(`galera: 3 nodes up in ${cluster.startMs} ms`);
  });

  after(async () => {
    await Promise.all(pools.map((pool) => pool.close().catch(() => undefined)));
    await cluster?.destroy();
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  });

  describe('the migration lock', () => {
    let node0: ConnectionPool;
    let node1: ConnectionPool;

    before(() => {
      node0 = open(cluster.url(0));
      node1 = open(cluster.url(1));
    });

    beforeEach(async () => {
      for (const table of ['mig_log', 'twistar_migrations', 'twistar_migrations_lock']) {
        await node0.runOperation(`DROP TABLE IF EXISTS ${table}`);
      }
      await node0.runOperation(
        'CREATE TABLE mig_log (id INT AUTO_INCREMENT PRIMARY KEY, migration VARCHAR(100) NOT NULL)',
      );
      await eventually(async () => {
        await node1.runQuery('SELECT 1 FROM mig_log');
        return true;
      }, 'mig_log reaches node 1');
    });

    /** mig_log as node 0 sees it once node 1's writes have reached it. */
    async function logged(): Promise<string[]> {
      await node0.runQuery('SELECT 1'); // (a round trip; the cluster commits synchronously)
      const rows = await node0.runQuery('SELECT migration FROM mig_log ORDER BY migration');
      return rows.map((row) => String(row.migration));
    }

    it('lets runs started at once on each node apply each migration exactly once', async () => {
      const node2 = open(cluster.url(2));
      const names = ['a', 'b', 'c', 'd'];
      const files = names.map((name, at) => `2024010${at + 1}000000_${name}`);
      const folder = folderWith(
        Object.fromEntries(files.map((file, at) => [`${file}.ts`, logging(names[at]!, 100)])),
      );
      // Three rounds: each starts from an empty database, all three runs at the same instant.
      for (let round = 0; round < 3; round++) {
        await node0.runOperation('DROP TABLE IF EXISTS twistar_migrations');
        await node0.runOperation('DELETE FROM mig_log');
        const runs = await Promise.allSettled(
          [node0, node1, node2].map((pool) => new Migrator(pool, { folder }).latest()),
        );
        for (const run of runs) {
          assert.equal(run.status, 'fulfilled', String((run as PromiseRejectedResult).reason));
        }
        const applied = runs.flatMap((run) => (run.status === 'fulfilled' ? run.value : []));
        const counts = runs.map((run) => (run.status === 'fulfilled' ? run.value.length : 0));
        console.log(
          `galera: round ${round}: migrations applied by the runs on nodes 0, 1, 2: ${counts.join(', ')}`,
        );
        assert.deepEqual(applied.sort(), files, `round ${round}: each migration applied by one run`);
        assert.deepEqual(await logged(), names, `round ${round}: each migration ran once`);
        const recorded = await node1.runQuery('SELECT name FROM twistar_migrations ORDER BY name');
        assert.deepEqual(
          recorded.map((row) => row.name),
          files,
        );
        assert.deepEqual(
          await node2.runQuery('SELECT * FROM twistar_migrations_lock'),
          [],
          'the lock is released',
        );
      }
    });

    it('lets two `twistar migrate` processes started at once on two nodes apply each migration once', async () => {
      const project = mkdtempSync(join(tmpdir(), 'twistar-galera-project-'));
      folders.push(project);
      writeFileSync(join(project, 'package.json'), '{ "type": "module" }\n');
      mkdirSync(join(project, 'migrations'));
      const names = ['a', 'b', 'c'];
      const files = names.map((name, at) => `2024020${at + 1}000000_${name}`);
      for (const [at, file] of files.entries()) {
        writeFileSync(join(project, 'migrations', `${file}.js`), logging(names[at]!, 100));
      }
      const [one, two] = await Promise.all([
        twistarMigrate(project, cluster.url(0)),
        twistarMigrate(project, cluster.url(1)),
      ]);
      assert.equal(one?.code, 0, one?.out);
      assert.equal(two?.code, 0, two?.out);
      assert.deepEqual(await logged(), names);
      const recorded = await node0.runQuery('SELECT name FROM twistar_migrations ORDER BY name');
      assert.deepEqual(
        recorded.map((row) => row.name),
        files,
      );
    });

    it('makes a run on another node wait, and give up after lockTimeoutMs naming the holder', async () => {
      let release!: () => void;
      (globalThis as { galeraGate?: Promise<void> }).galeraGate = new Promise(
        (resolve) => (release = resolve),
      );
      const folder = folderWith({
        '20240101000000_waits.ts':
          'export async function up() { await globalThis.galeraGate; }\nexport async function down() {}\n',
      });
      let inside!: () => void;
      const entered = new Promise<void>((resolve) => (inside = resolve));
      const holding = new Migrator(node0, { folder }).latest({
        onProgress: (event) => event.type === 'migrating' && inside(),
      });
      await entered;
      await assert.rejects(new Migrator(node1, { folder, lockTimeoutMs: 500 }).latest(), (error: unknown) => {
        assert.ok(error instanceof MigrationLockError, String(error));
        assert.match(error.message, /held by .+ \(Galera lock row in twistar_migrations_lock\)/);
        return true;
      });
      release();
      assert.deepEqual(await holding, ['20240101000000_waits']);
      assert.deepEqual(await new Migrator(node1, { folder, lockTimeoutMs: 1_000 }).latest(), []);
    });

    it('breaks the lock of a crashed run once it is stale, and not before', async () => {
      const folder = folderWith({ '20240101000000_a.ts': logging('a', 0) });
      // Run one migration so that the lock table exists, then leave a row as a crashed run would.
      await new Migrator(node0, { folder: folderWith({}) }).latest();
      await node0.runOperation(
        'INSERT INTO twistar_migrations_lock (id, owner, acquired_at, expires_at) ' +
          "VALUES (1, 'crashed-run', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL 1 HOUR)",
      );
      await assert.rejects(new Migrator(node1, { folder, lockTimeoutMs: 300 }).latest(), /crashed-run/);
      assert.deepEqual(await logged(), []);
      await node0.runOperation(
        'UPDATE twistar_migrations_lock SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND',
      );
      assert.deepEqual(await new Migrator(node1, { folder, lockTimeoutMs: 5_000 }).latest(), [
        '20240101000000_a',
      ]);
      assert.deepEqual(await logged(), ['a']);
      assert.deepEqual(await node0.runQuery('SELECT * FROM twistar_migrations_lock'), []);
    });

    it('stops a run whose lock was taken from it before its next statement', async () => {
      let release!: () => void;
      (globalThis as { galeraGate?: Promise<void> }).galeraGate = new Promise(
        (resolve) => (release = resolve),
      );
      const folder = folderWith({
        '20240101000000_a.ts': logging('a', 0),
        '20240102000000_waits.ts':
          'export async function up(db) {\n  await globalThis.galeraGate;\n' +
          '  await db.runOperation("INSERT INTO mig_log (migration) VALUES (\'b\')");\n}\n' +
          'export async function down() {}\n',
        '20240103000000_c.ts': logging('c', 0),
      });
      let inSecond!: () => void;
      const reached = new Promise<void>((resolve) => (inSecond = resolve));
      const run = new Migrator(node0, { folder })
        .latest({ onProgress: (event) => event.type === 'migrating' && event.index === 2 && inSecond() })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      await reached;
      // Another node takes the row over (as a run that judged it stale would).
      await node1.runOperation("UPDATE twistar_migrations_lock SET owner = 'someone-else' WHERE id = 1");
      release();
      const error = await run;
      assert.ok(error instanceof MigrationLockLostError, String(error));
      assert.equal(error.migration, '20240102000000_waits');
      assert.deepEqual(error.completed, ['20240101000000_a']);
      assert.deepEqual(await logged(), ['a'], 'nothing further applied');
      await node1.runOperation('DELETE FROM twistar_migrations_lock');
      assert.deepEqual(await new Migrator(node1, { folder }).latest(), [
        '20240102000000_waits',
        '20240103000000_c',
      ]);
      assert.deepEqual(await logged(), ['a', 'b', 'c']);
    });
  });
  describe('a node outside the primary component (error 1047)', () => {
    const isolate = (on: boolean) =>
      cluster.sql(2, `SET GLOBAL wsrep_provider_options='gmcast.isolate=${on ? 1 : 0}'`);

    before(async () => {
      const node0 = open(cluster.url(0));
      await node0.runOperation('DROP TABLE IF EXISTS galera_notes');
      await node0.runOperation('CREATE TABLE galera_notes (id INT PRIMARY KEY, body VARCHAR(50))');
      await node0.runOperation("INSERT INTO galera_notes VALUES (1, 'hello')");
    });

    after(async () => {
      await isolate(false).catch(() => undefined);
      await cluster.waitReady();
    });

    it('is typed as a definite connection-level failure, and the replica set reads elsewhere meanwhile', async () => {
      const retryMs = 3_000;
      const pool = open(
        { primary: cluster.url(0), replicas: [cluster.url(2)] },
        {
          replicaRetryMs: retryMs,
        },
      );
      const refused: number[] = [];
      pool.on('query', (event: { error?: unknown }) => {
        if ((event.error as { errno?: unknown } | undefined)?.errno === 1047) refused.push(Date.now());
      });
      const read = async () => {
        const [row] = await pool.runQuery('SELECT @@port AS port, body FROM galera_notes WHERE id = 1');
        assert.equal(row?.body, 'hello');
        return Number(row?.port);
      };
      await eventually(async () => (await read()) === SQL_PORTS[2], 'node 2 has the row and answers reads');

      // Cut node 2 off from the others: it loses quorum, leaves the primary component and refuses statements.
      await isolate(true);
      const isolated = Date.now();
      const direct = open(cluster.url(2));
      let error: unknown;
      await eventually(
        async () => {
          error = await direct.runQuery('SELECT body FROM galera_notes').then(
            () => undefined,
            (thrown: unknown) => thrown,
          );
          return error !== undefined;
        },
        'node 2 refuses statements',
        30_000,
      );
      console.log(
        `galera: node 2 refused statements with 1047 ${Date.now() - isolated} ms after it was isolated`,
      );
      assert.ok(error instanceof NodeUnavailableError, String(error));
      assert.ok(error instanceof ConnectionLostError);
      assert.ok(error instanceof ConnectionError);
      assert.equal(error.outcomeUnknown, false, 'the statement did not run');
      assert.match(error.message, /WSREP has not yet prepared node for application use/);
      assert.match(error.message, /did not run/);
      assert.equal(await cluster.status(2, 'wsrep_cluster_status'), 'non-Primary');

      // Reads through the pool still succeed: node 2 is skipped for replicaRetryMs, the primary answers.
      refused.length = 0;
      const started = Date.now();
      for (let i = 0; i < 20; i++) assert.equal(await read(), SQL_PORTS[0]);
      assert.ok(refused.length >= 1, 'the first read tried node 2');
      assert.ok(
        refused.every((at) => at - started < retryMs),
        'node 2 was not tried again within replicaRetryMs',
      );
      const tries = refused.length;
      console.log(
        `galera: 20 reads through the pool: all answered by node 0; statements refused by node 2: ${tries}`,
      );
      await new Promise((resolve) => setTimeout(resolve, retryMs + 100));
      assert.equal(await read(), SQL_PORTS[0], 'still answered by the primary once node 2 is tried again');
      assert.ok(refused.length > tries, 'node 2 was tried again after replicaRetryMs');

      // Back in the cluster, node 2 answers reads again.
      await isolate(false);
      const rejoining = Date.now();
      await cluster.waitReady();
      console.log(
        `galera: node 2 back in the cluster and synced ${Date.now() - rejoining} ms after isolate=0`,
      );
      await new Promise((resolve) => setTimeout(resolve, retryMs + 100));
      await eventually(async () => (await read()) === SQL_PORTS[2], 'reads go to node 2 again', 20_000);
    });
  });
});
