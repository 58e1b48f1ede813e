import { InvalidQueryError } from '../errors.js';
import type { ColumnInfo, Dialect } from '../dialects/dialect.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import { writeUncast, writeValue } from '../model/attributes.js';
import { knownModelSchema, type ModelSchema } from '../model/model-schema.js';
import { SqlFragment, quoteColumn, renderOrderBy } from '../sql/fragments.js';
import { comparisonSql, Comparison } from '../sql/operators.js';
import { toCondition } from '../sql/where.js';
import { checkSoftDeleteColumn, softDeleteColumn, softDeleteTerm } from './soft-delete-rows.js';
import {
  type DeletedRows,
  type OrderItem,
  type QueryModel,
  type QueryState,
  type Refinement,
  type Term,
} from './query-state.js';
import { selectStatement, type Statement } from '../sql/statements.js';

/** What compiling a query's parts needs: the database's rules, and the model's columns where known. */
export interface CompileContext {
  readonly dialect: Dialect;
  readonly config: InteractionBase;
  readonly model: QueryModel;
  /** The name the statement gives the model's table (itself, or an alias in a subquery). */
  readonly table: string;
  /** The model's columns, when read already: values are then written as their columns take them. */
  readonly schema: ModelSchema | undefined;
  /** Numbers the aliases of nested subqueries. */
  readonly depth: number;
  /** Makes the query states a relation filter needs (query.ts provides it: Query sits above this file). */
  readonly build: QueryBuilding;
}

/** Queries made while compiling: a related model's, with its default scope and a refinement applied. */
export interface QueryBuilding {
  /** The state of a query of `model` (its DEFAULT_SCOPE applied) narrowed by `refine`. */
  refined(model: QueryModel, refine: Refinement | undefined, what: string): QueryState;
  /** The condition and order `model`'s DEFAULT_SCOPE adds, or null when it has none. */
  defaultScope(model: QueryModel): QueryState | null;
  /** EXISTS a related row (relation-sql.ts; handed in, since its subqueries compile with this file). */
  exists(context: CompileContext, name: string, negate: boolean, refine: Refinement | undefined): SqlFragment;
  /** The count of related rows, for the select list (relation-sql.ts). */
  count(context: CompileContext, name: string): SqlFragment;
}

/** A context for `model` at the top of a statement (or, with `alias`, inside another). */
export function contextFor(
  config: InteractionBase,
  model: QueryModel,
  build: QueryBuilding,
  depth = 0,
  alias?: string,
  schema: ModelSchema | undefined = knownModelSchema(config, model),
): CompileContext {
  return {
    build,
    dialect: config.pool.dialect,
    config,
    model,
    table: alias ?? model.tablename(),
    schema,
    depth,
  };
}

const QUOTED = new WeakMap<Dialect, Map<string, string>>();

/** A column name checked and quoted, once per database and name (where objects repeat the same few names). */
function quotedName(dialect: Dialect, name: string): string {
  let names = QUOTED.get(dialect);
  if (names === undefined) QUOTED.set(dialect, (names = new Map()));
  let quoted = names.get(name);
  if (quoted === undefined) {
    quoted = quoteColumn(dialect, name, 'Column');
    if (names.size < 10_000) names.set(name, quoted);
  }
  return quoted;
}

function PLAIN_VALUE(value: unknown): boolean {
  return (
    value === null ||
    typeof value !== 'object' ||
    value instanceof Date ||
    value instanceof Uint8Array ||
    value instanceof Comparison
  );
}

function asGiven(value: unknown): unknown {
  return value;
}

/** How values are written to `column` (null as it is); a LIKE pattern is text, which the column's cast leaves alone. */
function writerOf(column: ColumnInfo, kind: Comparison<unknown>['kind']): (value: unknown) => unknown {
  const write = kind === 'like' ? writeUncast : writeValue;
  return (value) => (value === null ? value : write(column, value));
}

