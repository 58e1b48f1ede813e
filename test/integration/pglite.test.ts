import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  ConnectionError,
  DBObject,
  InvalidValueError,
  Migrator,
  Registry,
  UniqueViolationError,
  connect,
  transaction,
  type ConnectionPool,
} from '../../src/index.js';
import { pglite } from '../../src/pglite/index.js';
import '../support/backends.js';

const folders: string[] = [];
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'twistar-pglite-'));
  folders.push(dir);
  return join(dir, 'db');
}
after(() => {
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

const ENTRY = fileURLToPath(new URL('../../src/pglite/index.ts', import.meta.url));

/** Another process holding a PGlite folder open until it is killed; resolves once it has opened it. */
function holder(dataDir: string): Promise<{ pid: number; kill(): Promise<void> }> {
  const script =
    `const { connect } = await import(${JSON.stringify(new URL('../../src/index.ts', import.meta.url).href)});` +
    `await import(${JSON.stringify(new URL(`file://${ENTRY}`).href)});` +
    `const pool = connect(${JSON.stringify(`pglite:${dataDir}`)}); await pool.runQuery('SELECT 1');` +
    `process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the holder exited (${code})`)));
    child.stdout.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('ready')) return;
      child.removeAllListeners('exit');
      resolve({
        pid: child.pid ?? 0,
        kill: () =>
          new Promise((done) => {
            child.once('exit', () => done());
            child.kill('SIGKILL');
          }),
      });
    });
  });
}

