import { INT64_MAX, INT64_MIN, type Row } from '../dialects/driver.js';
import type { Id, InteractionBase } from '../crud/interaction-base.js';
import { quoteColumn } from '../sql/fragments.js';
import { setOwnProperty } from '../own-property.js';
import { Registry } from '../registry.js';
import { knownModelSchema } from './model-schema.js';
import type { Loadable } from './hydration.js';

/**
 * Merging of primary-key finds: `find(id)` calls issued in the same tick become one
 * `SELECT … WHERE key IN (…)`, and each caller receives the row of its own key. Under many requests in
 * flight this turns N round trips (and N waits for a pooled connection) into one.
 *
 * Only integer keys looked up by number or bigint are merged: their rows can be matched to the requests
 * in JavaScript exactly as the database compares them. Text keys (collations, case, padding) and
 * reads inside a transaction or `primary(…)` keep one statement per find.
 */

interface Waiter {
  readonly id: Id;
  readonly key: string;
  resolve(row: Row | null): void;
  reject(error: unknown): void;
}

interface Batch {
  readonly waiters: Waiter[];
}

/** IN lists are padded to these lengths, so that each database prepares a handful of statements. */
const SIZES = [2, 4, 8, 16, 32, 64, 128, 256] as const;
const LARGEST = Math.max(...SIZES);

const pending = new WeakMap<InteractionBase, Map<Loadable<unknown>, Batch>>();

/** The row of `id`, through a merged statement when `id` can be merged; undefined when it cannot. */
export function mergedFindRow(
  model: Loadable<unknown>,
  config: InteractionBase,
  id: Id,
): Promise<Row | null> | undefined {
  const pool = config.pool;
  if (!Registry.BATCH_FINDS || pool.synchronous || pool.transactionToken() !== undefined || pool.onPrimary)
    return undefined;
  // A key no 64-bit column holds is looked up alone: its error (or empty answer) is its caller's only.
  if (
    typeof id === 'number'
      ? !Number.isSafeInteger(id)
      : typeof id !== 'bigint' || id < INT64_MIN || id > INT64_MAX
  )
    return undefined;
  const column = knownModelSchema(config, model)?.byName.get(model.PRIMARY_KEY);
  if (column?.kind !== 'integer') return undefined;
  let batches = pending.get(config);
  if (batches === undefined) pending.set(config, (batches = new Map()));
  let batch = batches.get(model);
  if (batch === undefined) {
    const created: Batch = { waiters: [] };
    batches.set(model, (batch = created));
    process.nextTick(() => {
      batches.delete(model);
      void flush(model, config, created);
    });
  }
  const waiters = batch.waiters;
  return new Promise((resolve, reject) => waiters.push({ id, key: String(id), resolve, reject }));
}

async function flush(model: Loadable<unknown>, config: InteractionBase, batch: Batch): Promise<void> {
  const table = model.tablename();
  const primaryKey = model.PRIMARY_KEY;
  try {
    const [only] = batch.waiters;
    if (only !== undefined && batch.waiters.length === 1) {
      only.resolve(await config.select(table, { id: only.id, primaryKey }));
      return;
    }
    const ids = [...new Map(batch.waiters.map(({ key, id }) => [key, id])).values()];
    const chunks: Id[][] = [];
    for (let start = 0; start < ids.length; start += LARGEST) chunks.push(ids.slice(start, start + LARGEST));
    const column = quoteColumn(config.pool.dialect, primaryKey);
    const found = await Promise.all(
      chunks.map((chunk) => {
        const size = SIZES.find((length) => length >= chunk.length) ?? LARGEST;
        const padded = [...chunk, ...Array<unknown>(size - chunk.length).fill(chunk.at(-1))];
        return config.select(table, {
          where: [`${column} IN (${padded.map(() => '?').join(', ')})`, ...padded],
        });
      }),
    );
    const byKey = new Map<string, Row>();
    for (const rows of found) for (const row of rows) byKey.set(String(row[primaryKey]), row);
    const handedOut = new Set<string>();
    for (const waiter of batch.waiters) {
      const row = byKey.get(waiter.key);
      if (row === undefined) waiter.resolve(null);
      else if (handedOut.has(waiter.key)) waiter.resolve(copyRow(row));
      else {
        handedOut.add(waiter.key);
        waiter.resolve(row);
      }
    }
  } catch (error) {
    if (batch.waiters.length === 1) {
      batch.waiters[0]?.reject(error);
      return;
    }
    // One caller's key may be what the database refused: each caller is answered by a find of its own.
    await Promise.all(
      batch.waiters.map(async (waiter) => {
        try {
          waiter.resolve(await config.select(table, { id: waiter.id, primaryKey }));
        } catch (own) {
          waiter.reject(own);
        }
      }),
    );
  }
}

/** A row for a second caller with the same key: its own copies of the values an object could change in place. */
function copyRow(row: Row): Row {
  const copy: Row = {};
  for (const key of Object.keys(row)) {
    const value = row[key];
    setOwnProperty(
      copy,
      key,
      value instanceof Date
        ? new Date(value.getTime())
        : Buffer.isBuffer(value)
          ? Buffer.from(value)
          : value !== null && typeof value === 'object'
            ? structuredClone(value)
            : value,
    );
  }
  return copy;
}
