import type { ColumnInfo, Dialect } from '../dialects/dialect.js';
import { writeUncast, writeValue } from '../model/attributes.js';
import { Comparison } from '../sql/operators.js';
import type { Statement } from '../sql/statements.js';
import type { CompileContext, SelectShape } from './query-sql.js';
import type { OrderItem, QueryModel, QueryState, Term } from './query-state.js';

/*
 * The SQL of the usual query (conditions on columns, an order by columns, a limit) built once per shape and kept:
 * `User.where({ id })` costs a lookup and its parameters, as `User.find(id)` costs its cached statement. Only the
 * text is kept, under a key of everything it depends on (names, operators, list lengths, order, limit); the
 * parameters are taken from each query. A shape seen for the first time is compiled the long way, and kept only
 * if its parameters agree with the ones taken here.
 */

const texts = new WeakMap<Dialect, WeakMap<QueryModel, Map<string, string>>>();
const MAX_SHAPES = 500;

function columnTerms(term: Term | null, into: Term[]): boolean {
  if (term === null) return true;
  if (term.kind === 'columns') {
    into.push(term);
    return true;
  }
  return term.kind === 'and' && term.terms.every((each) => columnTerms(each, into));
}

/** The key of a condition value's SQL, pushing its parameters; undefined for one the cache does not take. */
function valueKey(value: unknown, column: ColumnInfo, params: unknown[]): string | undefined {
  if (value === null) return 'n';
  if (!(value instanceof Comparison)) {
    if (typeof value === 'object' && !(value instanceof Date)) return undefined;
    params.push(writeValue(column, value));
    return '=';
  }
  if (value.subquery !== undefined) return undefined;
  const { kind, values } = value;
  if (kind === 'oneOf' || kind === 'noneOf') {
    let count = 0;
    let nulls = false;
    for (const each of values) {
      if (each === null) nulls = true;
      else {
        count++;
        params.push(writeValue(column, each));
      }
    }
    return `${kind}${count}${nulls ? 'n' : ''}`;
  }
  if (kind === 'ne' && values[0] === null) return 'nn';
  // As query-sql.ts writes them: a LIKE pattern without the column's cast.
  for (const each of values)
    params.push(kind === 'like' ? writeUncast(column, each) : writeValue(column, each));
  return kind;
}

function orderKey(order: readonly OrderItem[]): string | undefined {
  let key = '';
  for (const item of order) {
    if (!('column' in item)) return undefined;
    key += `${item.column} ${item.direction},`;
  }
  return key;
}

/**
 * The statement of `state` from the kept text of its shape, or undefined when the query is not of the usual kind
 * (relation filters, subqueries, SQL of its own, grouping, locks, a default scope …) or its shape is new; `build`
 * then compiles it, and its text is kept for the next query of that shape.
 */
export function cachedSelect(
  context: CompileContext,
  state: QueryState,
  shape: SelectShape,
  build: () => Statement,
): Statement {
  const { schema, dialect, model } = context;
  if (
    schema === undefined ||
    shape.columns !== undefined ||
    shape.more !== undefined ||
    shape.extra != null ||
    state.select !== null ||
    state.group !== null ||
    state.lock !== null ||
    state.counts.length > 0 ||
    state.base !== null ||
    (state.scoped && model.DEFAULT_SCOPE != null) ||
    context.depth !== 0
  ) {
    return build();
  }
  const terms: Term[] = [];
  if (!columnTerms(state.where, terms)) return build();
  const order = orderKey(shape.order ?? state.order);
  if (order === undefined) return build();
  const limit = 'limit' in shape ? shape.limit : state.limit;
  const offset = 'offset' in shape ? shape.offset : state.offset;
  let key = `${String(limit)}|${String(offset)}|${order}|${state.deleted}|${state.where?.kind ?? ''}`;
  const params: unknown[] = [];
  for (const term of terms) {
    if (term.kind !== 'columns') return build();
    key += '(';
    for (const name in term.values) {
      const column = schema.byName.get(name);
      if (column === undefined) return build();
      const part = valueKey(term.values[name], column, params);
      if (part === undefined) return build();
      key += `${name}:${part},`;
    }
    key += ')';
  }
  let byModel = texts.get(dialect);
  if (byModel === undefined) texts.set(dialect, (byModel = new WeakMap()));
  let shapes = byModel.get(model);
  if (shapes === undefined) byModel.set(model, (shapes = new Map()));
  const sql = shapes.get(key);
  if (sql !== undefined) return { sql, params };
  const built = build();
  const agree =
    built.params.length === params.length && built.params.every((param, at) => sameValue(param, params[at]));
  if (agree) {
    // Many shapes (a limit or offset per page) start the set again rather than keep the first ones for ever.
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    shapes.set(key, built.sql);
  }
  return built;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return Object.is(a, b);
}
