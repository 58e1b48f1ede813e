/**
 * `npm run bench`: each operation through Twistar's model API and through the raw driver, interleaved in
 * the same run, medians of several rounds, and the ratio between them. SQLite always; PostgreSQL and MySQL
 * when TWISTAR_PG_URL / TWISTAR_MYSQL_URL are set. Writes bench/results/latest.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DBObject,
  between,
  gte,
  Registry,
  connect,
  type ConnectionPool,
  type DialectName,
  type HasMany,
} from '../src/index.js';
import { rawMysql, rawPostgres, rawSqlite, type RawClient, type UserRow } from './raw.js';
import { PICTURES_EACH, SEEDED_USERS, USERS_WITH_PICTURES, createSchema, userRow } from './setup.js';

// The benchmark's own tables, so that it never touches an application's users table.
class User extends DBObject {
  static override TABLENAME = 'bench_users';
  static override HASMANY = [{ name: 'pictures', className: 'Picture', foreignKey: 'user_id' }];
  declare id: number;
  declare first_name: string;
  declare last_name: string;
  declare age: number;
  declare created_at: Date;
  declare pictures: HasMany<Picture>;
}

class Picture extends DBObject {
  static override TABLENAME = 'bench_pictures';
  declare user_id: number;
  declare name: string;
  declare size: number;
}

Registry.register(User, Picture);

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    only: { type: 'string' },
    db: { type: 'string' },
    out: { type: 'string', default: 'bench/results/latest.json' },
  },
});
const ROUNDS = Number(args.rounds);

/** The targets of issue 4, as the largest acceptable ratio to raw (throughput: the smallest). */
const TARGETS: Record<string, Partial<Record<DialectName, number>>> = {
  'find-by-pk': { sqlite: 2.0, postgres: 1.05, mysql: 1.05 },
  'insert-one': { sqlite: 1.5, postgres: 1.05, mysql: 1.05 },
  'update-one': { sqlite: 2.0, postgres: 1.05, mysql: 1.05 },
  'find-where': { sqlite: 1.2, postgres: 1.1, mysql: 1.1 },
  // Issue 14: the query layer costs what the finders cost.
  'first-by-key-query': { sqlite: 2.0, postgres: 1.1, mysql: 1.1 },
  'find-where-query': { sqlite: 1.2, postgres: 1.1, mysql: 1.1 },
  paginate: { sqlite: 1.3, postgres: 1.1, mysql: 1.1 },
  'eager-load': { sqlite: 1.1, postgres: 1.05, mysql: 1.1 },
  count: { sqlite: 1.2, postgres: 1.05, mysql: 1.05 },
  'insert-bulk': { sqlite: 1.3, postgres: 1.3, mysql: 1.2 },
  'concurrent-find': { postgres: 1.0, mysql: 1.0 },
  'heap-100k': { sqlite: 1.0 },
};

/** One operation: `run(i)` does one unit of work; `iterations` units are timed together. */
interface Operation {
  name: string;
  iterations: number;
  /** 'time': per-unit microseconds, lower is better; 'throughput': units per second, higher is better. */
  kind?: 'time' | 'throughput';
  raw(i: number): unknown;
  orm(i: number): unknown;
  /** Untimed work after each timed batch (e.g. deleting inserted rows). */
  reset?(): Promise<void>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timeLoop(iterations: number, unit: (i: number) => unknown): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    const result = unit(i);
    if (result instanceof Promise) await result;
  }
  return ((performance.now() - started) * 1000) / iterations;
}

/** 32 workers in flight over `iterations` units; units per second. */
async function throughput(iterations: number, unit: (i: number) => unknown): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < iterations) await unit(next++);
    }),
  );
  return iterations / ((performance.now() - started) / 1000);
}

function newRow(i: number): UserRow {
  return { first_name: `New${i}`, last_name: 'Bench', age: -1, created_at: new Date() };
}

