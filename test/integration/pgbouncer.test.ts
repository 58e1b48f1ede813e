/**
 * PostgreSQL behind PgBouncer in transaction-pooling mode (Debian's 1.18: no prepared-statement support),
 * started by test/support/pgbouncer.ts in front of the shared server. Runs with TWISTAR_PGBOUNCER=1 (as
 * .ci/run sets) and TWISTAR_PG_URL.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  Migrator,
  Registry,
  StatementTimeoutError,
  connect,
  transaction,
  type ConnectionPool,
} from '../../src/index.js';
import { pgbouncerUnavailable, startPgBouncer, type PgBouncer } from '../support/pgbouncer.js';
import { switchedOn } from '../support/switches.js';
import { CREATE_WORK_TABLE, WORK_TABLE, runWork, type WorkOutcome } from '../support/pgbouncer-work.js';

const directUrl = process.env.TWISTAR_PG_URL;
const { skip, unavailable } = switchedOn(
  'TWISTAR_PGBOUNCER',
  'start PgBouncer in front of TWISTAR_PG_URL and run this suite',
  () => (directUrl === undefined ? 'TWISTAR_PG_URL is not set' : pgbouncerUnavailable()),
);

/** Rounds of work per worker; four workers (two pools here, two processes). */
const ITERATIONS = Number(process.env.TWISTAR_PGBOUNCER_ITERATIONS ?? 200);
const PROCESSES = 2;

/** Runs test/support/pgbouncer-work.ts in another process and resolves to its outcome. */
function workInProcess(url: string, tag: string, iterations: number): Promise<WorkOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/support/pgbouncer-work.ts', url, tag, String(iterations)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out) as WorkOutcome);
      } catch {
        reject(new Error(`worker ${tag} exited ${String(code)}: ${out}${err}`));
      }
    });
  });
}

