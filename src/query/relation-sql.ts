import { InvalidQueryError } from '../errors.js';
import { joinTableOf, relationOf, targetOf, type RelationSpec } from '../model/relation-declarations.js';
import { throughHops, type Hop } from '../model/through-chain.js';
import { SqlFragment, quoteColumn } from '../sql/fragments.js';
import { selectStatement } from '../sql/statements.js';
import { contextFor, effectiveWhere, termSql, type CompileContext } from './query-sql.js';
import type { QueryModel, Refinement } from './query-state.js';

/*
 * A relation as a subquery correlated with the row of the query around it: EXISTS for whereHas and
 * whereDoesntHave, COUNT(*) for withCount. The related table gets an alias of its own (t1, t2, … by depth), so
 * that a relation to the same table (users' friends) is no ambiguity; the related query's own conditions are
 * unqualified and so name its columns. A through relation's intermediate tables are nested IN subqueries, aliased
 * t1_1, t1_2 …: a semi-join, so a related row reached by two paths is still one row (counted once).
 */

function aliasAt(depth: number): string {
  return `t${depth}`;
}

/** The rows of `spec`'s related table that belong to the outer row, and the related model. */
function correlated(
  context: CompileContext,
  spec: RelationSpec,
  refine: Refinement | undefined,
  what: string,
): { model: QueryModel; condition: SqlFragment; alias: string } {
  if (spec.kind === 'belongsTo' && spec.className === '') {
    throw new InvalidQueryError(
      `${context.model.name}.${spec.name} is polymorphic: its rows name their class, so ${what} cannot know ` +
        'which table to look in. Filter on its type and key columns instead.',
    );
  }
  const model = targetOf<QueryModel>(spec);
  const depth = context.depth + 1;
  const alias = aliasAt(depth);
  const parts: string[] = [];
  const params: unknown[] = [];
  const link =
    spec.through === undefined
      ? directLink(context, spec, model, alias)
      : throughLink(context, spec, depth, alias, what);
  parts.push(link.text);
  params.push(...link.params);
  const state = context.build.refined(model, refine, what);
  const innerContext = contextFor(context.config, model, context.build, depth, alias);
  const own = termSql(innerContext, effectiveWhere(innerContext, state));
  if (own !== null && own.text.trim() !== '') {
    parts.push(`(${own.text})`);
    params.push(...own.params);
  }
  return { model, condition: new SqlFragment(parts.join(' AND '), params), alias };
}

/** How the rows of a plain relation's table (aliased `alias`) link to the outer row. */
function directLink(
  context: CompileContext,
  spec: RelationSpec,
  model: QueryModel,
  alias: string,
): SqlFragment {
  const quote = (name: string) => quoteColumn(context.dialect, name);
  const inner = `${quote(alias)}.`;
  const outer = `${quote(context.table)}.`;
  switch (spec.kind) {
    case 'hasMany':
    case 'hasOne': {
      const link = `${inner}${quote(spec.foreignKey)} = ${outer}${quote(context.model.PRIMARY_KEY)}`;
      if (spec.typeColumn === undefined) return new SqlFragment(link);
      return new SqlFragment(`${link} AND ${inner}${quote(spec.typeColumn)} = ?`, [spec.typeValue]);
    }
    case 'belongsTo':
      return new SqlFragment(`${inner}${quote(model.PRIMARY_KEY)} = ${outer}${quote(spec.foreignKey)}`);
    case 'habtm': {
      const join = quote(joinTableOf(spec, model));
      return new SqlFragment(
        `${inner}${quote(model.PRIMARY_KEY)} IN (SELECT ${join}.${quote(spec.associationForeignKey)} FROM ${join} ` +
          `WHERE ${join}.${quote(spec.foreignKey)} = ${outer}${quote(context.model.PRIMARY_KEY)})`,
      );
    }
  }
}