function operations(
  pool: ConnectionPool,
  raw: RawClient,
  concurrentRaw: RawClient | null,
  scale: number,
): Operation[] {
  const dropInserted = async () => {
    await pool.runOperation('DELETE FROM bench_users WHERE id > ?', [SEEDED_USERS]);
  };
  let loaded: User | null = null;
  let incremented: User | null = null;
  // Upserts of seeded users with their own values: each updates a row (the data the reads see stays as seeded).
  const keyedRow = (i: number) => ({ id: (i % SEEDED_USERS) + 1, ...userRow(i % SEEDED_USERS) });
  const upserts = Array.from({ length: 2000 }, (_, i) => keyedRow(i));
  const bulk = Array.from({ length: 10_000 }, (_, i) => newRow(i));
  const ops: Operation[] = [
    {
      name: 'find-by-pk',
      iterations: 2000 * scale,
      raw: (i) => raw.findByPk((i % SEEDED_USERS) + 1),
      orm: (i) => User.find((i % SEEDED_USERS) + 1),
    },
    {
      name: 'find-where',
      iterations: 50 * scale,
      raw: (i) => raw.findWhere(i % 100, i % 100),
      orm: (i) => User.find({ where: ['age BETWEEN ? AND ?', i % 100, i % 100], orderBy: 'id' }),
    },
    {
      name: 'first-by-key-query',
      iterations: 2000 * scale,
      raw: (i) => raw.findByPk((i % SEEDED_USERS) + 1),
      orm: (i) => User.where({ id: (i % SEEDED_USERS) + 1 }).first(),
    },
    {
      name: 'find-where-query',
      iterations: 50 * scale,
      raw: (i) => raw.findWhere(i % 100, i % 100),
      orm: (i) =>
        User.where({ age: between(i % 100, i % 100) })
          .orderBy('id')
          .all(),
    },
    {
      name: 'paginate',
      iterations: 50 * scale,
      raw: (i) => raw.page(i % 100, 20, 20),
      orm: (i) =>
        User.where({ age: gte(i % 100) })
          .orderBy('id')
          .paginate({ page: 2, perPage: 20 }),
    },
    {
      name: 'count',
      iterations: 100 * scale,
      raw: (i) => raw.count(i % 100),
      orm: (i) => User.count(['age > ?', i % 100]),
    },
    {
      name: 'eager-load',
      iterations: 20 * scale,
      raw: () => raw.eagerLoad(USERS_WITH_PICTURES),
      orm: () => User.find({ where: ['id <= ?', USERS_WITH_PICTURES], orderBy: 'id', include: ['pictures'] }),
    },
    {
      name: 'update-one',
      iterations: 1000 * scale,
      raw: (i) => raw.updateOne(7, i % 100),
      orm: async (i) => {
        loaded ??= await User.find(7);
        loaded!.age = i % 100;
        await loaded!.save();
      },
    },
    {
      name: 'insert-one',
      iterations: 1000 * scale,
      raw: (i) => raw.insertOne(newRow(i)),
      orm: (i) => new User(newRow(i)).save(),
      reset: dropInserted,
    },
    {
      name: 'upsert-one',
      iterations: 1000 * scale,
      raw: (i) => raw.upsertOne(keyedRow(i)),
      orm: (i) => User.upsert(keyedRow(i), { uniqueBy: ['id'] }),
    },
    {
      name: 'upsert-bulk',
      iterations: 1,
      raw: () => raw.upsertBulk(upserts),
      orm: () => User.upsertMany(upserts, { uniqueBy: ['id'] }),
    },
    {
      name: 'increment',
      iterations: 1000 * scale,
      raw: () => raw.increment(8),
      orm: async () => {
        incremented ??= await User.find(8);
        await incremented!.increment('age');
      },
    },
    {
      name: 'insert-bulk',
      iterations: 1,
      raw: () => raw.insertBulk(bulk),
      orm: () => User.createMany(bulk),
      reset: dropInserted,
    },
  ];
  if (concurrentRaw !== null) {
    ops.push({
      name: 'concurrent-find',
      iterations: 10_000,
      kind: 'throughput',
      raw: (i) => concurrentRaw.findByPk((i % SEEDED_USERS) + 1),
      orm: (i) => User.find((i % SEEDED_USERS) + 1),
    });
  }
  return ops;
}

