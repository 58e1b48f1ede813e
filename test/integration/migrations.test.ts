import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, beforeEach } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  InvalidQueryError,
  MigrationChangedError,
  MigrationError,
  MigrationFileError,
  MigrationLockError,
  MigrationLockLostError,
  Migrator,
  UnsafeSqlError,
  connect,
  type ConnectionPool,
  type MigrationProgress,
} from '../../src/index.js';
import { advisoryKey } from '../../src/dialects/postgres/postgres-migration-lock.js';
import {
  describeEachBackend,
  describeEachServer,
  describeOn,
  type DialectName,
  it,
} from '../support/backends.js';

const RUNNER = fileURLToPath(new URL('../support/migrate-runner.ts', import.meta.url));

/** Every table these tests create, children before parents. */
const TABLES = ['mig_log', 'mig_users', 'mig_teams', 'mig_a', 'mig_b', 'mig_widgets', 'twistar_migrations'];

const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** A temporary migrations folder holding `files` (ES modules, as in a `"type": "module"` project). */
function folderWith(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'twistar-migrations-'));
  folders.push(folder);
  writeFileSync(join(folder, 'package.json'), '{ "type": "module" }\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
  return folder;
}

const TEAMS_SQL = `-- up
CREATE TABLE mig_teams (id BIGINT PRIMARY KEY, name VARCHAR(50));
INSERT INTO mig_teams (id, name) VALUES (1, 'a;b');

-- down
DROP TABLE mig_teams;
`;

const USERS_TS = `export async function up(db) {
  await db.createTable('mig_users', (t) => {
    t.id();
    t.string('name').notNull();
    t.references('team_id', 'mig_teams').onDelete('cascade');
    t.timestamps();
  });
}

export async function down(db) {
  await db.dropTable('mig_users');
}
`;

const WIDGETS_JS = `export async function up(db) {
  await db.createTable('mig_widgets', (t) => {
    t.id();
    t.boolean('shiny').notNull().default(true);
  });
}

export async function down(db) {
  await db.dropTable('mig_widgets');
}
`;

/** A migration that logs itself into mig_log and takes a while: for the lock tests. */
function slowLogging(name: string, ms: number): string {
  return `export async function up(db) {
  await db.runOperation('INSERT INTO mig_log (migration) VALUES (?)', ['${name}']);
  await new Promise((resolve) => setTimeout(resolve, ${ms}));
}

export async function down(db) {
  await db.runOperation('DELETE FROM mig_log WHERE migration = ?', ['${name}']);
}
`;
}

const LOG_SQL =
  '-- up\nCREATE TABLE mig_log (migration VARCHAR(100) NOT NULL);\n-- down\nDROP TABLE mig_log;\n';

async function dropAll(pool: ConnectionPool): Promise<void> {
  for (const table of TABLES) await pool.runOperation(`DROP TABLE IF EXISTS ${table}`);
}

async function tableExists(pool: ConnectionPool, table: string): Promise<boolean> {
  const [sql, params] = pool.dialect.columnsQuery(table);
  return (await pool.runQuery(sql, params)).length > 0;
}

async function recorded(pool: ConnectionPool): Promise<{ name: string; batch: number; checksum: string }[]> {
  const rows = await pool.runQuery('SELECT name, batch, checksum FROM twistar_migrations ORDER BY name');
  return rows.map((row) => ({
    name: String(row.name),
    batch: Number(row.batch),
    checksum: String(row.checksum),
  }));
}

/** Runs test/support/migrate-runner.ts in its own process; `go()` lets it start, `result` is what it printed. */
function runner(url: string, folder: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, url, folder], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let announce!: () => void;
  const ready = new Promise<void>((resolve) => (announce = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.includes('ready\n')) announce();
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const result = new Promise<{ applied?: string[]; error?: string }>((resolve, reject) =>
    child.on('exit', (code) => {
      const line = out.split('\n').find((text) => text.startsWith('{'));
      if (code !== 0 || line === undefined) reject(new Error(`runner exited with ${code}: ${out}${err}`));
      else resolve(JSON.parse(line) as { applied?: string[]; error?: string });
    }),
  );
  return { ready, go: () => child.stdin.write('go\n'), result };
}

