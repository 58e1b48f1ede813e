import { InvalidQueryError } from '../errors.js';
import { ownOptions } from '../options.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import { quoteColumn, SqlFragment, type Direction } from '../sql/fragments.js';
import { joinMultipleWheres, type Where, type WhereInput } from '../sql/where.js';
import { rowFilter } from '../query/related-rows.js';
import type { QueryModel } from '../query/query-state.js';
import type { Row } from '../dialects/driver.js';
import { relationHooks } from './relation-hooks.js';
import { fromRows, type Loadable, type Loaded } from './hydration.js';
import { modelSchema, type ModelDefinition } from './model-schema.js';

/** Options of `each()`. */
export interface EachOptions {
  where?: WhereInput | undefined;
  /**
   * One column to walk in (`'created_at'`, `'age DESC'`, `['age', 'DESC']`); the key breaks ties. The
   * column should be NOT NULL: rows with NULL there are not reached. By default, the key alone.
   */
  orderBy?: string | readonly [string, Direction] | undefined;
  /** Rows read per query (default 1000). */
  batchSize?: number | undefined;
  /** Relations loaded for each page, one query per relation and page. */
  include?: readonly string[] | undefined;
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
  const { include } = options;
  if (include !== undefined) relationHooks().checkInclude(model, include);
  let after: Where | null = null;
  for (;;) {
    const cfg = config();
    const scope = await rowFilter(cfg, model as unknown as QueryModel);
    const dialect = cfg.pool.dialect;
    const quote = (column: string) => quoteColumn(dialect, column);
    const orderBy =
      order === null
        ? new SqlFragment(quote(key))
        : new SqlFragment(`${quote(order[0])} ${order[1]}, ${quote(key)} ${order[1]}`);
    const exact = order === null ? undefined : await exactKeyText(cfg, model, order[0]);
    // A limit of 1 would make select() answer with one row; ask for one more and keep the page size.
    const limit = batchSize === 1 ? 2 : batchSize;
    const found = await cfg.select(model.tablename(), {
      where: joinMultipleWheres([scope.where, options.where, after]),
      orderBy,
      limit,
      ...(exact === undefined ? {} : { select: new SqlFragment(`*, ${exact} AS ${quote(EXACT_KEY)}`) }),
    });
    const rows = Array.isArray(found) ? found : found === null ? [] : [found];
    const page = rows.slice(0, batchSize);
    if (page.length === 0) return;
    // The next page starts after the values the database holds, not after the objects' values (converted,
    // maybe changed by afterInit): a date read back and bound again need not equal what another tool stored
    // (SQLite's text '… 00:00:00' against '… 00:00:00.000', PostgreSQL's microseconds), and a row sharing
    // it would be skipped or read again.
    const last = page.at(-1) as Row;
    const lastKey = last[key];
    const lastValue = order === null ? undefined : exact === undefined ? last[order[0]] : last[EXACT_KEY];
    if (exact !== undefined) for (const row of page) Reflect.deleteProperty(row, EXACT_KEY);
    const objects = await fromRows(model, page, cfg);
    if (include !== undefined && include.length > 0) await relationHooks().preload(objects, include, cfg);
    for (const obj of objects) yield obj;
    if (rows.length < limit) return;
    if (order === null) after = [`${quote(key)} > ?`, lastKey];
    else {
      const comparison = order[1] === 'ASC' ? '>' : '<';
      const column = quote(order[0]);
      after = [
        `${column} ${comparison} ? OR (${column} = ? AND ${quote(key)} ${comparison} ?)`,
        lastValue,
        lastValue,
        lastKey,
      ];
    }
  }
}

/** The name each() reads a date column's exact text under. */
const EXACT_KEY = '__twistar_each_key';

/** The dialect's exact text of `column` when it is a date or date-time column whose Dates lose precision. */
async function exactKeyText(
  config: InteractionBase,
  model: ModelDefinition,
  column: string,
): Promise<string | undefined> {
  const { exactDateText } = config.pool.dialect;
  if (exactDateText === undefined) return undefined;
  const kind = (await modelSchema(config, model)).byName.get(column)?.kind;
  if (kind !== 'date' && kind !== 'datetime') return undefined;
  return exactDateText(quoteColumn(config.pool.dialect, column));
}
