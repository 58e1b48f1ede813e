import { InvalidQueryError, NotFoundError } from '../errors.js';
import type { Dialect } from '../dialects/dialect.js';
import { SqlFragment } from '../sql/fragments.js';
import { ne, type SubqueryLike } from '../sql/operators.js';
import type { Statement } from '../sql/statements.js';
import { ownOptions } from '../options.js';
import type { AggregateName } from './aggregates.js';
import { aggregateRows, defaultOrder, keysetPage } from './query-reads.js';
import { contextFor, quotedList, selectSql, type CompileContext, type QueryBuilding } from './query-sql.js';
import { columnOf, currentConfig, readRows, readyContext, recordsOf, schemaOf } from './query-run.js';
import { joinTerm, withChanges, type QueryState } from './query-state.js';
import { checkName } from './query-terms.js';
import { adjustRows, deleteRowsOf, forceDeleteRowsOf, updateRows } from './query-writes.js';
import { negated } from '../model/adjustment-rules.js';
import type {
  AvgOf,
  ColumnName,
  ColumnValue,
  CursorPage,
  CursorPageOptions,
  ExtremeOf,
  GroupRow,
  NumberColumnName,
  Page,
  PaginateOptions,
  QueryEachOptions,
  SumOf,
  UpdateValues,
} from './query-types.js';

/** Aggregated: one value, or one row per group when the query is grouped. */
export type Aggregated<M, G extends string, A extends string, V> = [G] extends [never]
  ? V
  : GroupRow<M, G, A, V>[];

/**
 * What a query reads: its records (it is awaitable), one record, counts, a column's values, aggregates, pages,
 * and its SQL. Query (query.ts) adds the methods that build it; this half holds only its state.
 */