describeEachBackend('migrations', (ctx) => {
  beforeEach(() => dropAll(ctx.pool));

  it('applies pending migrations in name order as one batch, recording name, checksum, time and batch', async () => {
    const folder = folderWith({
      '20240102000000_create_users.ts': USERS_TS,
      '20240101000000_create_teams.sql': TEAMS_SQL,
      'README.md': 'not a migration',
      '_helpers.ts': 'export {};',
    });
    const migrator = new Migrator(ctx.pool, { folder });
    const events: MigrationProgress[] = [];
    const before = Date.now();
    const applied = await migrator.latest({ onProgress: (event) => events.push(event) });
    assert.deepEqual(applied, ['20240101000000_create_teams', '20240102000000_create_users']);
    assert.deepEqual(
      events.filter((event) => event.type !== 'statement').map((event) => `${event.type} ${event.migration}`),
      [
        'migrating 20240101000000_create_teams',
        'migrated 20240101000000_create_teams',
        'migrating 20240102000000_create_users',
        'migrated 20240102000000_create_users',
      ],
    );
    // Each `migrated` event counts the statements its migration sent, as its `statement` events did.
    for (const done of events.filter((event) => event.type === 'migrated')) {
      const sent = events.filter((event) => event.type === 'statement' && event.migration === done.migration);
      assert.ok(sent.length > 0);
      assert.equal(done.statements, sent.length, done.migration);
    }
    assert.deepEqual(await ctx.pool.runQuery('SELECT name FROM mig_teams'), [{ name: 'a;b' }]);
    await ctx.pool.runOperation("INSERT INTO mig_users (name, team_id) VALUES ('Ann', 1)");
    const sha = (file: string) =>
      createHash('sha256')
        .update(readFileSync(join(folder, file)))
        .digest('hex');
    assert.deepEqual(await recorded(ctx.pool), [
      { name: '20240101000000_create_teams', batch: 1, checksum: sha('20240101000000_create_teams.sql') },
      { name: '20240102000000_create_users', batch: 1, checksum: sha('20240102000000_create_users.ts') },
    ]);
    for (const entry of await migrator.status()) {
      assert.equal(entry.state, 'applied');
      assert.ok(entry.appliedAt instanceof Date);
      assert.ok(Math.abs(entry.appliedAt.getTime() - before) < 60_000, 'applied_at is the time in UTC');
    }

    assert.deepEqual(await migrator.latest(), [], 'nothing pending: no new batch');
    writeFileSync(join(folder, '20240103000000_create_widgets.js'), WIDGETS_JS);
    assert.deepEqual(await migrator.latest(), ['20240103000000_create_widgets']);
    assert.deepEqual(
      (await recorded(ctx.pool)).map((row) => row.batch),
      [1, 1, 2],
    );
  });

  it('status lists applied, pending, changed and missing migrations; an edited one stops latest and rollback', async () => {
    const folder = folderWith({
      '20240101000000_create_teams.sql': TEAMS_SQL,
      '20240102000000_create_users.ts': USERS_TS,
      '20240103000000_create_widgets.js': WIDGETS_JS,
    });
    const migrator = new Migrator(ctx.pool, { folder });
    assert.deepEqual(
      (await migrator.status()).map((entry) => [entry.state, entry.batch]),
      [
        ['pending', null],
        ['pending', null],
        ['pending', null],
      ],
      'no table yet: everything is pending',
    );
    await migrator.latest();
    writeFileSync(
      join(folder, '20240101000000_create_teams.sql'),
      TEAMS_SQL.replace('VARCHAR(50)', 'VARCHAR(60)'),
    );
    unlinkSync(join(folder, '20240103000000_create_widgets.js'));
    writeFileSync(join(folder, '20240104000000_create_a.sql'), '-- up\nCREATE TABLE mig_a (id INT);\n');
    assert.deepEqual(
      (await migrator.status()).map((entry) => [entry.name, entry.state, entry.batch]),
      [
        ['20240101000000_create_teams', 'changed', 1],
        ['20240102000000_create_users', 'applied', 1],
        ['20240103000000_create_widgets', 'missing', 1],
        ['20240104000000_create_a', 'pending', null],
      ],
    );

    const refused = await migrator.latest().catch((error: unknown) => error);
    assert.ok(refused instanceof MigrationChangedError);
    assert.deepEqual(refused.migrations, ['20240101000000_create_teams']);
    assert.match(refused.message, /pass \{ allowChanged: true \} to go on/, 'names the option of the API');
    assert.equal(await tableExists(ctx.pool, 'mig_a'), false, 'nothing ran');
    await assert.rejects(
      migrator.rollback({ steps: 1 }),
      MigrationFileError,
      'widgets has no file to roll back with',
    );

    assert.deepEqual(await migrator.latest({ allowChanged: true }), ['20240104000000_create_a']);
    assert.equal(await tableExists(ctx.pool, 'mig_a'), true);
  });

  it('rolls back the last batch, or the last n batches, newest migration first', async () => {
    const folder = folderWith({
      '20240101000000_create_teams.sql': TEAMS_SQL,
      '20240102000000_create_users.ts': USERS_TS,
    });
    const migrator = new Migrator(ctx.pool, { folder });
    await migrator.latest();
    writeFileSync(join(folder, '20240103000000_create_widgets.js'), WIDGETS_JS);
    await migrator.latest();
    writeFileSync(
      join(folder, '20240104000000_create_a.sql'),
      '-- up\nCREATE TABLE mig_a (id INT);\n-- down\nDROP TABLE mig_a;',
    );
    await migrator.latest();

    assert.deepEqual(await migrator.rollback(), ['20240104000000_create_a']);
    assert.equal(await tableExists(ctx.pool, 'mig_a'), false);
    assert.deepEqual(await migrator.rollback({ steps: 2 }), [
      '20240103000000_create_widgets',
      '20240102000000_create_users',
      '20240101000000_create_teams',
    ]);
    for (const table of ['mig_widgets', 'mig_users', 'mig_teams'])
      assert.equal(await tableExists(ctx.pool, table), false);
    assert.deepEqual(await recorded(ctx.pool), []);
    assert.deepEqual(await migrator.rollback(), [], 'nothing left to roll back');
    await assert.rejects(migrator.rollback({ steps: 0 }));

    assert.deepEqual((await migrator.latest()).length, 4, 'everything applies again, as one batch');
    assert.deepEqual(new Set((await recorded(ctx.pool)).map((row) => row.batch)), new Set([1]));
  });

  it('applies a migration older than the applied ones (merged from a branch) in a new batch, and rolls it back first', async () => {
    const folder = folderWith({ '20240102000000_create_widgets.js': WIDGETS_JS });
    const migrator = new Migrator(ctx.pool, { folder });
    await migrator.latest();
    writeFileSync(join(folder, '20240101000000_create_teams.sql'), TEAMS_SQL);
    assert.deepEqual(await migrator.latest(), ['20240101000000_create_teams']);
    assert.deepEqual(
      (await recorded(ctx.pool)).map((row) => [row.name, row.batch]),
      [
        ['20240101000000_create_teams', 2],
        ['20240102000000_create_widgets', 1],
      ],
    );
    assert.deepEqual(
      await migrator.rollback(),
      ['20240101000000_create_teams'],
      'the last batch, not the last name',
    );
    assert.equal(await tableExists(ctx.pool, 'mig_widgets'), true);
  });

  it('checks every file before running any: a missing down or a BEGIN in a .sql file is refused up front', async () => {
    const folder = folderWith({
      '20240101000000_create_teams.sql': TEAMS_SQL,
      '20240102000000_no_down.ts':
        'export async function up(db) { await db.runOperation("CREATE TABLE mig_a (id INT)"); }\n',
    });
    const migrator = new Migrator(ctx.pool, { folder });
    await migrator.latest();
    await assert.rejects(migrator.rollback(), /exports no down\(db\) function/);
    assert.equal(
      await tableExists(ctx.pool, 'mig_teams'),
      true,
      'the migration with a down was not rolled back alone',
    );

    writeFileSync(
      join(folder, '20240103000000_txn.sql'),
      '-- up\nBEGIN;\nCREATE TABLE mig_b (id INT);\nCOMMIT;\n',
    );
    await assert.rejects(migrator.latest(), MigrationFileError);
    writeFileSync(join(folder, '20240103000000_txn.sql'), '-- down\nDROP TABLE mig_b;\n');
    await assert.rejects(migrator.latest(), /no "-- up" line/);
    unlinkSync(join(folder, '20240103000000_txn.sql'));
    writeFileSync(join(folder, 'create_b.sql'), '-- up\nCREATE TABLE mig_b (id INT);\n');
    await assert.rejects(migrator.latest(), /is not named like a migration/);
    assert.equal(await tableExists(ctx.pool, 'mig_b'), false);
  });

  it('a failing migration: rolled back where DDL is transactional, else its applied statements are reported', async () => {
    const failing =
      '-- up\nCREATE TABLE mig_a (id INT);\nCREATE TABLE mig_b (id INT);\nINSERT INTO mig_missing VALUES (1);\n' +
      '-- down\nDROP TABLE mig_b;\nDROP TABLE mig_a;\n';
    const folder = folderWith({
      '20240101000000_create_teams.sql': TEAMS_SQL,
      '20240102000000_failing.sql': failing,
      '20240103000000_create_widgets.js': WIDGETS_JS,
    });
    const migrator = new Migrator(ctx.pool, { folder });
    const error = await migrator.latest().catch((caught: unknown) => caught);
    assert.ok(error instanceof MigrationError, String(error));
    assert.equal(error.migration, '20240102000000_failing');
    assert.equal(error.direction, 'up');
    assert.deepEqual(error.completed, ['20240101000000_create_teams']);
    assert.equal(error.failedStatement, 'INSERT INTO mig_missing VALUES (1)');
    assert.ok(error.cause instanceof Error);
    assert.deepEqual(
      (await recorded(ctx.pool)).map((row) => row.name),
      ['20240101000000_create_teams'],
    );
    assert.equal(await tableExists(ctx.pool, 'mig_teams'), true, 'the migration before it is committed');
    assert.equal(await tableExists(ctx.pool, 'mig_widgets'), false, 'the migration after it did not run');

    if (ctx.pool.dialect.transactionalDdl) {
      assert.equal(error.rolledBack, true);
      assert.deepEqual(error.appliedStatements, []);
      assert.equal(await tableExists(ctx.pool, 'mig_a'), false);
      assert.equal(await tableExists(ctx.pool, 'mig_b'), false);
    } else {
      assert.equal(error.rolledBack, false);
      assert.deepEqual(error.appliedStatements, [
        'CREATE TABLE mig_a (id INT)',
        'CREATE TABLE mig_b (id INT)',
      ]);
      assert.match(error.message, /1\. CREATE TABLE mig_a \(id INT\)\n {2}2\. CREATE TABLE mig_b \(id INT\)/);
      assert.equal(await tableExists(ctx.pool, 'mig_a'), true);
      assert.equal(await tableExists(ctx.pool, 'mig_b'), true);
    }
  });

  it('a migration whose own code throws: the error is the cause, no statement is blamed', async () => {
    const folder = folderWith({
      '20240101000000_throws.ts':
        "export async function up(db) {\n  await db.createTable('mig_a', (t) => { t.id(); });\n  throw new Error('boom');\n}\n" +
        'export async function down() {}\n',
    });
    const error = await new Migrator(ctx.pool, { folder }).latest().catch((caught: unknown) => caught);
    assert.ok(error instanceof MigrationError);
    assert.equal(error.failedStatement, undefined);
    assert.equal((error.cause as Error).message, 'boom');
    assert.equal(await tableExists(ctx.pool, 'mig_a'), !ctx.pool.dialect.transactionalDdl);
  });

  it('a dry run shows the SQL and changes nothing, not even the migrations table', async () => {
    const folder = folderWith({
      '20240101000000_create_teams.sql': TEAMS_SQL,
      '20240102000000_create_users.ts': USERS_TS,
    });
    const migrator = new Migrator(ctx.pool, { folder });
    const shown: string[] = [];
    const names = await migrator.latest({
      dryRun: true,
      onProgress: (event) => {
        if (event.type === 'statement') shown.push(event.sql);
        assert.equal(event.dryRun, true);
      },
    });
    assert.deepEqual(names, ['20240101000000_create_teams', '20240102000000_create_users']);
    const q = (name: string) => ctx.pool.dialect.quoteIdentifier(name);
    assert.equal(shown[0], 'CREATE TABLE mig_teams (id BIGINT PRIMARY KEY, name VARCHAR(50))');
    assert.equal(shown[1], "INSERT INTO mig_teams (id, name) VALUES (1, 'a;b')");
    assert.ok(shown[2]?.startsWith(`CREATE TABLE ${q('mig_users')} (`), shown[2]);
    assert.equal(
      shown[3],
      `CREATE INDEX ${q('mig_users_team_id_index')} ON ${q('mig_users')} (${q('team_id')})`,
    );
    assert.equal(shown.length, 4);
    for (const table of ['mig_teams', 'mig_users', 'twistar_migrations']) {
      assert.equal(await tableExists(ctx.pool, table), false, table);
    }

    await migrator.latest();
    const undo: string[] = [];
    assert.deepEqual(
      await migrator.rollback({
        dryRun: true,
        onProgress: (event) => event.type === 'statement' && undo.push(event.sql),
      }),
      ['20240102000000_create_users', '20240101000000_create_teams'],
    );
    assert.deepEqual(undo, [`DROP TABLE ${q('mig_users')}`, 'DROP TABLE mig_teams']);
    assert.equal(await tableExists(ctx.pool, 'mig_users'), true);
    assert.equal((await recorded(ctx.pool)).length, 2);
  });

  it('two runs at once in one process apply each migration once', async () => {
    const folder = folderWith({
      '20240101000000_create_log.sql': LOG_SQL,
      '20240102000000_one.ts': slowLogging('one', 50),
      '20240103000000_two.ts': slowLogging('two', 50),
    });
    const runs = await Promise.all([1, 2].map(() => new Migrator(ctx.pool, { folder }).latest()));
    assert.deepEqual([...runs[0]!, ...runs[1]!].sort(), [
      '20240101000000_create_log',
      '20240102000000_one',
      '20240103000000_two',
    ]);
    assert.deepEqual(await ctx.pool.runQuery('SELECT migration FROM mig_log ORDER BY migration'), [
      { migration: 'one' },
      { migration: 'two' },
    ]);
  });

  it('two processes running latest() at once on one database apply each migration exactly once', async () => {
    const folder = folderWith({
      '20240101000000_create_log.sql': LOG_SQL,
      '20240102000000_one.ts': slowLogging('one', 150),
      '20240103000000_two.ts': slowLogging('two', 150),
      '20240104000000_three.ts': slowLogging('three', 150),
    });
    // An in-memory database lives in one process: the processes share a file instead.
    const url = ctx.sharedUrl;
    const pool = url === ctx.url ? ctx.pool : connect(url);
    try {
      const runners = [runner(url, folder), runner(url, folder)];
      await Promise.all(runners.map((run) => run.ready));
      for (const run of runners) run.go();
      const results = await Promise.all(runners.map((run) => run.result));
      for (const result of results) assert.equal(result.error, undefined, result.error);
      const applied = results.flatMap((result) => result.applied ?? []);
      assert.deepEqual(applied.sort(), [
        '20240101000000_create_log',
        '20240102000000_one',
        '20240103000000_two',
        '20240104000000_three',
      ]);
      assert.deepEqual(
        (await pool.runQuery('SELECT migration FROM mig_log ORDER BY migration')).map((row) => row.migration),
        ['one', 'three', 'two'],
      );
      assert.equal((await recorded(pool)).length, 4);
    } finally {
      if (pool !== ctx.pool) await pool.close();
    }
  });

  it('create() writes a timestamped file from a template, after every existing one, and it runs', async () => {
    const folder = folderWith({});
    const migrator = new Migrator(ctx.pool, { folder });
    const first = await migrator.create('Create mig widgets');
    const second = await migrator.create('create_mig_a', { format: 'sql' });
    const third = await migrator.create('add nickname', { format: 'js' });
    assert.match(basename(first), /^\d{14}_create_mig_widgets\.ts$/);
    assert.match(basename(second), /^\d{14}_create_mig_a\.sql$/);
    assert.match(basename(third), /^\d{14}_add_nickname\.js$/);
    const stamps = [first, second, third].map((path) => basename(path).slice(0, 14));
    assert.deepEqual([...stamps].sort(), stamps);
    assert.equal(new Set(stamps).size, 3, 'each later than the one before, even within a second');
    assert.deepEqual(
      readdirSync(folder).sort(),
      ['package.json', ...[first, second, third].map((path) => basename(path))].sort(),
    );
    assert.match(readFileSync(first, 'utf8'), /import type \{ MigrationDb \} from 'twistar'/);

    assert.equal((await migrator.latest()).length, 3);
    assert.equal(await tableExists(ctx.pool, 'mig_widgets'), true);
    assert.equal(await tableExists(ctx.pool, 'mig_a'), true);
    assert.equal((await migrator.rollback()).length, 3);
    assert.equal(await tableExists(ctx.pool, 'mig_widgets'), false);
    await assert.rejects(migrator.create('  '), MigrationFileError);
  });

  it('refuses bad options when the Migrator is made: the lock timeout, the table name, the folder', () => {
    for (const lockTimeoutMs of [
      Number.NaN,
      -1,
      Number.POSITIVE_INFINITY,
      2 ** 31,
      '100' as unknown as number,
    ]) {
      assert.throws(
        () => new Migrator(ctx.pool, { folder: 'migrations', lockTimeoutMs }),
        InvalidQueryError,
        String(lockTimeoutMs),
      );
    }
    assert.throws(
      () => new Migrator(ctx.pool, { folder: 'migrations', tableName: 'x; DROP TABLE y' }),
      UnsafeSqlError,
    );
    assert.throws(() => new Migrator(ctx.pool, {} as { folder: string }), MigrationFileError);
  });

  it('records in the table tableName names', async () => {
    const folder = folderWith({ '20240101000000_create_teams.sql': TEAMS_SQL });
    await ctx.pool.runOperation('DROP TABLE IF EXISTS mig_other_migrations');
    try {
      await new Migrator(ctx.pool, { folder, tableName: 'mig_other_migrations' }).latest();
      assert.equal(await tableExists(ctx.pool, 'mig_other_migrations'), true);
      assert.equal(await tableExists(ctx.pool, 'twistar_migrations'), false);
    } finally {
      await ctx.pool.runOperation('DROP TABLE IF EXISTS mig_other_migrations');
    }
  });
});

