import type { Id, InteractionBase } from '../crud/interaction-base.js';
import { fromRows, makeSiblings, type Loadable, type Loaded } from '../model/hydration.js';
import type { Row } from '../dialects/driver.js';
import { STATE } from '../model/object-state.js';
import type { RelatedModel } from '../model/relation-declarations.js';
import { columnValue } from '../options.js';
import type { Refinement } from '../query/query-state.js';
import { chunked, placeholdersFor, quoteColumn } from '../sql/fragments.js';
import type { Where } from '../sql/where.js';

/* What the loaders of eager-loading.ts and through-loading.ts share: recording values, grouping, chunking. */

/** The functions narrowing included relations' queries, by path (`include({ pictures: (q) => … })`). */
export type Refinements = ReadonlyMap<string, Refinement>;

/** A model object that owns relations. */
export type Owner = Loaded & { id: Id | null };

/** A related class as loaders use it: it builds objects from rows. */
export type Target = Loadable<Owner> & RelatedModel;

/** The column the HABTM and through loaders add to each row to say which owner it belongs to. */
export const OWNER_COLUMN = '_twistar_owner_id';

/** The value of `column` on a model object. */
export function value(obj: object, column: string): unknown {
  return columnValue(obj, column);
}

/** Records the loaded value of a relation on its owner. */
export function remember(obj: Owner, name: string, loaded: unknown): void {
  const state = obj[STATE];
  (state.loaded ??= new Map()).set(name, loaded);
}

/** A key as text, so that 5 and '5' (a driver's bigint) group together. */
export function keyOf(id: unknown): string {
  return String(id);
}

/** Adds `item` to the list kept under `key`. */
export function append<K, V>(groups: Map<K, V[]>, key: K, item: V): void {
  const list = groups.get(key);
  if (list) list.push(item);
  else groups.set(key, [item]);
}

/**
 * The distinct non-null values, in chunks that fit in one statement's parameters beside `reserve` others (the
 * relation's own condition).
 */
export function chunksOf(values: readonly unknown[], config: InteractionBase, reserve = 8): unknown[][] {
  const distinct = [
    ...new Map(values.filter((v) => v !== null && v !== undefined).map((v) => [keyOf(v), v])).values(),
  ];
  return chunked(distinct, Math.max(1, config.pool.dialect.maxParameters - reserve));
}

/** `column IN (?, …)` with `values`. */
export function inList(column: string, values: readonly unknown[], config: InteractionBase): Where {
  return [`${quoteColumn(config.pool.dialect, column)} IN (${placeholdersFor(values)})`, ...values];
}

/** Objects loaded together become siblings, unless the query that started the load said not to batch. */
export function finish(found: Owner[], batch: boolean): Owner[] {
  makeSiblings(found, batch);
  return found;
}

/**
 * The related objects of rows that carry their owner's key under OWNER_COLUMN (a join's rows: one per owner and
 * related row): each related row becomes one object, and each owner gets each object once, in the rows' order.
 */
export async function objectsByOwner(
  target: Target,
  rows: readonly Row[],
  config: InteractionBase,
): Promise<{ objects: Owner[]; byOwner: Map<string, Owner[]> }> {
  const rowsByKey = new Map<string, Row>();
  const pairs: [string, string][] = [];
  for (const { [OWNER_COLUMN]: owner, ...row } of rows) {
    const id = keyOf(row[target.PRIMARY_KEY]);
    if (!rowsByKey.has(id)) rowsByKey.set(id, row);
    pairs.push([keyOf(owner), id]);
  }
  const objects = await fromRows(target, [...rowsByKey.values()], config, false);
  const byKey = new Map(objects.map((obj) => [keyOf(obj.id), obj]));
  const byOwner = new Map<string, Owner[]>();
  const seen = new Set<string>();
  for (const [owner, id] of pairs) {
    const obj = byKey.get(id);
    // A pair repeated (a join row twice, a chain reaching a row by two paths) links it once.
    if (obj === undefined || seen.has(`${owner}\0${id}`)) continue;
    seen.add(`${owner}\0${id}`);
    append(byOwner, owner, obj);
  }
  return { objects, byOwner };
}
