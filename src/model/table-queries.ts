import { InvalidQueryError } from '../errors.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import { SqlFragment } from '../sql/fragments.js';
import { ALL_ROWS, hasCondition, joinWheres, type WhereInput } from '../sql/where.js';
import { rowFilter } from '../query/related-rows.js';
import type { QueryModel } from '../query/query-state.js';
import { attributesCondition } from './finders.js';
import type { ModelDefinition } from './model-definition.js';

/*
 * The questions and deletes a model class asks of its whole table, without loading objects: count(), exists(),
 * deleteAll().
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
 * deleteAll(): the rows matching `where` deleted; with no argument at all, every row. An argument that sets no
 * condition is refused (InvalidQueryError): it is most likely a missing value.
 */
export async function deleteRows(
  model: ModelDefinition,
  config: InteractionBase,
  args: readonly [where?: WhereInput],
): Promise<number> {
  if (args.length === 0) return config.delete(model.tablename(), ALL_ROWS);
  const [where] = args;
  if (!hasCondition(where)) {
    throw new InvalidQueryError(
      `${model.name}.deleteAll() was given an empty condition (${String(JSON.stringify(where))}); call ` +
        `${model.name}.deleteAll() with no argument to delete every row.`,
    );
  }
  return config.delete(model.tablename(), where);
}