describe('PGlite (twistar/pglite)', () => {
  const pools: ConnectionPool[] = [];
  const open = (...args: Parameters<typeof connect>) => {
    const pool = connect(...args);
    pools.push(pool);
    return pool;
  };
  after(() => Promise.all(pools.map((pool) => pool.close())));

  it('registers the pglite: scheme; each in-memory pool is a database of its own', async () => {
    const a = open('pglite:');
    const b = open('pglite::memory:');
    await a.runOperation('CREATE TABLE only_in_a (id INT)');
    await assert.rejects(b.runQuery('SELECT * FROM only_in_a'), /does not exist/);
    assert.equal(a.dialect.name, 'postgres');
    assert.equal(a.dialect.displayName, 'PGlite');
  });

  it('runs models, constraints and nested transactions with PostgreSQL semantics', async () => {
    const pool = open({ dialect: pglite });
    class Member extends DBObject {
      declare name: string;
      declare joined: Date | null;
    }
    Registry.register(Member);
    await pool.runOperation(
      'CREATE TABLE members (id BIGSERIAL PRIMARY KEY, name VARCHAR(20) UNIQUE NOT NULL, joined TIMESTAMP(3))',
    );
    Registry.DBPOOL = pool;
    try {
      const joined = new Date('2001-02-03T04:05:06.789Z');
      const ann = await Member.create({ name: 'Ann', joined });
      // In the test's own time zone (not UTC), a timestamp still reads back as the instant written.
      assert.deepEqual((await Member.find(ann.id as number))?.joined, joined);
      const twin = await new Member({ name: 'Ann' }).save();
      assert.deepEqual(twin.errors.toJSON(), { name: ['Name is not unique.'] });
      await assert.rejects(
        pool.runOperation("INSERT INTO members (name) VALUES ('Ann')"),
        UniqueViolationError,
      );
      await transaction(async () => {
        await Member.create({ name: 'Bob' });
        await transaction(async () => {
          await Member.create({ name: 'Cy' });
          throw new Error('undo Cy only');
        }).catch(() => undefined);
      });
      assert.deepEqual(
        (await Member.all({ orderBy: 'name' })).map((member) => member.name),
        ['Ann', 'Bob'],
      );
      const [row] = await pool.runQuery('SELECT 9223372036854775807::bigint AS big, ?::bytea AS bytes', [
        Buffer.from([1, 2]),
      ]);
      assert.deepEqual(row, { big: 9223372036854775807n, bytes: Buffer.from([1, 2]) });
    } finally {
      Registry.DBPOOL = null;
    }
  });

  it('keeps a folder database between pools, and runs a migration batch as one transaction', async () => {
    const dataDir = folder();
    const first = connect(`pglite:${dataDir}`);
    await first.runOperation('CREATE TABLE kept (id INT)');
    await first.runOperation('INSERT INTO kept VALUES (1)');
    await first.close();
    const migrations = mkdtempSync(join(tmpdir(), 'twistar-pglite-migrations-'));
    folders.push(migrations);
    writeFileSync(
      join(migrations, '20240101000000_one.sql'),
      '-- up\nCREATE TABLE one (id INT);\n-- down\nDROP TABLE one;\n',
    );
    writeFileSync(
      join(migrations, '20240101000001_two.sql'),
      '-- up\nCREATE TABLE two (id INT);\nSELECT missing FROM nowhere;\n-- down\nDROP TABLE two;\n',
    );
    const second = open(`pglite:${dataDir}`);
    assert.deepEqual(await second.runQuery('SELECT id FROM kept'), [{ id: 1 }]);
    const migrator = new Migrator(second, { folder: migrations });
    await assert.rejects(migrator.latest(), /20240101000001_two/);
    // The migration before the failing one stays applied; the failing one left nothing behind.
    assert.deepEqual(
      (await migrator.status()).map((status) => [status.name, status.state]),
      [
        ['20240101000000_one', 'applied'],
        ['20240101000001_two', 'pending'],
      ],
    );
    assert.deepEqual(await second.runQuery("SELECT to_regclass('two') AS two"), [{ two: null }]);
  });

  it('lets one pool at a time use a folder, in this process or another, and takes over a stale lock', async () => {
    const dataDir = folder();
    const pool = open(`pglite:${dataDir}`);
    await pool.runQuery('SELECT 1');
    await assert.rejects(connect(`pglite:${dataDir}`).runQuery('SELECT 1'), (error: unknown) => {
      assert.ok(error instanceof ConnectionError);
      assert.match(error.message, /open in another pool of this process/);
      return true;
    });
    await pool.close();

    const other = await holder(dataDir);
    try {
      await assert.rejects(
        connect(`pglite:${dataDir}`).runQuery('SELECT 1'),
        new RegExp(`open in process ${other.pid}`),
      );
    } finally {
      await other.kill();
    }
    // Killed, it left its lock file behind: a process that no longer runs holds nothing.
    assert.equal(readFileSync(join(dataDir, 'twistar.lock'), 'utf8'), String(other.pid));
    const after = open(`pglite:${dataDir}`);
    assert.deepEqual(await after.runQuery('SELECT 1 AS one'), [{ one: 1 }]);
    await after.close();
    assert.equal(existsSync(join(dataDir, 'twistar.lock')), false);
  });

  it('refuses to save text it would not read back: PGlite drops a leading byte order mark', async () => {
    const pool = open('pglite:');
    class Line extends DBObject {
      declare body: string;
    }
    Registry.register(Line);
    await pool.runOperation('CREATE TABLE lines (id SERIAL PRIMARY KEY, body TEXT)');
    Registry.DBPOOL = pool;
    try {
      await assert.rejects(new Line({ body: '\ufeffhello' }).save(), (error: unknown) => {
        assert.ok(error instanceof InvalidValueError);
        assert.match(error.message, /U\+FEFF/);
        return true;
      });
      assert.equal(await Line.count(), 0);
      // Anywhere else in the text the mark is kept.
      const line = await Line.create({ body: 'a\ufeffb' });
      assert.equal((await Line.find(line.id as number))?.body, 'a\ufeffb');
    } finally {
      Registry.DBPOOL = null;
    }
  });

  it("refuses options it cannot honour: a statement timeout, and driverOptions that are Twistar's", () => {
    assert.throws(() => connect('pglite:', { statementTimeoutMs: 100 }), /PGlite cannot/);
    for (const option of ['parsers', 'serializers', 'dataDir', 'loadDataDir'])
      assert.throws(() => connect('pglite:', { driverOptions: { [option]: {} } }), ConnectionError, option);
    assert.throws(() => connect('pglite:', { preparedStatements: false }), /not an option of PGlite/);
    assert.throws(() => connect('pglite:', { replicas: ['pglite:'] }), /PGlite has no replicas/);
  });
});