export abstract class QueryResults<M, R, G extends string, S extends string>
  implements PromiseLike<R[]>, SubqueryLike
{
  /** @internal */
  readonly state: QueryState;

  /** @internal */
  constructor(state: QueryState) {
    this.state = state;
  }

  /** The query-building hooks compiling needs (query.ts). @internal */
  protected abstract building(): QueryBuilding;

  /** A query like this one with another state. @internal */
  protected abstract withState(state: QueryState): QueryResults<M, R, G, S>;

  #context(): CompileContext | Promise<CompileContext> {
    return readyContext(currentConfig(), this.state, this.building());
  }

  async #aggregateOf(aggregate: AggregateName, column: string | undefined): Promise<unknown> {
    if (column !== undefined) checkName(column, aggregate);
    return aggregateRows(await this.#context(), this.state, aggregate, column);
  }

  /**
   * The statement this query sends, in the SQL of the database Twistar is connected to (its quoting, limits and
   * locks) with Twistar's `?` placeholders, so that `pool.runQuery(sql, params)` runs it as it is. Values are
   * written as their columns take them once the model's columns have been read (after its first query, or
   * `await User.columns()`).
   */
  toSQL(): Statement {
    return selectSql(contextFor(currentConfig(), this.state.model, this.building()), this.state);
  }

  /** The SELECT of one column this query stands for inside another statement (`oneOf(query)`). */
  subquery(dialect: Dialect, nonNull = false): SqlFragment {
    const [column, ...more] = this.state.select ?? [];
    if (column === undefined || more.length > 0) {
      throw new InvalidQueryError(
        `A query used as a list must select one column: ${this.state.model.name}.query().select('column').`,
      );
    }
    const config = currentConfig();
    if (config.pool.dialect !== dialect)
      throw new InvalidQueryError('A subquery must be for the same database.');
    // For NOT IN: a NULL among the values would make the comparison unknown for every row.
    const state = nonNull
      ? withChanges(this.state, {
          where: joinTerm(this.state.where, { kind: 'columns', values: { [column]: ne(null) } }, 'and'),
        })
      : this.state;
    const statement = selectSql(contextFor(config, this.state.model, this.building(), 10, 's10'), state);
    return new SqlFragment(statement.sql, statement.params);
  }

  then<A = R[], B = never>(
    onfulfilled?: ((value: R[]) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.all().then(onfulfilled, onrejected);
  }

  /** Every matching record. */
  async all(): Promise<R[]> {
    refuseGrouped(this.state, 'all()');
    const ready = this.#context();
    const context = ready instanceof Promise ? await ready : ready;
    return recordsOf<R>(context, this.state, await readRows(context, this.state));
  }

  /** The first matching record (by the query's order, else by key), or null. */
  async first(): Promise<R | null> {
    refuseGrouped(this.state, 'first()');
    const ready = this.#context();
    const context = ready instanceof Promise ? await ready : ready;
    const order = this.state.order.length > 0 ? undefined : defaultOrder(this.state, context);
    // limit(0) reads nothing, here too.
    const limit = this.state.limit === 0 ? 0 : 1;
    const rows = await readRows(context, this.state, { limit, ...(order ? { order } : {}) });
    return (await recordsOf<R>(context, this.state, rows))[0] ?? null;
  }

  /** The first matching record; NotFoundError when there is none. */
  async firstOrFail(): Promise<R> {
    const found = await this.first();
    if (found === null) throw new NotFoundError(`No ${this.state.model.name} matches the query.`);
    return found;
  }

  /** The number of matching rows; grouped, one `{ …group columns, count }` row per group. */
  async count(): Promise<Aggregated<M, G, 'count', number>> {
    return this.#aggregateOf('count', undefined) as Promise<Aggregated<M, G, 'count', number>>;
  }

  /** Whether any row matches. */
  async exists(): Promise<boolean> {
    const context = await readyContext(currentConfig(), this.state, this.building());
    const rows = await readRows(context, this.state, {
      columns: new SqlFragment('1 AS one'),
      limit: this.state.limit === 0 ? 0 : 1,
      order: [],
    });
    return rows.length > 0;
  }

  /** The values of one column of every matching row. */
  async pluck<K extends ColumnName<M>>(column: K): Promise<ColumnValue<M, K>[]> {
    checkName(column, 'pluck');
    const context = await readyContext(currentConfig(), this.state, this.building());
    const info = columnOf(context, column, 'pluck');
    const rows = await readRows(context, this.state, {
      columns: new SqlFragment(quotedList(context.dialect, [column])),
    });
    const reader = schemaOf(context).readers.get(info.name);
    return rows.map((row) => (reader === undefined ? row[column] : reader(row[column]))) as ColumnValue<
      M,
      K
    >[];
  }

  /** The sum of a number column: a number (a bigint past 2^53), exact text for a decimal column; 0 without rows. */
  sum<K extends NumberColumnName<M>>(column: K): Promise<Aggregated<M, G, 'sum', SumOf<ColumnValue<M, K>>>> {
    return this.#aggregateOf('sum', column) as Promise<Aggregated<M, G, 'sum', SumOf<ColumnValue<M, K>>>>;
  }

  /** The average of a number column (exact text for a decimal column); null without rows. */
  avg<K extends NumberColumnName<M>>(column: K): Promise<Aggregated<M, G, 'avg', AvgOf<ColumnValue<M, K>>>> {
    return this.#aggregateOf('avg', column) as Promise<Aggregated<M, G, 'avg', AvgOf<ColumnValue<M, K>>>>;
  }

  /** The smallest value of a column; null without rows. */
  min<K extends ColumnName<M>>(column: K): Promise<Aggregated<M, G, 'min', ExtremeOf<ColumnValue<M, K>>>> {
    return this.#aggregateOf('min', column) as Promise<Aggregated<M, G, 'min', ExtremeOf<ColumnValue<M, K>>>>;
  }

  /** The largest value of a column; null without rows. */
  max<K extends ColumnName<M>>(column: K): Promise<Aggregated<M, G, 'max', ExtremeOf<ColumnValue<M, K>>>> {
    return this.#aggregateOf('max', column) as Promise<Aggregated<M, G, 'max', ExtremeOf<ColumnValue<M, K>>>>;
  }

  /** One page of the records and the count of all: `{ data, total, page, perPage, lastPage }`. */
  async paginate(options: PaginateOptions): Promise<Page<R>> {
    const { page, perPage } = ownOptions(options, ['page', 'perPage'], `${this.state.model.name} paginate()`);
    for (const [name, value] of [
      ['page', page],
      ['perPage', perPage],
    ] as const) {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
        throw new InvalidQueryError(
          `paginate(): ${name} must be a whole number from 1, got ${String(value)}.`,
        );
      }
    }
    if (this.state.limit !== undefined || this.state.offset !== undefined) {
      throw new InvalidQueryError(
        'paginate() sets the limit and offset itself: leave them out of the query.',
      );
    }
    refuseGrouped(this.state, 'paginate()');
    const [at, size] = [page as number, perPage as number];
    const offset = (at - 1) * size;
    if (!Number.isSafeInteger(offset)) {
      throw new InvalidQueryError(`paginate(): page ${at} of ${size} rows is past any table's end.`);
    }
    const context = await this.#context();
    const total = (await aggregateRows(context, this.state, 'count', undefined)) as number;
    // Pages of no order would be pages of whatever order the database picks each time: by key unless told.
    const order = this.state.order.length > 0 ? this.state.order : defaultOrder(this.state, context);
    const data = await this.withState(withChanges(this.state, { limit: size, offset, order })).all();
    return { data, total, page: at, perPage: size, lastPage: Math.max(1, Math.ceil(total / size)) };
  }

  /** A page after a cursor, by keyset (the order's columns, then the key): `{ data, next }`, next null at the end. */
  async cursorPage(options: CursorPageOptions): Promise<CursorPage<R>> {
    const { after, limit } = ownOptions(options, ['after', 'limit'], `${this.state.model.name} cursorPage()`);
    if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1) {
      throw new InvalidQueryError(`cursorPage(): limit must be a whole number from 1, got ${String(limit)}.`);
    }
    const page = await keysetPage<R>(await this.#context(), this.state, after ?? null, limit, 'cursorPage()');
    return { data: page.records, next: page.more ? page.next : null };
  }

  /** Every matching record, read a page at a time by keyset, in flat memory. */
  async *each(options?: QueryEachOptions): AsyncGenerator<R, void, undefined> {
    const { batchSize = 1000 } = ownOptions(options, ['batchSize'], `${this.state.model.name} each()`);
    if (typeof batchSize !== 'number' || !Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new InvalidQueryError(
        `each(): batchSize must be a whole number from 1, got ${String(batchSize)}.`,
      );
    }
    let after: string | null = null;
    for (;;) {
      const page: { records: R[]; next: string; more: boolean } = await keysetPage<R>(
        await this.#context(),
        this.state,
        after,
        batchSize,
        'each()',
      );
      for (const record of page.records) yield record;
      if (!page.more) return;
      after = page.next;
    }
  }

  /**
   * Sets these columns on every row the query matches, in one UPDATE (no loading, validations or hooks; the
   * DEFAULT_SCOPE applies); resolves to the rows changed. A query with no condition is refused.
   */
  async updateAll(values: UpdateValues<M>): Promise<number> {
    return updateRows(await this.#context(), this.state, values);
  }

  /** Adds `by` (default 1) to a number column of every matching row, atomically (`SET c = c + ?`). */
  async increment(column: NumberColumnName<M>, by: number | bigint = 1): Promise<number> {
    return adjustRows(await this.#context(), this.state, column, by, 'increment()');
  }

  /** Subtracts `by` (default 1) from a number column of every matching row, atomically. */
  async decrement(column: NumberColumnName<M>, by: number | bigint = 1): Promise<number> {
    return adjustRows(await this.#context(), this.state, column, negated(by), 'decrement()');
  }

  /**
   * Deletes every row the query matches, in one DELETE (no hooks); a query with no condition is refused. On a
   * model with SOFT_DELETE, one UPDATE soft-deletes the live rows among them instead.
   */
  async deleteAll(): Promise<number> {
    return deleteRowsOf(await this.#context(), this.state);
  }

  /** Deletes every row the query matches in one DELETE, even on a model with SOFT_DELETE (see withDeleted()). */
  async forceDeleteAll(): Promise<number> {
    return forceDeleteRowsOf(await this.#context(), this.state);
  }
}

/** Refuses to read records from a grouped query, whose rows are groups: its aggregates give one row per group. */
function refuseGrouped(state: QueryState, what: string): void {
  if (state.group !== null) {
    throw new InvalidQueryError(
      `${what} reads records, and a grouped query's rows are groups: read them with count(), sum(), avg(), min() ` +
        'or max(), which give one row per group.',
    );
  }
}