interface Result {
  database: DialectName;
  operation: string;
  unit: 'µs/op' | 'ops/s' | 'MB';
  raw: number;
  twistar: number;
  ratio: number;
  target: number | undefined;
  met: boolean | undefined;
}

async function measure(database: DialectName, ops: Operation[]): Promise<Result[]> {
  const results: Result[] = [];
  for (const op of ops) {
    if (args.only && !args.only.split(',').includes(op.name)) continue;
    const rawTimes: number[] = [];
    const ormTimes: number[] = [];
    const measureOne = op.kind === 'throughput' ? throughput : timeLoop;
    // Warm up both sides (JIT, statement caches, schema reads) before timing.
    await measureOne(Math.min(op.iterations, 200), op.raw);
    await measureOne(Math.min(op.iterations, 200), op.orm);
    await op.reset?.();
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which side goes first, so that drift on the machine falls on both.
      const order = round % 2 === 0 ? (['raw', 'orm'] as const) : (['orm', 'raw'] as const);
      for (const side of order) {
        const value = await measureOne(op.iterations, op[side]);
        (side === 'raw' ? rawTimes : ormTimes).push(value);
        await op.reset?.();
      }
    }
    const raw = median(rawTimes);
    const twistar = median(ormTimes);
    const higherIsBetter = op.kind === 'throughput';
    const ratio = twistar / raw;
    const target = TARGETS[op.name]?.[database];
    results.push({
      database,
      operation: op.name,
      unit: higherIsBetter ? 'ops/s' : 'µs/op',
      raw,
      twistar,
      ratio,
      target,
      met: target === undefined ? undefined : higherIsBetter ? ratio >= target : ratio <= target,
    });
    report(results.at(-1)!);
  }
  return results;
}

function report(result: Result): void {
  const verdict =
    result.met === undefined
      ? ''
      : result.met
        ? 'met'
        : `MISSED (target ${result.unit === 'ops/s' ? '≥' : '≤'} ${result.target}×)`;
  console.log(
    `${result.database.padEnd(9)}${result.operation.padEnd(20)}raw ${result.raw.toFixed(1).padStart(10)} ${result.unit.padEnd(6)}` +
      `twistar ${result.twistar.toFixed(1).padStart(10)}   ${result.ratio.toFixed(2)}×  ${verdict}`,
  );
}

/** Heap for materialising 100,000 rows as model objects, against the raw driver's rows. */
async function heap(pool: ConnectionPool, raw: RawClient): Promise<Result | null> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return null;
  const count = 100_000;
  await Registry.getConfig().insertMany(
    'bench_users',
    Array.from({ length: count - SEEDED_USERS }, (_, i) => userRow(SEEDED_USERS + i)),
  );
  const usage = async (load: () => unknown) => {
    gc();
    const before = process.memoryUsage().heapUsed;
    let held: unknown = await load();
    gc();
    const after = process.memoryUsage().heapUsed;
    if ((held as unknown[]).length !== count) throw new Error('heap: wrong row count');
    held = null;
    return (after - before) / 1024 / 1024;
  };
  const rawMb = median([
    await usage(() => raw.all()),
    await usage(() => raw.all()),
    await usage(() => raw.all()),
  ]);
  const ormMb = median([
    await usage(() => User.all()),
    await usage(() => User.all()),
    await usage(() => User.all()),
  ]);
  await pool.runOperation('DELETE FROM bench_users WHERE id > ?', [SEEDED_USERS]);
  const ratio = ormMb / rawMb;
  const result: Result = {
    database: 'sqlite',
    operation: 'heap-100k',
    unit: 'MB',
    raw: rawMb,
    twistar: ormMb,
    ratio,
    target: 1.0,
    met: ratio <= 1.0,
  };
  report(result);
  return result;
}

