import { ImaginaryTableError } from '../errors.js';
import type { ConnectionPool } from '../connection/connection-pool.js';
import type { ColumnInfo } from '../dialects/dialect.js';

/** The columns of one table as last read, and the names already looked for again since (see `recheckColumns`). */
interface Entry {
  readonly columns: ColumnInfo[];
  readonly rechecked: ReadonlySet<string>;
}

const caches = new WeakMap<ConnectionPool, Map<string, Promise<Entry>>>();
const resolved = new WeakMap<ConnectionPool, Map<string, Entry>>();

/** The columns of `table` if they have been read already (no I/O, no await). */
export function knownColumns(pool: ConnectionPool, table: string): ColumnInfo[] | undefined {
  return resolved.get(pool)?.get(table)?.columns;
}

/** True when `name` was looked for by `recheckColumns` since the columns of `table` were last forgotten. */
export function recheckedColumn(pool: ConnectionPool, table: string, name: string): boolean {
  return resolved.get(pool)?.get(table)?.rechecked.has(name) === true;
}

function read(pool: ConnectionPool, table: string, rechecked: ReadonlySet<string>): Promise<Entry> {
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
  const pending = caches.get(pool)?.get(table) ?? read(pool, table, new Set());
  return (await pending).columns;
}

/**
 * The columns of `table` read again because `names` were not among them (a migration run by another process
 * may have added them): once per name until the columns are forgotten, so that a name that is not a column
 * does not cost a catalogue query every time. Callers who join a read under way share it.
 */
export async function recheckColumns(
  pool: ConnectionPool,
  table: string,
  names: readonly string[],
): Promise<ColumnInfo[]> {
  let entry = resolved.get(pool)?.get(table);
  const pending = entry === undefined ? caches.get(pool)?.get(table) : undefined;
  if (pending !== undefined) entry = await pending;
  const fresh = names.filter((name) => entry?.rechecked.has(name) !== true);
  if (entry !== undefined && fresh.length === 0) return entry.columns;
  const rechecked = new Set(entry?.rechecked);
  for (const name of fresh) rechecked.add(name);
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