// SQLite is left out: its lock is the database's write lock, which another connection of the same process waits
// for in the pool's queue (not against a timeout), and other processes in the busy handler (5 s).
describeEachServer('migrations: the lock', (ctx) => {
  beforeEach(() => dropAll(ctx.pool));

  it('gives up with MigrationLockError when another run holds the lock past lockTimeoutMs', async () => {
    let release!: () => void;
    (globalThis as { migrationGate?: Promise<void> }).migrationGate = new Promise(
      (resolve) => (release = resolve),
    );
    const folder = folderWith({
      '20240101000000_waits.ts':
        'export async function up() { await globalThis.migrationGate; }\nexport async function down() {}\n',
    });
    const holding = new Migrator(ctx.pool, { folder }).latest();
    // Wait until the first run is inside its migration, holding the lock.
    for (let i = 0; i < 100 && !(await tableExists(ctx.pool, 'twistar_migrations')); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    await assert.rejects(new Migrator(ctx.pool, { folder, lockTimeoutMs: 300 }).latest(), MigrationLockError);
    release();
    assert.deepEqual(await holding, ['20240101000000_waits']);
    assert.deepEqual(await new Migrator(ctx.pool, { folder, lockTimeoutMs: 300 }).latest(), []);
  });

  it('refuses a pool of one connection, which could not hold the lock and run the migrations', async () => {
    const folder = folderWith({ '20240101000000_create_teams.sql': TEAMS_SQL });
    const small = ctx.openPool({ max: 1 });
    await assert.rejects(new Migrator(small, { folder }).latest(), MigrationLockError);
  });
});

/** How a test kills the session that holds a server's migration lock (of twistar_migrations), from another one. */
const KILL_LOCK_SESSION: Record<Exclude<DialectName, 'sqlite'>, (pool: ConnectionPool) => Promise<void>> = {
  async postgres(pool) {
    const key = advisoryKey('twistar_migrations');
    const [row] = await pool.runQuery(
      "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 " +
        'AND classid::bigint = ? AND objid::bigint = ?',
      [Math.floor(key / 2 ** 32), key % 2 ** 32],
    );
    assert.ok(row !== undefined, 'a session holds the lock');
    await pool.runQuery('SELECT pg_terminate_backend(?)', [row.pid]);
    for (let i = 0; i < 200; i++) {
      if ((await pool.runQuery('SELECT 1 FROM pg_stat_activity WHERE pid = ?', [row.pid])).length === 0)
        return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.fail(`PostgreSQL session ${String(row.pid)} did not end`);
  },
  async mysql(pool) {
    const name = "LEFT(CONCAT('twistar_migrations', ':', DATABASE()), 64)";
    const [row] = await pool.runQuery(`SELECT IS_USED_LOCK(${name}) AS id`);
    const id = Number(row?.id);
    assert.ok(Number.isSafeInteger(id) && id > 0, 'a connection holds the lock');
    await pool.runOperation(`KILL ${id}`);
    for (let i = 0; i < 200; i++) {
      if ((await pool.runQuery(`SELECT IS_USED_LOCK(${name}) AS id`))[0]?.id === null) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.fail(`MySQL connection ${id} did not end`);
  },
};

describeOn(['mysql'], 'migrations: the MySQL lock', (ctx) => {
  it('says to name the database when the URL names none (GET_LOCK answers NULL then)', async () => {
    const url = new URL(ctx.url);
    url.pathname = '/';
    const pool = ctx.openPool();
    const bare = connect(url.toString());
    try {
      const folder = folderWith({ '20240101000000_create_teams.sql': TEAMS_SQL });
      await assert.rejects(new Migrator(bare, { folder }).latest(), (error: unknown) => {
        assert.ok(error instanceof MigrationLockError);
        assert.match(error.message, /no database is selected/);
        return true;
      });
      assert.equal(await tableExists(pool, 'mig_teams'), false);
    } finally {
      await bare.close();
    }
  });
});

describeEachServer('migrations: the lock is lost during a run', (ctx) => {
  beforeEach(() => dropAll(ctx.pool));

  /**
   * Runs latest() on LOG_SQL, a migration whose `up` is `waiting` (it awaits globalThis.lockLossGate) and one
   * more; kills the lock's session while the second waits, then lets it go on. Resolves to what latest() threw.
   */
  async function loseTheLock(waiting: string): Promise<{ error: unknown; folder: string }> {
    let release!: () => void;
    (globalThis as { lockLossGate?: Promise<void> }).lockLossGate = new Promise(
      (resolve) => (release = resolve),
    );
    const folder = folderWith({
      '20240101000000_create_log.sql': LOG_SQL,
      '20240102000000_waits.ts': `export async function up(db) {\n${waiting}\n}\nexport async function down() {}\n`,
      '20240103000000_three.ts': slowLogging('three', 0),
    });
    let inSecond!: () => void;
    const reached = new Promise<void>((resolve) => (inSecond = resolve));
    const run = new Migrator(ctx.pool, { folder }).latest({
      onProgress: (event) => event.type === 'migrating' && event.index === 2 && inSecond(),
    });
    const outcome = run.then(
      () => undefined,
      (error: unknown) => error,
    );
    await reached;
    await KILL_LOCK_SESSION[ctx.name as 'postgres' | 'mysql'](ctx.pool);
    release();
    return { error: await outcome, folder };
  }

  async function assertStoppedThenResumed(error: unknown, folder: string): Promise<void> {
    assert.ok(error instanceof MigrationLockLostError, String(error));
    assert.ok(error instanceof MigrationLockError);
    assert.equal(error.migration, '20240102000000_waits');
    assert.deepEqual(error.completed, ['20240101000000_create_log']);
    assert.deepEqual(error.appliedStatements, []);
    assert.match(
      error.message,
      /The migration lock was lost: its connection \((PostgreSQL session|MySQL connection) \d+\)/,
    );
    assert.match(error.message, /Run the migrations again/);
    assert.deepEqual(await ctx.pool.runQuery('SELECT migration FROM mig_log'), [], 'nothing further applied');
    assert.deepEqual(
      (await recorded(ctx.pool)).map((row) => row.name),
      ['20240101000000_create_log'],
    );

    assert.deepEqual(await new Migrator(ctx.pool, { folder }).latest(), [
      '20240102000000_waits',
      '20240103000000_three',
    ]);
    assert.deepEqual(
      (await recorded(ctx.pool)).map((row) => row.name),
      ['20240101000000_create_log', '20240102000000_waits', '20240103000000_three'],
    );
  }

  it('stops before the next statement or the record of the migration running then, and a rerun applies the rest once', async () => {
    const { error, folder } = await loseTheLock(
      '  await globalThis.lockLossGate;\n  await db.runOperation("INSERT INTO mig_log (migration) VALUES (\'two\')");',
    );
    await assertStoppedThenResumed(error, folder);
    assert.deepEqual(await ctx.pool.runQuery('SELECT migration FROM mig_log ORDER BY migration'), [
      { migration: 'three' },
      { migration: 'two' },
    ]);
  });

  it('stops before recording a migration that sent no statement after the loss', async () => {
    const { error, folder } = await loseTheLock('  await globalThis.lockLossGate;');
    await assertStoppedThenResumed(error, folder);
    assert.deepEqual(await ctx.pool.runQuery('SELECT migration FROM mig_log'), [{ migration: 'three' }]);
  });
});