/** A where object's conditions: each column equal to (IS NULL for null), or compared with, its value. */
function columnsSql(context: CompileContext, values: Readonly<Record<string, unknown>>): SqlFragment | null {
  const { dialect, schema, model } = context;
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const name of Object.keys(values)) {
    const value = values[name];
    const quoted = quotedName(dialect, name);
    const column = schema?.byName.get(name);
    if (schema !== undefined && column === undefined) {
      throw new InvalidQueryError(
        `${model.name} has no column "${name}" (table "${schema.table}" has ${schema.columns.map((c) => c.name).join(', ')}).`,
      );
    }
    if (value === undefined) {
      throw new InvalidQueryError(
        `The condition on "${name}" is undefined; pass null to match NULL, or leave "${name}" out.`,
      );
    }
    // A cast column takes what its cast takes (a JSON value, an object of your own).
    if (!PLAIN_VALUE(value) && column?.kind !== 'json' && column?.cast === undefined) {
      throw new InvalidQueryError(
        `The condition on "${name}" is an object, not a value; compare with gt(), gte(), lt(), lte(), ne(), ` +
          'between(), like(), oneOf() or noneOf() (imported from twistar).',
      );
    }
    if (value === null) parts.push(`${quoted} IS NULL`);
    else if (value instanceof Comparison) {
      const write = column === undefined ? asGiven : writerOf(column, value.kind);
      const fragment = comparisonSql(dialect, quoted, value, write);
      parts.push(fragment.text);
      params.push(...fragment.params);
    } else {
      parts.push(`${quoted} = ?`);
      params.push(column === undefined ? value : writeValue(column, value));
    }
  }
  if (parts.length === 0) return null;
  return new SqlFragment(
    parts.length === 1 ? parts.join('') : parts.map((part) => `(${part})`).join(' AND '),
    params,
  );
}

/** The SQL of a condition, or null for none. */
export function termSql(context: CompileContext, term: Term | null): SqlFragment | null {
  if (term === null) return null;
  switch (term.kind) {
    case 'columns':
      return columnsSql(context, term.values);
    case 'sql':
      return toCondition(term.where);
    case 'has':
      return context.build.exists(context, term.relation, term.negate, term.refine);
    case 'and':
    case 'or': {
      const compiled = term.terms.map((each) => termSql(context, each));
      const blank = (part: SqlFragment | null) => part === null || part.text.trim() === '';
      // A side with no condition is every row: it drops out of an AND, and makes an OR every row.
      if (term.kind === 'or' && compiled.some(blank)) return null;
      const parts = compiled.filter((part): part is SqlFragment => !blank(part));
      if (parts.length === 0) return null;
      const [only] = parts;
      if (parts.length === 1 && only !== undefined) return only;
      const word = term.kind === 'and' ? ' AND ' : ' OR ';
      return new SqlFragment(
        parts.map((part) => `(${part.text})`).join(word),
        parts.flatMap((part) => part.params),
      );
    }
  }
}

/** The text after ORDER BY, or null for no order. */
export function orderSql(dialect: Dialect, order: readonly OrderItem[]): SqlFragment | null {
  if (order.length === 0) return null;
  const texts: string[] = [];
  const params: unknown[] = [];
  for (const item of order) {
    if ('fragment' in item) {
      const fragment = renderOrderBy(dialect, item.fragment);
      texts.push(fragment.text);
      params.push(...fragment.params);
    } else texts.push(`${quotedName(dialect, item.column)} ${item.direction}`);
  }
  return new SqlFragment(texts.join(', '), params);
}

/**
 * The condition of `state` with its model's DEFAULT_SCOPE, unless lifted by `unscoped()`, and the condition on its
 * SOFT_DELETE column the query's `deleted` asks for (`deleted` given: that one instead; false: none).
 */
export function effectiveWhere(
  context: CompileContext,
  state: QueryState,
  deleted: DeletedRows | false = state.deleted,
): Term | null {
  const scope = state.scoped ? context.build.defaultScope(state.model) : null;
  const soft = deleted === false ? null : softDeleteTerm(state.model, deleted);
  if (soft !== null) checkSoftDeleteColumn(state.model, softDeleteColumn(state.model) ?? '', context.schema);
  let where: Term | null = null;
  // Each part stays one term: an OR inside the query's own condition cannot widen the scope or the base.
  for (const part of [soft, scope?.where ?? null, state.base, state.where])
    if (part !== null) where = where === null ? part : { kind: 'and', terms: [where, part] };
  return where;
}

