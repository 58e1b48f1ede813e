import { InvalidQueryError } from '../errors.js';
import { joinTableOf, relationOf, targetOf, type RelationSpec } from '../model/relation-declarations.js';
import { SqlFragment, quoteColumn } from '../sql/fragments.js';
import { selectStatement } from '../sql/statements.js';
import { contextFor, effectiveWhere, termSql, type CompileContext } from './query-sql.js';
import type { QueryModel, Refinement } from './query-state.js';

/*
 * A relation as a subquery correlated with the row of the query around it: EXISTS for whereHas and
 * whereDoesntHave, COUNT(*) for withCount. The related table gets an alias of its own (t1, t2, … by depth), so
 * that a relation to the same table (users' friends) is no ambiguity; the related query's own conditions are
 * unqualified and so name its columns.
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
  const { dialect, table } = context;
  const quote = (name: string) => quoteColumn(dialect, name);
  if (spec.kind === 'belongsTo' && spec.className === '') {
    throw new InvalidQueryError(
      `${context.model.name}.${spec.name} is polymorphic: its rows name their class, so ${what} cannot know ` +
        'which table to look in. Filter on its type and key columns instead.',
    );
  }
  const model = targetOf<QueryModel>(spec);
  const depth = context.depth + 1;
  const alias = aliasAt(depth);
  const inner = `${quote(alias)}.`;
  const outer = `${quote(table)}.`;
  const parts: string[] = [];
  const params: unknown[] = [];
  switch (spec.kind) {
    case 'hasMany':
    case 'hasOne':
      parts.push(`${inner}${quote(spec.foreignKey)} = ${outer}${quote(context.model.PRIMARY_KEY)}`);
      if (spec.typeColumn !== undefined) {
        parts.push(`${inner}${quote(spec.typeColumn)} = ?`);
        params.push(spec.typeValue);
      }
      break;
    case 'belongsTo':
      parts.push(`${inner}${quote(model.PRIMARY_KEY)} = ${outer}${quote(spec.foreignKey)}`);
      break;
    case 'habtm': {
      const join = quote(joinTableOf(spec, model));
      parts.push(
        `${inner}${quote(model.PRIMARY_KEY)} IN (SELECT ${join}.${quote(spec.associationForeignKey)} FROM ${join} ` +
          `WHERE ${join}.${quote(spec.foreignKey)} = ${outer}${quote(context.model.PRIMARY_KEY)})`,
      );
      break;
    }
  }
  const state = context.build.refined(model, refine, what);
  const innerContext = contextFor(context.config, model, context.build, depth, alias);
  const own = termSql(innerContext, effectiveWhere(innerContext, state));
  if (own !== null && own.text.trim() !== '') {
    parts.push(`(${own.text})`);
    params.push(...own.params);
  }
  return { model, condition: new SqlFragment(parts.join(' AND '), params), alias };
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
