import type { Row } from '../dialects/driver.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import { targetOf, type RelationSpec } from '../model/relation-declarations.js';
import { throughHops, type Hop } from '../model/through-chain.js';
import type { QueryModel, Refinement } from '../query/query-state.js';
import { rowFilter } from '../query/related-rows.js';
import { SqlFragment, placeholdersFor, quoteColumn } from '../sql/fragments.js';
import {
  OWNER_COLUMN,
  objectsByOwner,
  chunksOf,
  finish,
  keyOf,
  remember,
  value,
  type Owner,
  type Target,
} from './loaded-values.js';

/*
 * Loading a through relation for many owners in one statement: the related table joined to the intermediate
 * tables, each a derived table that carries the owner's key along (`_twistar_owner_id`), so that the rows can be
 * handed to their owners. Each intermediate's DEFAULT_SCOPE applies inside its derived table, where its columns
 * cannot be mistaken for another table's; the related model's DEFAULT_SCOPE (and include's refinement) applies
 * to the related table, whose only neighbours are the derived table's two columns.
 */

/** The column a derived table gives the keys the next table's rows must match. */
const KEY_COLUMN = '_twistar_key';

/** The alias of the derived table of intermediate `at` (from 1). */
function derivedAlias(at: number): string {
  return `twistar_through_${at}`;
}

/** ` WHERE a AND b` of the conditions' texts, or nothing. */
function whereOf(conditions: readonly SqlFragment[]): string {
  return conditions.length === 0 ? '' : ` WHERE ${conditions.map((part) => part.text).join(' AND ')}`;
}

/**
 * The statement reading the related rows of the owners whose first-step values are `values`, each row with the
 * owner's value under OWNER_COLUMN: `SELECT comments.*, twistar_through_1._twistar_owner_id FROM comments JOIN
 * (SELECT user_id AS _twistar_owner_id, id AS _twistar_key FROM posts WHERE user_id IN (?, ?)) AS
 * twistar_through_1 ON comments.post_id = twistar_through_1._twistar_key`.
 */
export function throughSelect(
  quote: (name: string) => string,
  hops: readonly Hop[],
  values: readonly unknown[],
  scopes: readonly (SqlFragment | null)[],
  filter: { readonly where: SqlFragment | null; readonly order: SqlFragment | null },
): SqlFragment {
  const owner = quote(OWNER_COLUMN);
  const key = quote(KEY_COLUMN);
  let derived = null as SqlFragment | null;
  for (let at = 0; at < hops.length - 1; at++) {
    const hop = hops[at] as Hop;
    const next = hops[at + 1] as Hop;
    const table = quote(hop.to.tablename());
    const previous = derived;
    const conditions: SqlFragment[] = [];
    let from: string;
    let ownerValue: string;
    if (previous === null) {
      from = table;
      ownerValue = `${table}.${quote(hop.far)}`;
      conditions.push(new SqlFragment(`${table}.${quote(hop.far)} IN (${placeholdersFor(values)})`, values));
    } else {
      const inner = quote(derivedAlias(at));
      from = `${table} JOIN (${previous.text}) AS ${inner} ON ${table}.${quote(hop.far)} = ${inner}.${key}`;
      ownerValue = `${inner}.${owner}`;
    }
    if (hop.type !== undefined)
      conditions.push(new SqlFragment(`${table}.${quote(hop.type[0])} = ?`, [hop.type[1]]));
    const scope = scopes[at] ?? null;
    if (scope !== null) conditions.push(new SqlFragment(`(${scope.text})`, scope.params));
    derived = new SqlFragment(
      `SELECT ${ownerValue} AS ${owner}, ${table}.${quote(next.near)} AS ${key} FROM ${from}` +
        whereOf(conditions),
      [...(previous?.params ?? []), ...conditions.flatMap((part) => part.params)],
    );
  }
  const last = hops.at(-1) as Hop;
  const table = quote(last.to.tablename());
  const alias = quote(derivedAlias(hops.length - 1));
  const conditions: SqlFragment[] = [];
  if (last.type !== undefined)
    conditions.push(new SqlFragment(`${table}.${quote(last.type[0])} = ?`, [last.type[1]]));
  if (filter.where !== null) conditions.push(new SqlFragment(`(${filter.where.text})`, filter.where.params));
  const order = filter.order ?? new SqlFragment(`${table}.${quote(last.to.PRIMARY_KEY)}`);
  return new SqlFragment(
    `SELECT ${table}.*, ${alias}.${owner} FROM ${table} JOIN (${derived?.text ?? ''}) AS ${alias} ` +
      `ON ${table}.${quote(last.far)} = ${alias}.${key}` +
      whereOf(conditions) +
      ` ORDER BY ${order.text}`,
    [...(derived?.params ?? []), ...conditions.flatMap((part) => part.params), ...order.params],
  );
}

/**
 * Has many / has one through: one statement (per chunk of owners) for the related rows of every owner. A row
 * reached by two paths of the chain is the owner's once, as `query()`, `count()` and `whereHas` see it.
 */
export async function loadThrough(
  owners: readonly Owner[],
  spec: RelationSpec,
  config: InteractionBase,
  batch: boolean,
  refine: Refinement | undefined,
): Promise<Owner[]> {
  const hops = throughHops(spec);
  const first = hops[0] as Hop;
  const target = targetOf<Target>(spec);
  const quote = (name: string) => quoteColumn(config.pool.dialect, name);
  const scopes: (SqlFragment | null)[] = [];
  for (const hop of hops.slice(0, -1)) scopes.push((await rowFilter(config, hop.to as QueryModel)).where);
  const filter = await rowFilter(config, target, refine, true);
  const reserved =
    8 + [...scopes, filter.where, filter.order].reduce((sum, part) => sum + (part?.params.length ?? 0), 0);
  const found: Row[] = [];
  for (const chunk of chunksOf(
    owners.map((owner) => value(owner, first.near)),
    config,
    reserved,
  )) {
    const select = throughSelect(quote, hops, chunk, scopes, filter);
    found.push(...(await config.readRows(target.tablename(), select.text, [...select.params])));
  }
  const { objects, byOwner } = await objectsByOwner(target, found, config);
  for (const owner of owners) {
    const found = value(owner, first.near);
    const related = found === null || found === undefined ? [] : (byOwner.get(keyOf(found)) ?? []);
    // Owners that start from the same value (comments of one post) each get a list of their own.
    remember(owner, spec.name, spec.kind === 'hasOne' ? (related[0] ?? null) : [...related]);
  }
  return finish(objects, batch);
}
