import { InvalidQueryError } from '../errors.js';
import { ownOptions } from '../options.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import { quoteColumn, SqlFragment, type Direction } from '../sql/fragments.js';
import { joinWheres, type Where, type WhereInput } from '../sql/where.js';
import { findObjects } from './finders.js';
import type { Loadable, Loaded } from './hydration.js';

/** Options of `each()`. */
export interface EachOptions {
  where?: WhereInput;
  /**
   * One column to walk in (`'created_at'`, `'age DESC'`, `['age', 'DESC']`); the key breaks ties. The
   * column should be NOT NULL: rows with NULL there are not reached. By default, the key alone.
   */
  orderBy?: string | readonly [string, Direction];
  /** Rows read per query (default 1000). */
  batchSize?: number;
  /** Relations loaded for each page, one query per relation and page. */
  include?: readonly string[];
}

function parseOrder(orderBy: EachOptions['orderBy']): [string, 'ASC' | 'DESC'] | null {
  if (orderBy === undefined) return null;
  const [column, direction = 'ASC'] = typeof orderBy === 'string' ? orderBy.trim().split(/\s+/) : orderBy;
  const upper = direction.toUpperCase();
  if (
    column === undefined ||
    (upper !== 'ASC' && upper !== 'DESC') ||
    (typeof orderBy === 'string' && orderBy.includes(','))
  ) {
    throw new InvalidQueryError(
      `each() walks one column (and the key): orderBy "${String(orderBy)}" is not one column with ASC or DESC.`,
    );
  }
  return [column, upper];
}

/**
 * each(): every matching object, a page at a time, by keyset pagination — each page starts after the last
 * row of the one before (no OFFSET), so memory stays flat and rows are neither skipped nor repeated while
 * pages are read.
 */
export async function* eachObject<M extends Loaded>(
  model: Loadable<M>,
  config: () => InteractionBase,
  given: EachOptions = {},
): AsyncGenerator<M, void, undefined> {
  const options = ownOptions(given, ['where', 'orderBy', 'batchSize', 'include'], `${model.name}.each()`);
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new InvalidQueryError(`batchSize must be a positive integer, got ${String(batchSize)}.`);
  }
  const order = parseOrder(options.orderBy);
  const key = model.PRIMARY_KEY;
  let after: Where | null = null;
  for (;;) {
    const cfg = config();
    const quote = (column: string) => quoteColumn(cfg.pool.dialect, column);
    const orderBy =
      order === null
        ? new SqlFragment(quote(key))
        : new SqlFragment(`${quote(order[0])} ${order[1]}, ${quote(key)} ${order[1]}`);
    // A limit of 1 would make find() answer with one object; ask for one more and keep the page size.
    const limit = batchSize === 1 ? 2 : batchSize;
    const found = (await findObjects(model, cfg, [
      { where: joinWheres(options.where, after), orderBy, limit, include: options.include },
    ])) as M[];
    const page = found.slice(0, batchSize);
    for (const obj of page) yield obj;
    if (found.length < limit || page.length === 0) return;
    const last = page.at(-1) as unknown as Record<string, unknown>;
    const lastKey = (last as { id?: unknown }).id;
    if (order === null) after = [`${quote(key)} > ?`, lastKey];
    else {
      const comparison = order[1] === 'ASC' ? '>' : '<';
      const column = quote(order[0]);
      after = [
        `${column} ${comparison} ? OR (${column} = ? AND ${quote(key)} ${comparison} ?)`,
        last[order[0]],
        last[order[0]],
        lastKey,
      ];
    }
  }
}
