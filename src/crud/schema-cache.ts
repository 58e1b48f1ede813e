import { ImaginaryTableError } from '../errors.js';
import type { ConnectionPool } from '../connection/connection-pool.js';
import type { ColumnInfo } from '../dialects/dialect.js';

/**
 * The columns of one table as last read, and the names looked for again since (see `recheckColumns`), with
 * when they were.
 */
interface Entry {
  readonly columns: ColumnInfo[];
  readonly rechecked: ReadonlyMap<string, number>;
}

/**
 * How long a name looked for again and not found stays "not a column" before a save looks once more: a
 * migration that adds it later is then picked up within this time, and a typo costs one catalogue query per
 * interval, not one per save.
 */
export const RECHECK_INTERVAL_MS = 5_000;

const caches = new WeakMap<ConnectionPool, Map<string, Promise<Entry>>>();
const resolved = new WeakMap<ConnectionPool, Map<string, Entry>>();

/** The columns of `table` if they have been read already (no I/O, no await). */
export function knownColumns(pool: ConnectionPool, table: string): ColumnInfo[] | undefined {
  return resolved.get(pool)?.get(table)?.columns;
}

/** True when `name` was looked for by `recheckColumns` since the columns of `table` were last forgotten. */
export function recheckedColumn(pool: ConnectionPool, table: string, name: string): boolean {
  return recent(resolved.get(pool)?.get(table), name);
}

function recent(entry: Entry | undefined, name: string): boolean {
  const at = entry?.rechecked.get(name);
  return at !== undefined && performance.now() - at < RECHECK_INTERVAL_MS;
}

function read(pool: ConnectionPool, table: string, rechecked: ReadonlyMap<string, number>): Promise<Entry> {
  let cache = caches.get(pool);
  if (cache === undefined) {
    cache = new Map();
    caches.set(pool, cache);
  }
  const [sql, params] = pool.dialect.columnsQuery(table);
  // From the primary: a replica that has not yet replayed a migration would give the columns of before it.
  const pending = pool
    .primary(() => pool.runQuery(sql, params))
    .then((rows) => {
      if (rows.length === 0) {
        throw new ImaginaryTableError(
          `Table "${table}" does not exist in the ${pool.dialect.name} database; create it, or set the model's static TABLENAME.`,
        );
      }
      const entry: Entry = { columns: pool.dialect.parseColumns(rows), rechecked };
      // Forgotten, or read again, meanwhile: the later read is the one kept.
      if (cache.get(table) !== pending) return entry;
      let done = resolved.get(pool);
      if (done === undefined) {
        done = new Map();
        resolved.set(pool, done);
      }
      done.set(table, entry);
      return entry;
    });
  cache.set(table, pending);
  pending.catch(() => {
    if (cache.get(table) === pending) cache.delete(table);
  });
  return pending;
}

/**
 * The columns of `table`, read from the database (the primary, when the pool has replicas) once per pool and
 * kept; concurrent callers share one lookup. A table that does not exist is an ImaginaryTableError (not kept,
 * so it may be created later).
 */
export async function tableColumns(pool: ConnectionPool, table: string): Promise<ColumnInfo[]> {
  const pending = caches.get(pool)?.get(table) ?? read(pool, table, new Map());
  return (await pending).columns;
}

/**
 * The columns of `table` read again because `names` were not among them (a migration run by another process
 * may have added them): once per name and RECHECK_INTERVAL_MS, so that a name that is not a column does not
 * cost a catalogue query every time, and one added later is found. Callers who join a read under way share it.
 */
export async function recheckColumns(
  pool: ConnectionPool,
  table: string,
  names: readonly string[],
): Promise<ColumnInfo[]> {
  let entry = resolved.get(pool)?.get(table);
  const pending = entry === undefined ? caches.get(pool)?.get(table) : undefined;
  if (pending !== undefined) entry = await pending;
  const fresh = names.filter((name) => !recent(entry, name));
  if (entry !== undefined && fresh.length === 0) return entry.columns;
  const rechecked = new Map(entry?.rechecked);
  const now = performance.now();
  for (const name of fresh) rechecked.set(name, now);
  resolved.get(pool)?.delete(table);
  return (await read(pool, table, rechecked)).columns;
}

/** Forgets the columns read for `table` (or every table) of `pool`, e.g. after a migration. */
export function forgetColumns(pool: ConnectionPool, table?: string): void {
  if (table === undefined) {
    caches.delete(pool);
    resolved.delete(pool);
  } else {
    caches.get(pool)?.delete(table);
    resolved.get(pool)?.delete(table);
  }
}
