/**
 * Ordinary model work for the PgBouncer suite: every iteration creates, finds, updates, counts and deletes
 * rows of its own tag, in and out of transactions, and checks each answer. Run in the test's process (on any
 * pool) or in another one:
 *   tsx test/support/pgbouncer-work.ts <url> <tag> <iterations> [pool options as JSON]
 * which prints the outcome as one line of JSON.
 */
import { pathToFileURL } from 'node:url';
import { DBObject, Registry, connect, transaction, type ConnectionPool } from '../../src/index.js';

export const WORK_TABLE = 'bouncer_items';

export const CREATE_WORK_TABLE =
  `CREATE TABLE IF NOT EXISTS ${WORK_TABLE} ` +
  '(id SERIAL PRIMARY KEY, tag TEXT NOT NULL, n INTEGER NOT NULL, at TIMESTAMP, day DATE, stamp TIMESTAMPTZ)';

class BouncerItem extends DBObject {
  static override TABLENAME = WORK_TABLE;
  declare id: number;
  declare tag: string;
  declare n: number;
  declare at: Date | null;
  declare day: Date | null;
  declare stamp: Date | null;
}

export interface WorkOutcome {
  readonly tag: string;
  readonly iterations: number;
  readonly failures: number;
  /** The first few failures' messages. */
  readonly errors: readonly string[];
}

function check(condition: boolean, what: string): asserts condition {
  if (!condition) throw new Error(`wrong answer: ${what}`);
}

const same = (a: unknown, b: Date) => a instanceof Date && a.getTime() === b.getTime();

/**
 * `iterations` rounds of work on `pool` with rows tagged `tag`. With `models`, the round goes through the
 * models (which use Registry.DBPOOL, which must then be `pool`); without, through the low-level interface.
 */
export async function runWork(
  pool: ConnectionPool,
  tag: string,
  iterations: number,
  models: boolean,
): Promise<WorkOutcome> {
  const db = Registry.getConfig(pool);
  const errors: string[] = [];
  let failures = 0;
  for (let i = 0; i < iterations; i++) {
    // Milliseconds and a day away from midnight in most zones: any time-zone shift shows.
    const at = new Date(Date.UTC(2024, i % 12, 1 + (i % 28), 23, 30, 15, i % 1000));
    const day = new Date(Date.UTC(2024, i % 12, 1 + (i % 28)));
    try {
      if (models) {
        const item = await BouncerItem.create({ tag, n: i, at, day, stamp: at });
        const found = await BouncerItem.find(item.id);
        check(found?.tag === tag && found.n === i, `find(${item.id}) gave ${JSON.stringify(found)}`);
        check(same(found.at, at) && same(found.day, day) && same(found.stamp, at), 'dates changed');
        found.n = i + 1;
        await found.save();
        const byN = await BouncerItem.findBy({ tag, n: i + 1 });
        check(
          byN.length === 1 && byN[0]?.id === item.id,
          `findBy after save (i=${i}, id ${item.id}): ${JSON.stringify(byN)}`,
        );
        await transaction(async () => {
          const other = await BouncerItem.create({ tag, n: -i, at });
          other.n = -i - 1;
          await other.save();
          await other.delete();
        });
        await found.delete();
        check((await BouncerItem.find(item.id)) === null, 'deleted row still found');
      } else {
        const id = await db.insert(WORK_TABLE, { tag, n: i, at, day, stamp: at });
        const row = (await db.select(WORK_TABLE, { id: id ?? 0 })) as Record<string, unknown> | null;
        check(row?.tag === tag && row.n === i, `select id ${String(id)} gave ${JSON.stringify(row)}`);
        check(same(row.at, at) && same(row.day, day) && same(row.stamp, at), 'dates changed');
        check((await db.update(WORK_TABLE, { n: i + 1 }, ['id = ?', id])) === 1, 'update count');
        await transaction(
          async () => {
            const other = await db.insert(WORK_TABLE, { tag, n: -i });
            check((await db.update(WORK_TABLE, { n: -i - 1 }, ['id = ?', other])) === 1, 'update in txn');
            check((await db.delete(WORK_TABLE, ['id = ?', other])) === 1, 'delete in txn');
          },
          { pool },
        );
        check((await db.delete(WORK_TABLE, ['id = ?', id])) === 1, 'delete count');
      }
      check((await db.count(WORK_TABLE, ['tag = ?', tag])) === 0, 'rows left over');
    } catch (error) {
      failures++;
      const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      if (errors.length < 5) errors.push(text.slice(0, 160));
      // What a failed round left behind must not fail the next ones.
      await db.delete(WORK_TABLE, ['tag = ?', tag]).catch(() => undefined);
    }
  }
  return { tag, iterations, failures, errors };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [url, tag, count, options] = process.argv.slice(2);
  if (url === undefined || tag === undefined || count === undefined)
    throw new Error('usage: <url> <tag> <iterations> [options JSON]');
  const pool = connect(url, options === undefined ? {} : (JSON.parse(options) as object));
  Registry.DBPOOL = pool;
  try {
    process.stdout.write(`${JSON.stringify(await runWork(pool, tag, Number(count), true))}\n`);
  } finally {
    await pool.close();
  }
}
