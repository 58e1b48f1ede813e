import { InvalidQueryError } from '../errors.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import { quoteColumn, SqlFragment } from '../sql/fragments.js';
import { ALL_ROWS, hasCondition, joinWheres, type WhereInput } from '../sql/where.js';
import { rowFilter } from '../query/related-rows.js';
import type { QueryModel } from '../query/query-state.js';
import { attributesCondition } from './finders.js';
import { checkSoftDeleteColumn, softDeleteColumn } from '../query/soft-delete-rows.js';
import { modelSchema } from './model-schema.js';
import { softDeleteValues } from './soft-delete-values.js';
import type { ModelDefinition } from './model-definition.js';

/*
 * The questions and deletes a model class asks of its whole table, without loading objects: count(), exists(),
 * deleteAll(), forceDeleteAll().
 */

/** A where given as column values (`{ age: 30 }`) turned into a condition; any other where as it is. */
function conditionOf(
  model: ModelDefinition,
  config: InteractionBase,
  where: WhereInput | object | undefined,
  what: string,
): WhereInput | Promise<WhereInput> {
  if (where === null || typeof where !== 'object' || Array.isArray(where) || where instanceof SqlFragment)
    return where as WhereInput;
  return attributesCondition(model, config, where as Record<string, unknown>, what);
}

/** The condition with the model's DEFAULT_SCOPE added (count and exists apply it; deleteAll does not). */
async function scopedCondition(
  model: ModelDefinition,
  config: InteractionBase,
  where: WhereInput | object | undefined,
  what: string,
): Promise<WhereInput> {
  const condition = await conditionOf(model, config, where, what);
  const scope = await rowFilter(config, model as unknown as QueryModel);
  return scope.where === null ? condition : joinWheres(scope.where, condition);
}

/** count(): the rows matching `where`, or whose columns equal the values given. */
export async function countRows(
  model: ModelDefinition,
  config: InteractionBase,
  where: WhereInput | object | undefined,
): Promise<number> {
  return config.count(model.tablename(), await scopedCondition(model, config, where, 'count'));
}

/** exists(): whether a row matches `where`, or has the column values given. */
export async function rowsExist(
  model: ModelDefinition,
  config: InteractionBase,
  where: WhereInput | object | undefined,
): Promise<boolean> {
  const row = await config.select(model.tablename(), {
    where: await scopedCondition(model, config, where, 'exists'),
    limit: 1,
    select: new SqlFragment('1 AS one'),
  });
  return row !== null;
}

/**
 * deleteAll(): the rows matching `where` deleted (soft-deleted on a model with SOFT_DELETE, unless `force`); with
 * no argument at all, every row. An argument that sets no
 * condition is refused (InvalidQueryError): it is most likely a missing value.
 */
export async function deleteRows(
  model: ModelDefinition,
  config: InteractionBase,
  args: readonly [where?: WhereInput],
  force: boolean,
): Promise<number> {
  const what = force ? 'forceDeleteAll' : 'deleteAll';
  if (args.length > 0 && !hasCondition(args[0])) {
    throw new InvalidQueryError(
      `${model.name}.${what}() was given an empty condition (${String(JSON.stringify(args[0]))}); call ` +
        `${model.name}.${what}() with no argument to delete every row.`,
    );
  }
  const [where] = args;
  const column = force ? null : softDeleteColumn(model as unknown as QueryModel);
  if (column === null) return config.delete(model.tablename(), args.length === 0 ? ALL_ROWS : where);
  // A soft delete: the live rows matching get the client's time (and updated_at, with timestamps).
  const schema = await modelSchema(config, model);
  checkSoftDeleteColumn(model as unknown as QueryModel, column, schema);
  const now = new Date();
  const live = `${quoteColumn(config.pool.dialect, column)} IS NULL`;
  return config.update(
    schema.table,
    softDeleteValues(schema, column, now, now, config.pool.dialect),
    joinWheres(live, where),
  );
}
