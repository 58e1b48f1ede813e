import type { ColumnInfo } from '../dialects/dialect.js';
import type { Row } from '../dialects/driver.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import { InvalidQueryError } from '../errors.js';
import { fromRows, type Loaded } from '../model/hydration.js';
import { modelSchema, knownModelSchema, type ModelSchema } from '../model/model-schema.js';
import { STATE } from '../model/object-state.js';
import { relationHooks } from '../model/relation-hooks.js';
import { leadsToOneClass, relationOf, targetOf, type RelationSpec } from '../model/relation-declarations.js';
import { intermediatesOf } from '../model/through-chain.js';
import { Registry } from '../registry.js';
import { Comparison, isSubquery } from '../sql/operators.js';
import {
  COUNT_ALIAS,
  contextFor,
  selectSql,
  type CompileContext,
  type QueryBuilding,
  type SelectShape,
} from './query-sql.js';
import type { QueryModel, QueryState, Term } from './query-state.js';
import { cachedSelect } from './statement-cache.js';

/*
 * Running a query: reading the columns of every model it names, sending its SELECT, and turning rows into
 * records (with their counts and included relations) or into the values of an aggregate.
 */

/** The models whose columns a query's SQL needs: its own, related ones it filters or counts by, subqueries'. */
function modelsOf(state: QueryState, build: QueryBuilding, found: Set<QueryModel>): void {
  if (found.has(state.model)) return;
  found.add(state.model);
  const scope = state.scoped ? build.defaultScope(state.model) : null;
  const visit = (term: Term | null): void => {
    if (term === null) return;
    if (term.kind === 'and' || term.kind === 'or') term.terms.forEach(visit);
    else if (term.kind === 'has') {
      const spec = relationOf(state.model, term.relation);
      if (!leadsToOneClass(spec)) return; // polymorphic: refused when compiled
      modelsOf(build.refined(targetOf<QueryModel>(spec), term.refine, 'whereHas'), build, found);
      passedBy(spec, build, found);
    } else if (term.kind === 'columns') {
      for (const value of Object.values(term.values)) {
        const subquery = value instanceof Comparison ? value.subquery : undefined;
        if (subquery !== undefined && isSubquery(subquery)) {
          const inner = (subquery as unknown as { readonly state?: QueryState }).state;
          if (inner !== undefined) modelsOf(inner, build, found);
        }
      }
    }
  };
  visit(state.where);
  visit(state.base);
  if (scope !== null) visit(scope.where);
  for (const name of state.counts) {
    const spec = relationOf(state.model, name);
    found.add(targetOf<QueryModel>(spec));
    passedBy(spec, build, found);
  }
}

/** A through relation's intermediate models, whose DEFAULT_SCOPE its subqueries apply. */
function passedBy(spec: RelationSpec, build: QueryBuilding, found: Set<QueryModel>): void {
  if (spec.through === undefined) return;
  for (const model of intermediatesOf(spec))
    modelsOf(build.refined(model as QueryModel, undefined, 'whereHas'), build, found);
}

/** Whether a condition names another model: a relation filter, or a subquery. */
function namesOthers(term: Term | null): boolean {
  if (term === null) return false;
  switch (term.kind) {
    case 'has':
      return true;
    case 'sql':
      return false;
    case 'and':
    case 'or':
      return term.terms.some(namesOthers);
    case 'columns':
      for (const key in term.values) {
        const value = term.values[key];
        if (value instanceof Comparison && value.subquery !== undefined) return true;
      }
      return false;
  }
}

/** The compile context of `state` on `config`'s database once every model it names has its columns read. */
export function readyContext(
  config: InteractionBase,
  state: QueryState,
  build: QueryBuilding,
): CompileContext | Promise<CompileContext> {
  // The usual query names its own model only: no walk, no set, and no promise when its columns are known.
  if (
    state.counts.length === 0 &&
    state.model.DEFAULT_SCOPE == null &&
    !namesOthers(state.where) &&
    !namesOthers(state.base)
  ) {
    const schema = knownModelSchema(config, state.model);
    if (schema !== undefined) return contextFor(config, state.model, build, 0, undefined, schema);
  }
  return readAllSchemas(config, state, build);
}

async function readAllSchemas(
  config: InteractionBase,
  state: QueryState,
  build: QueryBuilding,
): Promise<CompileContext> {
  const models = new Set<QueryModel>();
  modelsOf(state, build, models);
  for (const model of models)
    if (knownModelSchema(config, model) === undefined) await modelSchema(config, model);
  return contextFor(config, state.model, build);
}

/** The configuration queries run on: the registry's, read when the query runs (not when it was built). */
export function currentConfig(): InteractionBase {
  return Registry.getConfig();
}

/** The rows of the query's SELECT, shaped by a terminal method. */
export async function readRows(
  context: CompileContext,
  state: QueryState,
  shape: SelectShape = {},
): Promise<Row[]> {
  const statement = cachedSelect(context, state, shape, () => selectSql(context, state, shape));
  const single = shape.limit === 1 || (!('limit' in shape) && state.limit === 1);
  return context.config.readRows(context.table, statement.sql, statement.params, single);
}

/** Records from rows: each row's counts kept apart, the records built, then the included relations loaded. */
export async function recordsOf<M>(context: CompileContext, state: QueryState, rows: Row[]): Promise<M[]> {
  const counts = state.counts.length === 0 ? null : rows.map((row) => takeCounts(row, state.counts));
  const records = await fromRows(state.model, rows, context.config, state.batch ?? Registry.AUTO_BATCH);
  if (counts !== null) {
    records.forEach((record, at) => {
      (record as Loaded)[STATE].counts = counts[at] ?? null;
    });
  }
  if (state.include.length > 0) {
    const paths = state.include.map((item) => item.path);
    const refinements = new Map(
      state.include.flatMap((item) => (item.refine === undefined ? [] : [[item.path, item.refine] as const])),
    );
    await relationHooks().preload(
      records,
      paths,
      context.config,
      state.batch ?? Registry.AUTO_BATCH,
      refinements,
    );
  }
  return records as unknown as M[];
}

function takeCounts(row: Row, names: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) {
    counts.set(name, Number(row[COUNT_ALIAS + name] ?? 0));
    Reflect.deleteProperty(row, COUNT_ALIAS + name);
  }
  return counts;
}

/** The schema of the query's model (read by readyContext already). */
export function schemaOf(context: CompileContext): ModelSchema {
  const schema = context.schema;
  if (schema === undefined) throw new InvalidQueryError(`${context.model.name}: its columns were not read.`);
  return schema;
}

/** The column `name` of the query's model; InvalidQueryError naming those it has. */
export function columnOf(context: CompileContext, name: string, what: string): ColumnInfo {
  const schema = schemaOf(context);
  const column = schema.byName.get(name);
  if (column === undefined) {
    throw new InvalidQueryError(
      `${what}: ${context.model.name} has no column "${String(name)}" (it has ${schema.columns.map((c) => c.name).join(', ')}).`,
    );
  }
  return column;
}
