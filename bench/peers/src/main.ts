/**
 * `npm run bench:peers`: Twistar's benchmark workload through other ORMs, each timed against the raw driver
 * in the same run (interleaved, the order alternating per round, medians of rounds). SQLite always;
 * PostgreSQL and MySQL when TWISTAR_PG_URL / TWISTAR_MYSQL_URL are set. Writes bench/results/peers.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { check } from './checks.js';
import { measure, type Side } from './harness.js';
import { drizzlePeer } from './orms/drizzle.js';
import { kyselyPeer } from './orms/kysely.js';
import { mikroOrmPeer } from './orms/mikro-orm.js';
import { objectionPeer } from './orms/objection.js';
import type { Peer, PeerClient, Target } from './orms/peer.js';
import { sequelizePeer } from './orms/sequelize.js';
import { typeormPeer } from './orms/typeorm.js';
import {
  type Admin,
  type RawClient,
  openAdmin,
  openSqlite3Admin,
  rawMysql,
  rawPostgres,
  rawSqlite,
} from './raw.js';
import { type Result, printTable, progress } from './report.js';
import {
  BULK_CHUNK,
  BULK_ROWS,
  DDL,
  INDEXES,
  IN_FLIGHT,
  OPERATIONS,
  PAGE_OFFSET,
  PAGE_SIZE,
  POOL_SIZE,
  SEEDED_USERS,
  UPDATED_USER,
  USERS_WITH_PICTURES,
  type Database,
  type OperationName,
  type UserRow,
  newRow,
  pictureRows,
  userRow,
} from './workload.js';

// Every driver and ORM reads and writes timestamps in UTC, as the raw baseline does.
process.env.TZ = 'UTC';

const PEERS: readonly Peer[] = [
  drizzlePeer,
  kyselyPeer,
  typeormPeer,
  sequelizePeer,
  objectionPeer,
  mikroOrmPeer,
];
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    orm: { type: 'string' },
    db: { type: 'string' },
    only: { type: 'string' },
    budget: { type: 'string', default: '400' },
    out: { type: 'string' },
  },
});
const ROUNDS = Number(args.rounds);
const BUDGET_MS = Number(args.budget);
// npm runs the script in bench/peers; a relative --out means relative to where npm was started.
const OUT = args.out
  ? resolve(process.env.INIT_CWD ?? process.cwd(), args.out)
  : fileURLToPath(new URL('../../results/peers.json', import.meta.url));
const peers = PEERS.filter((peer) => !args.orm || args.orm.split(',').includes(peer.name));
const operations = OPERATIONS.filter((op) => !args.only || args.only.split(',').includes(op));
for (const [flag, value] of [
  ['rounds', ROUNDS],
  ['budget', BUDGET_MS],
] as const) {
  if (!(value > 0)) throw new Error(`--${flag} must be a positive number`);
}
if (peers.length === 0) throw new Error(`--orm: none of ${PEERS.map((peer) => peer.name).join(', ')}`);

/** The most units in a batch (fewer for slow ORMs, fitted to --budget); SQLite's round trips are cheaper. */
const ITERATIONS: Record<OperationName, number> = {
  'find-by-pk': 2000,
  'find-where': 50,
  count: 100,
  paginate: 100,
  'eager-load': 20,
  'update-one': 1000,
  'insert-one': 1000,
  'insert-bulk': 1,
  'concurrent-find': 10_000,
};
const SQLITE_SCALE = 5;
const FIXED: ReadonlySet<OperationName> = new Set(['insert-bulk', 'concurrent-find']);