/** Runs the twistar CLI (from the sources) against `url`. */
function twistarCli(
  url: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--url', url, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', DATABASE_URL: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('PostgreSQL behind PgBouncer (transaction pooling)', { skip }, () => {
  let bouncer: PgBouncer;
  let url: string;
  let direct: ConnectionPool;
  const pools: ConnectionPool[] = [];
  const open = (options?: Parameters<typeof connect>[1]) => {
    const pool = connect(url, options);
    pools.push(pool);
    return pool;
  };
  const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;

  before(async () => {
    if (unavailable !== null) assert.fail(`PgBouncer cannot run here: ${unavailable}`);
    bouncer = startPgBouncer();
    url = bouncer.urlFor(directUrl ?? '');
    direct = connect(directUrl ?? '');
    await direct.runOperation(`DROP TABLE IF EXISTS ${WORK_TABLE}`);
    await direct.runOperation(CREATE_WORK_TABLE);
  });

  after(async () => {
    Registry.DBPOOL = null;
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
    await direct?.runOperation(`DROP TABLE IF EXISTS ${WORK_TABLE}`).catch(() => undefined);
    await direct?.close();
    bouncer?.stop();
  });

  it('connects with default options (no startup parameter PgBouncer refuses)', async () => {
    const pool = open();
    assert.deepEqual(await pool.runQuery('SELECT 1 AS one'), [{ one: 1 }]);
  });

  it('runs two pools here and two processes concurrently, with default options: no failure, no wrong answer', async (t) => {
    const models = open();
    const lowLevel = open();
    Registry.DBPOOL = models;
    const started = performance.now();
    const outcomes = await Promise.all([
      runWork(models, `${run}-models`, ITERATIONS, true),
      runWork(lowLevel, `${run}-lowlevel`, ITERATIONS, false),
      ...Array.from({ length: PROCESSES }, (_, k) => workInProcess(url, `${run}-process${k}`, ITERATIONS)),
    ]);
    const total = outcomes.reduce((sum, outcome) => sum + outcome.iterations, 0);
    const failures = outcomes.reduce((sum, outcome) => sum + outcome.failures, 0);
    t.diagnostic(
      `${total} iterations by 2 pools in this process and ${PROCESSES} other processes through PgBouncer ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s: ${failures} failed`,
    );
    assert.deepEqual(
      outcomes.filter((outcome) => outcome.failures > 0),
      [],
      'every iteration of every worker succeeded',
    );
    assert.equal(total, ITERATIONS * (2 + PROCESSES));
  });

  it('also works with preparedStatements: false', async () => {
    const pool = open({ preparedStatements: false });
    const outcome = await runWork(pool, `${run}-unnamed`, 20, false);
    assert.deepEqual(outcome.errors, []);
  });

  it('runs migrations through the pooler, with Migrator and with the twistar CLI', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'twistar-pgbouncer-migrations-'));
    const table = `bouncer_migrated_${run}`;
    try {
      writeFileSync(join(folder, 'package.json'), '{ "type": "module" }\n');
      writeFileSync(
        join(folder, '20240101000000_create_table.js'),
        `export async function up(db) {\n  await db.createTable('${table}', (t) => { t.id(); t.string('name'); t.datetime('at'); });\n}\n` +
          `export async function down(db) {\n  await db.dropTable('${table}');\n}\n`,
      );
      writeFileSync(
        join(folder, '20240102000000_add_column.js'),
        `export async function up(db) {\n  await db.alterTable('${table}', (t) => { t.integer('n'); });\n}\n` +
          `export async function down(db) {\n  await db.alterTable('${table}', (t) => { t.dropColumn('n'); });\n}\n`,
      );
      const pool = open();
      const migrationsTable = `twistar_migrations_${run}`;
      const migrator = new Migrator(pool, { folder, tableName: migrationsTable });
      const applied = await migrator.latest();
      assert.equal(applied.length, 2);
      const at = new Date(Date.UTC(2024, 0, 31, 23, 59, 59, 999));
      await pool.runOperation(`INSERT INTO ${table} (name, at, n) VALUES (?, ?, ?)`, ['x', at, 1]);
      const [row] = await pool.runQuery(`SELECT name, at, n FROM ${table}`);
      assert.deepEqual(row, { name: 'x', at, n: 1 });
      await migrator.rollback();
      await migrator.rollback();
      // The same migrations again, by the twistar CLI in another process.
      const cli = await twistarCli(url, [
        '--migrations',
        folder,
        '--migrations-table',
        migrationsTable,
        'migrate',
      ]);
      assert.equal(cli.code, 0, cli.stdout + cli.stderr);
      assert.equal((await pool.runQuery(`SELECT COUNT(*) AS n FROM ${migrationsTable}`))[0]?.n, 2);
      const back = await twistarCli(url, [
        '--migrations',
        folder,
        '--migrations-table',
        migrationsTable,
        'migrate:rollback',
        '--steps',
        '1',
      ]);
      assert.equal(back.code, 0, back.stdout + back.stderr);
      await pool.runOperation(`DROP TABLE ${migrationsTable}`);
    } finally {
      rmSync(folder, { recursive: true, force: true });
      await direct.runOperation(`DROP TABLE IF EXISTS ${table}`);
    }
  });

  it('keeps dates exact whatever time zone the server session is in', async () => {
    const pool = open();
    const values = [
      new Date(Date.UTC(2024, 5, 30, 23, 30, 15, 123)),
      new Date(Date.UTC(1, 0, 1, 0, 0, 0, 1)),
      new Date(Date.UTC(12_345, 6, 7, 8, 9, 10, 11)),
    ];
    await transaction(
      async (txn) => {
        // A session setting lasts only for a transaction behind PgBouncer; set it where it holds.
        await txn.runOperation("SET LOCAL TIME ZONE 'Pacific/Chatham'");
        const [zone] = await txn.runQuery("SELECT current_setting('TimeZone') AS zone");
        assert.equal(zone?.zone, 'Pacific/Chatham');
        for (const at of values) {
          const [row] = await txn.runQuery(
            'SELECT ?::timestamp AS plain, ?::timestamptz AS zoned, ?::date AS day',
            [at, at, at],
          );
          const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
          day.setUTCFullYear(at.getUTCFullYear());
          assert.deepEqual(row, { plain: at, zoned: at, day });
        }
      },
      { pool },
    );
  });

  it('cancels a statement past statementTimeoutMs through the protocol (CancelRequest)', async () => {
    const pool = open({ statementTimeoutMs: 300 });
    const marker = `bouncer_cancel_${run}`;
    const started = performance.now();
    await assert.rejects(
      pool.runQuery(`SELECT pg_sleep(20) AS ${marker}`),
      (error: unknown) => error instanceof StatementTimeoutError,
    );
    const elapsed = performance.now() - started;
    // The server stopped it: the pool did not have to give up on the connection a second later.
    assert.ok(elapsed < 1_200, `cancelled after ${elapsed.toFixed(0)} ms`);
    // The server stopped it (without the cancel reaching it, it would run for 20 s): within a second at most,
    // the time pg_stat_activity may take to show the session idle.
    const stillRunning = () =>
      direct.runQuery(
        "SELECT pid, state FROM pg_stat_activity WHERE state = 'active' AND query LIKE ? AND pid <> pg_backend_pid()",
        [`%${marker}%`],
      );
    let running = await stillRunning();
    for (let attempt = 0; attempt < 20 && running.length > 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      running = await stillRunning();
    }
    assert.deepEqual(running, []);
    assert.deepEqual(await pool.runQuery('SELECT 2 AS two'), [{ two: 2 }]);
  });

  it('runs a transaction through the pooler and rolls one back', async () => {
    const pool = open();
    const db = Registry.getConfig(pool);
    const tag = `${run}-txn`;
    await transaction(() => db.insert(WORK_TABLE, { tag, n: 1 }), { pool });
    await assert.rejects(
      transaction(
        async () => {
          await db.insert(WORK_TABLE, { tag, n: 2 });
          throw new Error('undo');
        },
        { pool },
      ),
    );
    assert.equal(await db.count(WORK_TABLE, ['tag = ?', tag]), 1);
  });
});
