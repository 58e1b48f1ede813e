import { InvalidQueryError } from '../errors.js';
import type { Id, InteractionBase } from '../crud/interaction-base.js';
import type { ColumnList, OrderBy } from '../sql/fragments.js';
import { quoteColumn } from '../sql/fragments.js';
import { attrsToWhere, joinWheres, type WhereInput } from '../sql/where.js';
import { relationHooks } from './relation-hooks.js';
import { writeValue } from './attributes.js';
import { setOwnProperty } from '../own-property.js';
import { omitKeys, ownOptions } from '../options.js';
import { fromRows, type Loadable, type Loaded } from './hydration.js';
import { mergedFindRow } from './find-merging.js';
import { modelSchema, type ModelDefinition } from './model-schema.js';
import { rowFilter } from '../query/related-rows.js';
import type { QueryModel } from '../query/query-state.js';

/** Options of `find`, `all` and `findBy`. */
export interface FindOptions {
  where?: WhereInput | undefined;
  orderBy?: OrderBy | undefined;
  group?: ColumnList | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
  /** Lock the rows read until the transaction ends (FOR UPDATE, or FOR SHARE); use inside a transaction. */
  lock?: 'update' | 'share' | undefined;
  /** Relations to load for every object found, one query per relation: `['pictures', 'user.avatar']`. */
  include?: readonly string[] | undefined;
  /** Let these objects load a relation for each other on first use (default `Registry.AUTO_BATCH`). */
  batch?: boolean | undefined;
}

export type { Loadable } from './hydration.js';

/** The keys of FindOptions, for checking a caller's options. */
export const FIND_OPTIONS: readonly (keyof FindOptions)[] = [
  'where',
  'orderBy',
  'group',
  'limit',
  'offset',
  'lock',
  'include',
  'batch',
];

const COLUMN_HINT = "To match column values, use findBy({ column: value }) or where: ['column = ?', value].";

/** Options of `find(key, options)`. */
export interface FindByKeyOptions {
  include?: readonly string[] | undefined;
}

/**
 * What `find(options)` resolves to: one object or null for `limit: 1` (Twistar's rule), an array for any other
 * limit or none; a limit whose value is not known until run time (`limit: n`) may be either.
 */
export type FindResult<M, O> = 'limit' extends keyof O ? LimitedResult<M, O['limit' & keyof O]> : M[];

type LimitedResult<M, L> = [L] extends [1] ? M | null : 1 extends L ? M | M[] | null : M[];

function isId(value: unknown): value is Id {
  return typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint';
}

/** find(): by key, by options, or everything; `limit: 1` and a key give one object or null. */
export async function findObjects<M extends Loaded>(
  model: Loadable<M>,
  config: InteractionBase,
  args: readonly unknown[],
): Promise<M | M[] | null> {
  const [first] = args;
  if (args.length > 0 && isId(first)) {
    const { include } = ownOptions(
      args[1] as FindByKeyOptions | undefined,
      ['include'],
      `${model.name}.find(key, …)`,
    );
    if (include !== undefined) relationHooks().checkInclude(model, include);
    const scope = await rowFilter(config, model as unknown as QueryModel);
    const row = await (scope.where !== null
      ? config.select(model.tablename(), {
          where: joinWheres(
            [`${quoteColumn(config.pool.dialect, model.PRIMARY_KEY)} = ?`, first],
            scope.where,
          ),
          limit: 1,
        })
      : (mergedFindRow(model, config, first) ??
        config.select(model.tablename(), { id: first, primaryKey: model.PRIMARY_KEY })));
    const found = row === null ? null : ((await fromRows(model, [row], config))[0] ?? null);
    if (found !== null && include !== undefined && include.length > 0)
      await relationHooks().preload([found], include, config);
    return found;
  }
  if (args.length > 0 && (first === null || typeof first !== 'object' || Array.isArray(first))) {
    throw new InvalidQueryError(
      `${model.name}.find() takes an id or an options object ({ where, orderBy, limit, … }), got ${first === undefined ? 'undefined' : JSON.stringify(first)}.`,
    );
  }
  const options = ownOptions(
    first as FindOptions | undefined,
    FIND_OPTIONS,
    `${model.name}.find()`,
    COLUMN_HINT,
  );
  const { include, batch } = options;
  const clauses = omitKeys(options, 'include', 'batch');
  if (include !== undefined) relationHooks().checkInclude(model, include);
  const scope = await rowFilter(config, model as unknown as QueryModel);
  if (scope.where !== null) clauses.where = joinWheres(scope.where, clauses.where);
  if (scope.order !== null && clauses.orderBy === undefined) clauses.orderBy = scope.order;
  const found = await config.select(model.tablename(), clauses);
  // With limit 1 the low-level select already answers with one row or null.
  const rows = Array.isArray(found) ? found : found === null ? [] : [found];
  const objects = await fromRows(model, rows, config, batch);
  if (include !== undefined && include.length > 0)
    await relationHooks().preload(objects, include, config, batch);
  return clauses.limit === 1 ? (objects[0] ?? null) : objects;
}

/** The where of findBy: the columns equal to the values given (null matches NULL); none for `{}`. */
export function whereAttributes(
  config: InteractionBase,
  attrs: Readonly<Record<string, unknown>>,
): WhereInput {
  return attrsToWhere(attrs, 'AND', (name) => quoteColumn(config.pool.dialect, name));
}

/**
 * The condition of findBy, count and exists given column values: each value written as its column takes it,
 * an `undefined` value refused (it would drop its condition), `{}` no condition at all.
 */
export async function attributesCondition(
  model: ModelDefinition,
  config: InteractionBase,
  attrs: Readonly<Record<string, unknown>>,
  what: string,
): Promise<WhereInput> {
  if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) {
    throw new InvalidQueryError(`${model.name}.${what}() takes an object of column values.`);
  }
  const schema = await modelSchema(config, model);
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attrs)) {
    const column = schema.byName.get(name);
    // Assigned, a `__proto__` key (from JSON.parse) would be dropped, and its condition with it.
    setOwnProperty(
      values,
      name,
      column === undefined || value === null || value === undefined ? value : writeValue(column, value),
    );
  }
  return whereAttributes(config, values);
}

/** findBy(): the objects whose columns equal the values given (every object for `{}`), with further find options. */
export async function findObjectsBy<M extends Loaded>(
  model: Loadable<M>,
  config: InteractionBase,
  attrs: Readonly<Record<string, unknown>>,
  options?: FindOptions,
): Promise<M | M[] | null> {
  const checked = ownOptions(options, FIND_OPTIONS, `${model.name}.findBy(attrs, …)`);
  const where = joinWheres(await attributesCondition(model, config, attrs, 'findBy'), checked.where);
  return findObjects(model, config, [{ ...checked, where }]);
}

/** all(): every object, optionally ordered, filtered or offset; a limit is refused (find() takes one). */
export async function allObjects<M extends Loaded>(
  model: Loadable<M>,
  config: InteractionBase,
  options: Omit<FindOptions, 'limit'>,
): Promise<M[]> {
  if (options !== null && typeof options === 'object' && Object.hasOwn(options, 'limit'))
    throw new InvalidQueryError(
      `${model.name}.all() reads every row and takes no limit; use find({ limit }).`,
    );
  return (await findObjects<M>(model, config, [{ ...options, limit: undefined }])) as M[];
}
