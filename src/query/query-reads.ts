import { InvalidQueryError } from '../errors.js';
import { SqlFragment } from '../sql/fragments.js';
import { aggregateValue, checkAggregated, decimalQuotient, type AggregateName } from './aggregates.js';
import {
  afterCondition,
  decodeCursor,
  dropExact,
  encodeCursor,
  exactItems,
  keyColumns,
  keyOrder,
  keyValues,
} from './keyset.js';
import { effectiveOrder, quotedList, selectSql, type CompileContext } from './query-sql.js';
import { columnOf, readRows, recordsOf, schemaOf } from './query-run.js';
import { withChanges, type OrderItem, type QueryState } from './query-state.js';

/*
 * The reads of a query that are more than its rows: aggregates (alone or per group) and keyset pages.
 */

/** The order of a query that gives none: its DEFAULT_SCOPE's, else the key. */
export function defaultOrder(state: QueryState, context: CompileContext): OrderItem[] {
  const scoped = effectiveOrder(context, state);
  return scoped.length > 0 ? [...scoped] : [{ column: state.model.PRIMARY_KEY, direction: 'ASC' }];
}

/** COUNT(*) or an aggregate of `column`: one value, or one row per group of a grouped query. */
export async function aggregateRows(
  context: CompileContext,
  given: QueryState,
  aggregate: AggregateName,
  column: string | undefined,
): Promise<unknown> {
  const { dialect } = context;
  const schema = schemaOf(context);
  // Aggregates lock nothing: PostgreSQL refuses FOR UPDATE with them, and a count has no rows to hold.
  const state = given.lock === null ? given : withChanges(given, { lock: null });
  const info = column === undefined ? undefined : columnOf(context, column, aggregate);
  if (info !== undefined) checkAggregated(aggregate, info, state.model.name);
  // An average is the exact sum over the count, the same on every database: MySQL's AVG rounds to 4 places,
  // PostgreSQL's gives 20, SQLite's is floating point.
  const byCount = aggregate === 'avg' && (info?.kind === 'integer' || info?.kind === 'decimal');
  const calls = (name: string | undefined, as: string) => {
    if (name === undefined) return `COUNT(*) AS ${dialect.quoteIdentifier(as)}`;
    if (byCount)
      return `SUM(${name}) AS ${dialect.quoteIdentifier(as)}, COUNT(${name}) AS ${dialect.quoteIdentifier(COUNTED)}`;
    return `${aggregate.toUpperCase()}(${name}) AS ${dialect.quoteIdentifier(as)}`;
  };
  const valueOf = (row: Record<string, unknown> | undefined, as: string): unknown => {
    if (!byCount) return aggregateValue(aggregate, row?.[as], info, schema);
    const counted = Number(row?.[COUNTED] ?? 0);
    if (counted === 0) return null;
    if (info?.kind !== 'decimal') return Number(row?.[as]) / counted;
    const sum = aggregateValue('sum', row?.[as], info, schema) as string;
    return decimalQuotient(sum, counted, (info.scale ?? 0) + 4);
  };
  const target = info && quotedList(dialect, [info.name]);
  const { group } = state;
  if (group === null) {
    if (state.limit === undefined && state.offset === undefined) {
      const rows = await readRows(context, state, {
        columns: new SqlFragment(calls(target, 'value')),
        order: [],
      });
      return valueOf(rows[0], 'value');
    }
    // A limited query aggregates the rows it would give: the limit applies to an inner SELECT.
    const inner = selectSql(context, state, { columns: new SqlFragment(target ?? '1 AS one') });
    const window = dialect.quoteIdentifier('w');
    const sql = `SELECT ${calls(target && `${window}.${target}`, 'value')} FROM (${inner.sql}) ${window}`;
    const rows = await context.config.readRows(state.model.tablename(), sql, inner.params);
    return valueOf(rows[0], 'value');
  }
  const columns = new SqlFragment(`${quotedList(dialect, group)}, ${calls(target, aggregate)}`);
  // Only an order the query gives itself: a default scope's (by a column not grouped) would not be valid here.
  const rows = await readRows(context, state, { columns, order: state.order });
  return rows.map((row) => {
    const result: Record<string, unknown> = {};
    for (const name of group) {
      const reader = schema.readers.get(name);
      result[name] = reader === undefined ? row[name] : reader(row[name]);
    }
    result[aggregate] = valueOf(row, aggregate);
    return result;
  });
}

/** The alias of the count an average of integers divides by. */
const COUNTED = '__twistar_counted';

/** One keyset page: the records after the cursor `after`, and the cursor after them. */
export async function keysetPage<R>(
  context: CompileContext,
  state: QueryState,
  after: string | null,
  size: number,
  what: string,
): Promise<{ records: R[]; next: string; more: boolean }> {
  if (state.limit !== undefined || state.offset !== undefined || state.group !== null) {
    throw new InvalidQueryError(`${what} pages by itself: leave limit, offset and group out of the query.`);
  }
  const { dialect } = context;
  const order = state.order.length > 0 ? state.order : defaultOrder(state, context);
  const keys = keyColumns(order, state.model.PRIMARY_KEY, dialect, schemaOf(context), what);
  const start =
    after === null
      ? null
      : afterCondition(dialect, keys, decodeCursor(state.model.tablename(), keys, after, what));
  // A query that selects some columns reads the keys too, to start the next page after them.
  const selected = state.select;
  const added =
    selected === null ? [] : keys.map((key) => key.column).filter((name) => !selected.includes(name));
  const more = [...(added.length > 0 ? [quotedList(dialect, added)] : []), ...exactItems(dialect, keys)];
  const rows = await readRows(context, state, {
    more,
    order: [{ fragment: keyOrder(dialect, keys) }],
    limit: size + 1,
    extra: start,
  });
  const page = rows.slice(0, size);
  const last = page.at(-1);
  const next = last === undefined ? '' : encodeCursor(state.model.tablename(), keys, keyValues(last, keys));
  for (const row of page) {
    dropExact(row, keys);
    for (const name of added) Reflect.deleteProperty(row, name);
  }
  return { records: await recordsOf<R>(context, state, page), next, more: rows.length > size };
}
