import type { InteractionBase } from '../crud/interaction-base.js';
import type { SqlFragment } from '../sql/fragments.js';
import { QUERY_BUILD } from './query.js';
import { effectiveOrder, effectiveWhere, orderSql, termSql } from './query-sql.js';
import type { QueryModel, Refinement } from './query-state.js';
import { readyContext } from './query-run.js';
import { softDeleteColumn } from './soft-delete-rows.js';

/*
 * How relations and finders outside the query layer narrow the rows of a model: by its DEFAULT_SCOPE and its soft
 * deletes (the live rows), and for an included relation by the function given to `include({ pictures: (q) => … })`.
 */

/** A model's rows as a relation or finder reads them: a condition and an order, each null for none. */
export interface RowFilter {
  readonly where: SqlFragment | null;
  readonly order: SqlFragment | null;
}

const NONE: RowFilter = Object.freeze({ where: null, order: null });

/**
 * The condition and order that `model`'s DEFAULT_SCOPE, its SOFT_DELETE and `refine` put on its rows; with `qualify`, the order's
 * columns named with the table (for a statement that joins another table).
 */
export async function rowFilter(
  config: InteractionBase,
  model: QueryModel,
  refine?: Refinement,
  qualify = false,
): Promise<RowFilter> {
  if (refine === undefined && model.DEFAULT_SCOPE == null && softDeleteColumn(model) === null) return NONE;
  const state = QUERY_BUILD.refined(model, refine, 'include');
  const context = await readyContext(config, state, QUERY_BUILD);
  const where = termSql(context, effectiveWhere(context, state));
  const items = effectiveOrder(context, state).map((item) =>
    'column' in item && qualify ? { ...item, column: `${model.tablename()}.${item.column}` } : item,
  );
  return { where, order: orderSql(context.dialect, items) };
}
