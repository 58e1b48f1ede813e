import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DBObject, Registry, connect, transaction, type ConnectionPool } from '../../src/index.js';

class Write extends DBObject {
  static override TABLENAME = 'writes';
  declare tag: string;
  declare n: number;
}
Registry.register(Write);

const WRITER = fileURLToPath(new URL('../support/sqlite-writer.ts', import.meta.url));

/** Runs the writer in its own process; resolves with its exit code and output. */
function writer(file: string, tag: string, what: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file, tag, what], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null; out: string; err: string }>(
    (resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out, err })),
  );
  return { child, exited, output: () => out };
}

describe('faults: SQLite', () => {
  let dir: string;
  let file: string;
  let pool: ConnectionPool;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'twistar-sqlite-faults-'));
    file = join(dir, 'app.db');
    pool = connect(`sqlite:${file}`);
    Registry.DBPOOL = pool;
    await pool.runOperation(
      'CREATE TABLE writes (id INTEGER PRIMARY KEY AUTOINCREMENT, tag TEXT NOT NULL, n INTEGER)',
    );
  });

  after(async () => {
    Registry.DBPOOL = null;
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never lets a plain save land inside a concurrent transaction that rolls back', async () => {
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const rolledBack = transaction(async () => {
      await Write.create({ tag: 'txn', n: 1 });
      entered();
      await sleep(50); // the plain saves below are issued now, while this transaction is open
      await Write.create({ tag: 'txn', n: 2 });
      throw new Error('roll back');
    }).catch((error: unknown) => error);
    await inside;
    const plain = await Promise.all([1, 2, 3].map((n) => Write.create({ tag: 'plain', n })));
    assert.ok((await rolledBack) instanceof Error);
    assert.equal(await Write.count(["tag = 'txn'"]), 0);
    assert.equal(await Write.count(["tag = 'plain'"]), 3);
    for (const saved of plain) assert.equal((await Write.find(saved.id as number))?.tag, 'plain');
  });

  it('lets several processes write one WAL database without SQLITE_BUSY reaching them', async () => {
    const COUNT = 60;
    const writers = ['p1', 'p2', 'p3'].map((tag) => writer(file, tag, String(COUNT)));
    // This process writes too, at the same time.
    for (let t = 0; t < COUNT; t++) {
      await transaction(async () => {
        for (let i = 0; i < 3; i++) await Registry.getConfig().insert('writes', { tag: `p0-${t}`, n: i });
      });
    }
    const results = await Promise.all(writers.map((w) => w.exited));
    for (const result of results) assert.deepEqual([result.code, result.out.trim()], [0, 'done'], result.err);
    for (const tag of ['p0', 'p1', 'p2', 'p3'])
      assert.equal(await Write.count(['tag LIKE ?', `${tag}-%`]), COUNT * 3, `rows of ${tag}`);
  });

  it('leaves all or nothing, and an intact file, when a process is killed mid-transaction', async () => {
    const hanging = writer(file, 'killed', 'hang');
    for (let waited = 0; !hanging.output().includes('inside'); waited += 10) {
      assert.ok(waited < 20_000, 'the writer did not start its transaction');
      await sleep(10);
    }
    hanging.child.kill('SIGKILL');
    const { signal } = await hanging.exited;
    assert.equal(signal, 'SIGKILL');
    assert.equal(await Write.count(["tag = 'killed'"]), 0);
    // The lock the killed process held is gone: this process can write at once.
    await Write.create({ tag: 'after-kill', n: 1 });
    const [check] = await pool.runQuery('PRAGMA integrity_check');
    assert.equal(Object.values(check ?? {})[0], 'ok');
  });
});
