import { ImaginaryTableError } from '../errors.js';
import type { ConnectionPool } from '../connection/connection-pool.js';
import type { ColumnInfo } from '../dialects/dialect.js';

const caches = new WeakMap<ConnectionPool, Map<string, Promise<ColumnInfo[]>>>();
const resolved = new WeakMap<ConnectionPool, Map<string, ColumnInfo[]>>();

/** The columns of `table` if they have been read already (no I/O, no await). */
export function knownColumns(pool: ConnectionPool, table: string): ColumnInfo[] | undefined {
  return resolved.get(pool)?.get(table);
}

/**
 * The columns of `table`, read from the database once per pool and kept; concurrent callers share one
 * lookup. A table that does not exist is an ImaginaryTableError (not kept, so it may be created later).
 */
export function tableColumns(pool: ConnectionPool, table: string): Promise<ColumnInfo[]> {
  let cache = caches.get(pool);
  if (cache === undefined) {
    cache = new Map();
    caches.set(pool, cache);
  }
  let columns = cache.get(table);
  if (columns === undefined) {
    const [sql, params] = pool.dialect.columnsQuery(table);
    columns = pool.runQuery(sql, params).then((rows) => {
      if (rows.length === 0) {
        throw new ImaginaryTableError(
          `Table "${table}" does not exist in the ${pool.dialect.name} database; create it, or set the model's static TABLENAME.`,
        );
      }
      const parsed = pool.dialect.parseColumns(rows);
      let done = resolved.get(pool);
      if (done === undefined) {
        done = new Map();
        resolved.set(pool, done);
      }
      done.set(table, parsed);
      return parsed;
    });
    const pending = columns;
    cache.set(table, pending);
    pending.catch(() => {
      if (cache.get(table) === pending) cache.delete(table);
    });
  }
  return columns;
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