/** Peak heap while `each()` walks 1,000,000 rows (the issue's bound: 100 MB). */
async function streamHeap(pool: ConnectionPool): Promise<Result | null> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return null;
  const total = 1_000_000;
  const config = Registry.getConfig();
  for (let start = SEEDED_USERS; start < total; start += 50_000) {
    await config.insertMany(
      'bench_users',
      Array.from({ length: Math.min(50_000, total - start) }, (_, i) => userRow(start + i)),
    );
  }
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  let seen = 0;
  for await (const user of User.each({ batchSize: 1000 })) {
    if (++seen % 1000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    void user;
  }
  await pool.runOperation('DELETE FROM bench_users WHERE id > ?', [SEEDED_USERS]);
  if (seen !== total) throw new Error(`each() saw ${seen} rows of ${total}`);
  const mb = peak / 1024 / 1024;
  const result: Result = {
    database: 'sqlite',
    operation: 'each-1m-peak-heap',
    unit: 'MB',
    raw: base / 1024 / 1024,
    twistar: mb,
    ratio: mb / 100,
    target: 1.0,
    met: mb < 100,
  };
  console.log(
    `sqlite   each() over 1,000,000 rows: peak heap ${mb.toFixed(1)} MB (heap before: ${(base / 1024 / 1024).toFixed(1)} MB; bound 100 MB)`,
  );
  return result;
}

/**
 * SQLite in-process against worker mode: the event loop's worst delay while one ~200 ms statement runs, and
 * the cost of find-by-pk in each mode (the thread hop is the price of a free event loop).
 */
async function workerMode(url: string): Promise<void> {
  const slow =
    'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT COUNT(*) AS n FROM c';
  for (const workers of [undefined, 2]) {
    const pool = connect(url, workers === undefined ? {} : { workers });
    await pool.runQuery('SELECT 1 AS one');
    // Size the statement to ~200 ms in this mode.
    let rows = 500_000;
    let took = 0;
    while (took < 150) {
      const started = performance.now();
      await pool.runQuery(slow, [rows]);
      took = performance.now() - started;
      if (took < 150) rows = Math.ceil((rows * 200) / Math.max(took, 1));
    }
    let worst = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 1);
    const started = performance.now();
    await pool.runQuery(slow, [rows]);
    const queryMs = performance.now() - started;
    // The gap up to now counts too: in-process, no timer fires until the statement is done.
    worst = Math.max(worst, performance.now() - last);
    clearInterval(ticker);
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      times.push(
        await timeLoop(5000, (i) =>
          pool.runQuery('SELECT * FROM bench_users WHERE id = ?', [(i % SEEDED_USERS) + 1]),
        ),
      );
    }
    const mode = workers === undefined ? 'in-process' : `${workers} workers`;
    console.log(
      `sqlite   ${mode.padEnd(11)} a ${queryMs.toFixed(0)} ms statement: worst event-loop delay ${worst.toFixed(1)} ms` +
        `; runQuery by key ${median(times).toFixed(1)} µs`,
    );
    await pool.close();
  }
}

async function seed(pool: ConnectionPool): Promise<void> {
  await createSchema(pool);
  const config = Registry.getConfig(pool);
  config.forgetColumns();
  await config.insertMany(
    'bench_users',
    Array.from({ length: SEEDED_USERS }, (_, i) => userRow(i)),
  );
  const pictures = [];
  for (let user = 1; user <= USERS_WITH_PICTURES; user++) {
    for (let p = 0; p < PICTURES_EACH; p++)
      pictures.push({ user_id: user, name: `u${user}p${p}.jpg`, size: p * 100 });
  }
  await config.insertMany('bench_pictures', pictures);
}