/** The order of `state`, or its DEFAULT_SCOPE's when it gives none. */
export function effectiveOrder(context: CompileContext, state: QueryState): readonly OrderItem[] {
  if (state.order.length > 0 || !state.scoped) return state.order;
  return context.build.defaultScope(state.model)?.order ?? [];
}

/** The alias a `withCount` count is read under, removed from the row before the record is built. */
export const COUNT_ALIAS = '__twistar_count_';

/** How a terminal method shapes the SELECT of a query. */
export interface SelectShape {
  /** The select list (default: the query's columns, or every column, and its counts). */
  readonly columns?: SqlFragment;
  /** The order (default: the query's). */
  readonly order?: readonly OrderItem[];
  readonly limit?: number | undefined;
  readonly offset?: number | undefined;
  /** A further condition (a keyset page's start). */
  readonly extra?: SqlFragment | null;
  /** Leave out the query's GROUP BY and HAVING (they belong to an outer statement). */
  readonly ungrouped?: boolean;
  /** Items added to the default select list (a keyset's columns). */
  readonly more?: readonly string[];
}

/** The SELECT of `state`, shaped by a terminal method. */
export function selectSql(context: CompileContext, state: QueryState, shape: SelectShape = {}): Statement {
  const { dialect } = context;
  if (state.group === null && state.having !== undefined) {
    throw new InvalidQueryError('having() is a condition on groups: call group(…) too.');
  }
  for (const name of [...(state.select ?? []), ...(state.group ?? [])]) knownColumn(context, name);
  for (const item of shape.order ?? state.order) if ('column' in item) knownColumn(context, item.column);
  if (
    state.select !== null &&
    (state.include.length > 0 || state.counts.length > 0) &&
    !state.select.includes(state.model.PRIMARY_KEY)
  ) {
    throw new InvalidQueryError(
      `include and withCount find related rows by the key: select "${state.model.PRIMARY_KEY}" too.`,
    );
  }
  let where = termSql(context, effectiveWhere(context, state));
  if (shape.extra != null) {
    where =
      where === null
        ? shape.extra
        : new SqlFragment(`(${where.text}) AND (${shape.extra.text})`, [
            ...where.params,
            ...shape.extra.params,
          ]);
  }
  const order = orderSql(dialect, shape.order ?? effectiveOrder(context, state));
  const ungrouped = shape.ungrouped === true || state.group === null;
  return selectStatement(dialect, state.model.tablename(), {
    select: shape.columns ?? selectList(context, state, shape.more ?? []),
    where,
    ...(ungrouped
      ? {}
      : { group: new SqlFragment(quotedList(dialect, state.group ?? [])), having: state.having }),
    ...(order === null ? {} : { orderBy: order }),
    limit: 'limit' in shape ? shape.limit : state.limit,
    offset: 'offset' in shape ? shape.offset : state.offset,
    ...(state.lock === null ? {} : { lock: state.lock.mode, lockWait: state.lock.wait }),
    ...(context.table === state.model.tablename() ? {} : { alias: context.table }),
  });
}

/** Column names, checked and quoted, joined by commas. */
export function quotedList(dialect: Dialect, columns: readonly string[]): string {
  return columns.map((column) => quoteColumn(dialect, column)).join(', ');
}

/** The query's select list: its columns (or every one), then the counts of `withCount`. */
function selectList(context: CompileContext, state: QueryState, more: readonly string[]): SqlFragment {
  const { dialect } = context;
  const table = quoteColumn(dialect, context.table, 'Table');
  const all = state.counts.length === 0 && more.length === 0 ? '*' : `${table}.*`;
  const texts = [state.select === null ? all : quotedList(dialect, state.select), ...more];
  const params: unknown[] = [];
  for (const name of state.counts) {
    const count = context.build.count(context, name);
    texts.push(`${count.text} AS ${dialect.quoteIdentifier(COUNT_ALIAS + name)}`);
    params.push(...count.params);
  }
  return new SqlFragment(texts.join(', '), params);
}

/** Refuses, before anything is sent, a column the model's table does not have (when its columns are known). */
function knownColumn(context: CompileContext, name: string): void {
  const { schema, model } = context;
  if (schema !== undefined && !schema.byName.has(name)) {
    throw new InvalidQueryError(
      `${model.name} has no column "${name}" (table "${schema.table}" has ${schema.columns.map((c) => c.name).join(', ')}).`,
    );
  }
}