function version(name: string): string {
  try {
    return (
      JSON.parse(readFileSync(join(PACKAGE_DIR, 'node_modules', name, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    return 'unknown';
  }
}

async function seed(database: Database, admin: Admin): Promise<void> {
  await admin.run('DROP TABLE IF EXISTS bench_pictures');
  await admin.run('DROP TABLE IF EXISTS bench_users');
  for (const statement of [...DDL[database], ...INDEXES]) await admin.run(statement);
  const users = Array.from({ length: SEEDED_USERS }, (_, i) => userRow(i));
  for (let start = 0; start < users.length; start += 500) {
    const chunk = users.slice(start, start + 500);
    await admin.run(
      `INSERT INTO bench_users (first_name, last_name, age, created_at) VALUES ${chunk.map(() => '(?, ?, ?, ?)').join(', ')}`,
      chunk.flatMap((r) => [r.first_name, r.last_name, r.age, r.created_at]),
    );
  }
  const pictures = pictureRows();
  await admin.run(
    `INSERT INTO bench_pictures (user_id, name, size) VALUES ${pictures.map(() => '(?, ?, ?)').join(', ')}`,
    pictures.flatMap((p) => [p.user_id, p.name, p.size]),
  );
}

/** The unit of work of `operation`, over either a raw client or an ORM's. */
function unitOf(
  operation: OperationName,
  client: RawClient | PeerClient,
  bulk: readonly UserRow[],
  chunk: number,
) {
  let age = 0;
  switch (operation) {
    case 'find-by-pk':
    case 'concurrent-find':
      return (i: number) => client.findByPk((i % SEEDED_USERS) + 1);
    case 'find-where':
      return (i: number) => client.findWhere(i % 100, i % 100);
    case 'count':
      return (i: number) => client.count(i % 100);
    case 'paginate':
      return (i: number) => client.paginate(i % 100, PAGE_SIZE, PAGE_OFFSET);
    case 'eager-load':
      return () => client.eagerLoad(USERS_WITH_PICTURES);
    case 'update-one':
      // A fresh age every call, so that no dirty-checking ORM can skip the UPDATE.
      return () => client.updateOne(UPDATED_USER, ++age % 100);
    case 'insert-one':
      return (i: number) => client.insertOne(newRow(i));
    case 'insert-bulk':
      return () => client.insertBulk(bulk, chunk);
  }
}

interface Raws {
  sequential: { label: string; client: RawClient }[];
  concurrent: { label: string; client: RawClient }[];
}

function openRaws(database: Database, url: string): Raws {
  if (database === 'sqlite')
    return { sequential: [{ label: 'better-sqlite3', client: rawSqlite(url) }], concurrent: [] };
  if (database === 'postgres')
    return {
      sequential: [{ label: 'pg', client: rawPostgres(url) }],
      concurrent: [{ label: 'pg', client: rawPostgres(url, POOL_SIZE) }],
    };
  // As in bench/run.ts, the MySQL baseline is the faster of mysql2's query() and execute(), per operation.
  const modes = ['query', 'execute'] as const;
  return {
    sequential: modes.map((mode) => ({ label: mode, client: rawMysql(url, mode) })),
    concurrent: modes.map((mode) => ({ label: mode, client: rawMysql(url, mode, POOL_SIZE) })),
  };
}

async function runPeer(
  peer: Peer,
  shared: Target,
  admin: Admin,
  raws: Raws,
  remarks: string[],
): Promise<Result[]> {
  const { database } = shared;
  const results: Result[] = [];
  const record = (result: Result) => {
    results.push(result);
    progress(result);
  };
  const base = { database, orm: peer.name };
  // An ORM on another SQLite library works on a copy of the file that only that library opens (see raw.ts).
  let target = shared;
  let ormAdmin = admin;
  if (database === 'sqlite' && peer.sqliteLibrary === 'node-sqlite3') {
    target = { ...shared, url: join(dirname(shared.url), `${peer.name}.db`) };
    rmSync(target.url, { force: true });
    await admin.run('VACUUM INTO ?', [target.url]);
    ormAdmin = await openSqlite3Admin(target.url);
  }
  const admins = ormAdmin === admin ? [admin] : [admin, ormAdmin];
  // The previous ORM's deleted rows would otherwise slow PostgreSQL's scans for the next one (count, find-where).
  if (database === 'postgres') await admin.run('VACUUM ANALYZE bench_users');
  let client: PeerClient;
  try {
    client = await peer.open(target);
  } catch (error) {
    for (const operation of operations)
      record({ ...base, operation, status: 'failed', error: `open: ${String(error)}` });
    if (ormAdmin !== admin) await ormAdmin.close();
    return results;
  }
  if (client.remark) remarks.push(`${peer.name}: ${client.remark}`);
  const dropInserted = async () => {
    for (const each of admins) await each.run('DELETE FROM bench_users WHERE id > ?', [SEEDED_USERS]);
  };
  const bulk = Array.from({ length: BULK_ROWS }, (_, i) => newRow(i));
  const chunk = BULK_CHUNK[database];
  try {
    for (const operation of operations) {
      const concurrent = operation === 'concurrent-find';
      if (concurrent && database === 'sqlite') continue;
      const result: Result = { ...base, operation, status: 'ok', note: client.notes?.[operation] };
      const unsupported = client.unsupported?.[operation];
      if (unsupported !== undefined) {
        record({ ...result, status: 'unsupported', error: unsupported });
        continue;
      }
      const writes = operation === 'insert-one' || operation === 'insert-bulk';
      try {
        result.checked = await check(operation, client, ormAdmin, chunk);
        if (writes) await dropInserted();
        const sides: Side[] = [
          ...(concurrent ? raws.concurrent : raws.sequential).map(({ label, client: raw }) => ({
            label: `raw:${label}`,
            unit: unitOf(operation, raw, bulk, chunk),
          })),
          { label: peer.name, unit: unitOf(operation, client, bulk, chunk) },
        ];
        const scale = database === 'sqlite' && !FIXED.has(operation) ? SQLITE_SCALE : 1;
        const measured = await measure(sides, {
          kind: concurrent ? 'throughput' : 'time',
          iterations: ITERATIONS[operation] * scale,
          fixed: FIXED.has(operation),
          budgetMs: BUDGET_MS,
          rounds: ROUNDS,
          inFlight: IN_FLIGHT,
          ...(writes && { reset: dropInserted }),
        });
        const rawSides = sides
          .slice(0, -1)
          .map((side) => ({ label: side.label, value: measured.medians[side.label]! }));
        const best = rawSides.reduce((a, b) =>
          (concurrent ? b.value > a.value : b.value < a.value) ? b : a,
        );
        const value = measured.medians[peer.name]!;
        record({
          ...result,
          unit: concurrent ? 'ops/s' : 'µs/op',
          iterations: measured.iterations,
          raw: best.value,
          ...(rawSides.length > 1 && { rawMode: best.label.slice('raw:'.length) }),
          value,
          ratio: value / best.value,
          samples: measured.samples,
        });
      } catch (error) {
        record({
          ...result,
          status: 'failed',
          error: error instanceof Error ? error.message : String(error),
        });
        if (writes) await dropInserted();
      } finally {
        if (operation === 'update-one') {
          for (const each of admins)
            await each.run('UPDATE bench_users SET age = ? WHERE id = ?', [
              (UPDATED_USER - 1) % 100,
              UPDATED_USER,
            ]);
        }
      }
    }
  } finally {
    await client.close();
    if (ormAdmin !== admin) await ormAdmin.close();
  }
  return results;
}

const dir = mkdtempSync(join(tmpdir(), 'twistar-peers-'));
const databases: [Database, string | undefined][] = [
  ['sqlite', join(dir, 'bench.db')],
  ['postgres', process.env.TWISTAR_PG_URL],
  ['mysql', process.env.TWISTAR_MYSQL_URL],
];
const all: Result[] = [];
const servers: Partial<Record<Database, string>> = {};
const headings: Partial<Record<Database, string>> = {};
const remarks: Partial<Record<Database, string[]>> = {};
console.log(
  `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${ROUNDS} rounds, ` +
    `batches fitted to ${BUDGET_MS} ms\n` +
    peers.map((peer) => peer.packages.map((name) => `${name} ${version(name)}`).join(' + ')).join(', '),
);
try {
  for (const [database, url] of databases) {
    if (args.db && !args.db.split(',').includes(database)) continue;
    if (url === undefined) {
      console.log(
        `${database}: skipped (set ${database === 'postgres' ? 'TWISTAR_PG_URL' : 'TWISTAR_MYSQL_URL'})`,
      );
      continue;
    }
    const admin = openAdmin(database, url);
    const server =
      database === 'sqlite'
        ? `SQLite ${String(await admin.value('SELECT sqlite_version()'))}`
        : database === 'postgres'
          ? `PostgreSQL ${String(await admin.value('SHOW server_version'))}`
          : String(await admin.value('SELECT VERSION()')).replace(/^([\d.]+)-MariaDB.*/, 'MariaDB $1');
    servers[database] = server;
    const driver = database === 'sqlite' ? 'better-sqlite3' : database === 'postgres' ? 'pg' : 'mysql2';
    headings[database] =
      `${database}: ${server}, raw = ${driver} ${version(driver)}` +
      `${database === 'mysql' ? ' (the faster of query() and execute(), per operation)' : ''}`;
    console.log(`\n${headings[database]}`);
    await seed(database, admin);
    const raws = openRaws(database, url);
    remarks[database] = [];
    try {
      for (const peer of peers)
        all.push(...(await runPeer(peer, { database, url, server }, admin, raws, remarks[database])));
    } finally {
      await Promise.all([...raws.sequential, ...raws.concurrent].map(({ client }) => client.close()));
      await admin.run('DROP TABLE IF EXISTS bench_pictures');
      await admin.run('DROP TABLE IF EXISTS bench_users');
      await admin.close();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const orms = peers.map((peer) => peer.name);
for (const database of ['sqlite', 'postgres', 'mysql'] as const) {
  if (headings[database]) printTable(database, headings[database], all, orms, remarks[database] ?? []);
}
const failed = all.filter((result) => result.status === 'failed');
console.log(
  failed.length === 0
    ? '\nEvery ORM ran every operation it supports, and every result checked out.'
    : `\nFailed: ${failed.map((r) => `${r.database} ${r.orm} ${r.operation}`).join(', ')}`,
);
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(
  OUT,
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
        memoryGb: Math.round(totalmem() / 2 ** 30),
      },
      rounds: ROUNDS,
      budgetMs: BUDGET_MS,
      versions: Object.fromEntries(
        [...peers.flatMap((peer) => peer.packages), 'better-sqlite3', 'sqlite3', 'pg', 'mysql2'].map(
          (name) => [name, version(name)],
        ),
      ),
      servers,
      remarks,
      results: all,
    },
    null,
    2,
  ),
);
console.log(`Wrote ${OUT}`);
process.exitCode = failed.length === 0 ? 0 : 1;
