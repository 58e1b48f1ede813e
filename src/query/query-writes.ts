import { InvalidQueryError } from '../errors.js';
import { writeValue } from '../model/attributes.js';
import { adjustStatement } from '../sql/statements.js';
import type { SqlFragment } from '../sql/fragments.js';
import { ownProperties } from '../options.js';
import { checkAdjustment } from '../model/adjustment-rules.js';
import { checkMassAssignment } from '../model/mass-assignment.js';
import { effectiveWhere, termSql, type CompileContext } from './query-sql.js';
import { schemaOf } from './query-run.js';
import type { DeletedRows, QueryState } from './query-state.js';
import { softDeleteColumn } from './soft-delete-rows.js';
import { checkName } from './query-terms.js';
import { softDeleteValues } from '../model/soft-delete-values.js';

/*
 * The writes of a query (`User.where(…).updateAll({ … })`, `increment`, `deleteAll`): one UPDATE or DELETE of
 * the rows it matches, its DEFAULT_SCOPE included, without loading them or running hooks; each resolves to the
 * number of rows written. A query with no condition is refused: it would reach every row.
 */

/** The WHERE of a write: the query's condition, which must exist; the parts a write cannot take refused. */
function writeCondition(
  context: CompileContext,
  state: QueryState,
  what: string,
  deleted: DeletedRows = state.deleted,
): SqlFragment {
  const extra: string[] = [];
  if (state.limit !== undefined || state.offset !== undefined) extra.push('limit/offset');
  if (state.order.length > 0) extra.push('orderBy');
  if (state.select !== null) extra.push('select');
  if (state.group !== null || state.having !== undefined) extra.push('group/having');
  if (state.lock !== null) extra.push('a row lock');
  if (state.include.length > 0 || state.counts.length > 0) extra.push('include/withCount');
  if (extra.length > 0) {
    throw new InvalidQueryError(
      `${what} writes the rows a query matches; leave ${extra.join(', ')} out of it.`,
    );
  }
  // The live rows' condition of a soft-deleting model does not count: it alone would still reach every live row.
  const own = termSql(context, effectiveWhere(context, state, state.deleted === 'only' ? 'only' : false));
  if (own === null || own.text.trim() === '') {
    const model = state.model.name;
    throw new InvalidQueryError(
      `${model}.query().${what} has no condition, so it would write every row. Narrow it with where(…); to ` +
        `delete every row on purpose call ${model}.deleteAll(), to update every row the low-level ` +
        'update(table, values, ALL_ROWS).',
    );
  }
  return termSql(context, effectiveWhere(context, state, deleted)) ?? own;
}

/** updateAll(values): one UPDATE … SET of these columns (written as the columns take them). */
export async function updateRows(
  context: CompileContext,
  state: QueryState,
  given: unknown,
): Promise<number> {
  const what = 'updateAll()';
  if (given === null || typeof given !== 'object' || Array.isArray(given)) {
    throw new InvalidQueryError(
      `${what} takes an object of column values, got ${given === null ? 'null' : typeof given}.`,
    );
  }
  checkMassAssignment(state.model, given, `${state.model.name}.query().updateAll()`);
  const schema = schemaOf(context);
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(ownProperties(given as Record<string, unknown>))) {
    checkName(name, what);
    const column = schema.byName.get(name);
    if (column === undefined)
      throw new InvalidQueryError(`${what}: ${state.model.name} has no column "${name}".`);
    if (value === undefined) {
      throw new InvalidQueryError(
        `${what}: the value of "${name}" is undefined; pass null for NULL, or leave it out.`,
      );
    }
    values[name] = value === null ? null : writeValue(column, value);
  }
  if (Object.keys(values).length === 0)
    throw new InvalidQueryError(`${what} needs at least one column to set.`);
  const where = writeCondition(context, state, what);
  return context.config.update(state.model.tablename(), values, where);
}

/** increment(column, by) / decrement: one UPDATE … SET column = column + ?. */
export async function adjustRows(
  context: CompileContext,
  state: QueryState,
  column: string,
  by: number | bigint,
  what: string,
): Promise<number> {
  checkName(column, what);
  const info = checkAdjustment(schemaOf(context).byName.get(column), column, state.model.name, by);
  const where = writeCondition(context, state, what);
  const statement = adjustStatement(context.dialect, state.model.tablename(), info.name, by, where);
  return (await context.config.pool.execute(statement.sql, statement.params)).affectedRows;
}

/**
 * deleteAll(): one DELETE of the rows the query matches; for a model with SOFT_DELETE, one UPDATE setting it (and
 * `updated_at`, if the table has it) to the client's time on those of them that are live.
 */
export async function deleteRowsOf(context: CompileContext, state: QueryState): Promise<number> {
  const column = softDeleteColumn(state.model);
  if (column === null) return forceDeleteRowsOf(context, state, 'deleteAll()');
  const where = writeCondition(context, state, 'deleteAll()', 'hidden');
  const now = new Date();
  const values = softDeleteValues(schemaOf(context), column, now, now, context.dialect);
  return context.config.update(state.model.tablename(), values, where);
}

/** forceDeleteAll(): one DELETE of the rows the query matches (soft-deleted ones too after `withDeleted()`). */
export async function forceDeleteRowsOf(
  context: CompileContext,
  state: QueryState,
  what = 'forceDeleteAll()',
): Promise<number> {
  return context.config.delete(state.model.tablename(), writeCondition(context, state, what));
}