/** How the rows of a through relation's table (aliased `alias`) link to the outer row, by its chain. */
function throughLink(
  context: CompileContext,
  spec: RelationSpec,
  depth: number,
  alias: string,
  what: string,
): SqlFragment {
  const quote = (name: string) => quoteColumn(context.dialect, name);
  const hops = throughHops(spec);
  const last = hops.at(-1) as Hop;
  const keys = throughKeys(context, hops, depth, alias, what);
  const inner = `${quote(alias)}.`;
  const link = `${inner}${quote(last.far)} ${keys.text}`;
  if (last.type === undefined) return new SqlFragment(link, keys.params);
  return new SqlFragment(`${link} AND ${inner}${quote(last.type[0])} = ?`, [...keys.params, last.type[1]]);
}

/**
 * A through relation's keys of the last intermediate table that lead to the outer row: `SELECT t1_2.id FROM posts
 * t1_2 WHERE t1_2.user_id = users.id`, one subquery per intermediate, each with its model's DEFAULT_SCOPE.
 */
function throughKeys(
  context: CompileContext,
  hops: readonly Hop[],
  depth: number,
  alias: string,
  what: string,
): SqlFragment {
  const quote = (name: string) => quoteColumn(context.dialect, name);
  let keys = new SqlFragment(`= ${quote(context.table)}.${quote((hops[0] as Hop).near)}`);
  for (let at = 0; at < hops.length - 1; at++) {
    const hop = hops[at] as Hop;
    const next = hops[at + 1] as Hop;
    const model = hop.to as QueryModel;
    const name = `${alias}_${at + 1}`;
    const own = `${quote(name)}.`;
    const parts = [`${own}${quote(hop.far)} ${keys.text}`];
    const params = [...keys.params];
    if (hop.type !== undefined) {
      parts.push(`${own}${quote(hop.type[0])} = ?`);
      params.push(hop.type[1]);
    }
    const scopeContext = contextFor(context.config, model, context.build, depth, name);
    const scope = termSql(
      scopeContext,
      effectiveWhere(scopeContext, context.build.refined(model, undefined, what)),
    );
    if (scope !== null && scope.text.trim() !== '') {
      parts.push(`(${scope.text})`);
      params.push(...scope.params);
    }
    const select = selectStatement(context.dialect, model.tablename(), {
      select: new SqlFragment(`${own}${quote(next.near)}`),
      alias: name,
      where: new SqlFragment(parts.join(' AND '), params),
    });
    keys = new SqlFragment(`IN (${select.sql})`, select.params);
  }
  return keys;
}

/** EXISTS (or NOT EXISTS) a row of relation `name` of the outer row, narrowed by `refine`. */
export function relationExists(
  context: CompileContext,
  name: string,
  negate: boolean,
  refine: Refinement | undefined,
): SqlFragment {
  const spec = relationOf(context.model, name);
  const what = negate ? 'whereDoesntHave' : 'whereHas';
  const { model, condition, alias } = correlated(context, spec, refine, what);
  const select = selectStatement(context.dialect, model.tablename(), {
    select: new SqlFragment('1'),
    alias,
    where: condition,
  });
  return new SqlFragment(`${negate ? 'NOT ' : ''}EXISTS (${select.sql})`, select.params);
}

/** The number of rows of relation `name` of the outer row, as a subquery for the select list. */
export function relationCount(context: CompileContext, name: string): SqlFragment {
  const spec = relationOf(context.model, name);
  if (spec.kind !== 'hasMany' && spec.kind !== 'habtm') {
    throw new InvalidQueryError(
      `withCount counts has-many and has-and-belongs-to-many relations; ${context.model.name}.${name} is a ` +
        `${spec.kind === 'hasOne' ? 'has-one' : 'belongs-to'} relation (use whereHas to test that it exists).`,
    );
  }
  const { model, condition, alias } = correlated(context, spec, undefined, 'withCount');
  const select = selectStatement(context.dialect, model.tablename(), {
    select: new SqlFragment('COUNT(*)'),
    alias,
    where: condition,
  });
  return new SqlFragment(`(${select.sql})`, select.params);
}