async function runDatabase(database: DialectName, url: string): Promise<Result[]> {
  const pool = connect(url, database === 'sqlite' ? {} : { max: 10 });
  Registry.DBPOOL = pool;
  await seed(pool);
  const results: Result[] = [];
  if (database === 'sqlite') {
    const raw = rawSqlite(url.slice('sqlite:'.length));
    results.push(...(await measure(database, operations(pool, raw, null, 10))));
    if (!args.only || args.only.includes('heap')) {
      const heapResult = await heap(pool, raw);
      if (heapResult) results.push(heapResult);
    }
    if (!args.only || args.only.includes('workers')) await workerMode(url);
    if (!args.only || args.only.includes('each')) {
      const streamResult = await streamHeap(pool);
      if (streamResult) results.push(streamResult);
    }
    await raw.close();
  } else if (database === 'postgres') {
    const raw = rawPostgres(url);
    const concurrent = rawPostgres(url, 10);
    results.push(...(await measure(database, operations(pool, raw, concurrent, 1))));
    await Promise.all([raw.close(), concurrent.close()]);
  } else {
    // The raw baseline is the faster of mysql2's query() and execute(), per operation.
    const byMode: Result[][] = [];
    for (const mode of ['query', 'execute'] as const) {
      console.log(`mysql raw baseline: ${mode}()`);
      const raw = rawMysql(url, mode);
      const concurrent = rawMysql(url, mode, 10);
      byMode.push(await measure(database, operations(pool, raw, concurrent, 1)));
      await Promise.all([raw.close(), concurrent.close()]);
    }
    for (const [i, viaQuery] of byMode[0]!.entries()) {
      const viaExecute = byMode[1]![i]!;
      const best =
        viaQuery.unit === 'ops/s'
          ? viaQuery.raw >= viaExecute.raw
            ? viaQuery
            : viaExecute
          : viaQuery.raw <= viaExecute.raw
            ? viaQuery
            : viaExecute;
      const twistar = median([viaQuery.twistar, viaExecute.twistar]);
      const ratio = twistar / best.raw;
      const met =
        best.target === undefined
          ? undefined
          : best.unit === 'ops/s'
            ? ratio >= best.target
            : ratio <= best.target;
      results.push({ ...best, twistar, ratio, met });
    }
    console.log('mysql, against the faster raw mode:');
    for (const result of results) report(result);
  }
  await pool.close();
  return results;
}

const dir = mkdtempSync(join(tmpdir(), 'twistar-bench-'));
const databases: [DialectName, string | undefined][] = [
  ['sqlite', `sqlite:${join(dir, 'bench.db')}`],
  ['postgres', process.env.TWISTAR_PG_URL],
  ['mysql', process.env.TWISTAR_MYSQL_URL],
];
const all: Result[] = [];
try {
  for (const [database, url] of databases) {
    if (args.db && !args.db.split(',').includes(database)) continue;
    if (url === undefined) {
      console.log(
        `${database}: skipped (set ${database === 'postgres' ? 'TWISTAR_PG_URL' : 'TWISTAR_MYSQL_URL'})`,
      );
      continue;
    }
    all.push(...(await runDatabase(database, url)));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const missed = all.filter((result) => result.met === false);
console.log(
  missed.length === 0
    ? 'Every target met.'
    : `Targets missed: ${missed.map((r) => `${r.database} ${r.operation}`).join(', ')}`,
);
mkdirSync(join(args.out, '..'), { recursive: true });
writeFileSync(
  args.out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      machine: {
        platform: platform(),
        release: release(),
        arch: arch(),
        cpus: cpus().length,
        cpu: cpus()[0]?.model,
      },
      rounds: ROUNDS,
      results: all,
    },
    null,
    2,
  ),
);
console.log(`Wrote ${args.out}`);
