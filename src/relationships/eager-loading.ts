import { InvalidRelationshipError } from '../errors.js';
import type { Row } from '../dialects/driver.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import { fromRows } from '../model/hydration.js';
import { Registry } from '../registry.js';
import { quoteColumn } from '../sql/fragments.js';
import { joinWheres, type Where } from '../sql/where.js';
import {
  joinTableOf,
  leadsToOneClass,
  relationOf,
  targetOf,
  type RelatedModel,
  type RelationSpec,
} from '../model/relation-declarations.js';
import { rowFilter } from '../query/related-rows.js';
import type { Refinement } from '../query/query-state.js';
import {
  OWNER_COLUMN,
  objectsByOwner,
  append,
  chunksOf,
  finish,
  inList,
  keyOf,
  remember,
  value,
  type Owner,
  type Refinements,
  type Target,
} from './loaded-values.js';
import { loadThrough } from './through-loading.js';
import { throughHops } from '../model/through-chain.js';

export { remember, type Owner, type Refinements } from './loaded-values.js';

/** Has many / has one: one query for the related rows of every owner. */
async function loadChildren(
  owners: readonly Owner[],
  spec: RelationSpec,
  config: InteractionBase,
  batch: boolean,
  refine: Refinement | undefined,
): Promise<Owner[]> {
  const target = targetOf<Target>(spec);
  const filter = await rowFilter(config, target, refine);
  const found: Owner[] = [];
  for (const chunk of chunksOf(
    owners.map((owner) => owner.id),
    config,
  )) {
    let where: Where | [] = inList(spec.foreignKey, chunk, config);
    if (spec.typeColumn !== undefined) {
      where = joinWheres(where, [`${quoteColumn(config.pool.dialect, spec.typeColumn)} = ?`, spec.typeValue]);
    }
    const rows = await config.select(target.tablename(), {
      where: joinWheres(where, filter.where),
      orderBy: filter.order ?? target.PRIMARY_KEY,
    });
    found.push(...(await fromRows(target, rows, config, false)));
  }
  const byOwner = new Map<string, Owner[]>();
  for (const child of found) {
    const key = keyOf(value(child, spec.foreignKey));
    append(byOwner, key, child);
  }
  for (const owner of owners) {
    const children = byOwner.get(keyOf(owner.id)) ?? [];
    remember(owner, spec.name, spec.kind === 'hasOne' ? (children[0] ?? null) : children);
  }
  return finish(found, batch);
}

/** Belongs-to: one query per related class (one, unless polymorphic) for every owner's parent. */
async function loadParents(
  owners: readonly Owner[],
  spec: RelationSpec,
  config: InteractionBase,
  batch: boolean,
  refine: Refinement | undefined,
): Promise<Owner[]> {
  const byClass = new Map<string, Owner[]>();
  for (const owner of owners) {
    const className = spec.typeColumn === undefined ? spec.className : value(owner, spec.typeColumn);
    if (typeof className !== 'string' || className === '' || value(owner, spec.foreignKey) == null) {
      remember(owner, spec.name, null);
      continue;
    }
    append(byClass, className, owner);
  }
  const found: Owner[] = [];
  for (const [className, group] of byClass) {
    const target = targetOf<Target>(spec, className);
    const filter = await rowFilter(config, target, refine);
    const byKey = new Map<string, Owner>();
    for (const chunk of chunksOf(
      group.map((owner) => value(owner, spec.foreignKey)),
      config,
    )) {
      const rows = await config.select(target.tablename(), {
        where: joinWheres(inList(target.PRIMARY_KEY, chunk, config), filter.where),
      });
      for (const parent of await fromRows(target, rows, config, false)) byKey.set(keyOf(parent.id), parent);
    }
    for (const owner of group)
      remember(owner, spec.name, byKey.get(keyOf(value(owner, spec.foreignKey))) ?? null);
    // Siblings share a class, so that a relation name means the same for all of them.
    found.push(...finish([...byKey.values()], batch));
  }
  return found;
}

/** HABTM: one query joining the related table to the join table for every owner. */
async function loadAssociated(
  owners: readonly Owner[],
  spec: RelationSpec,
  config: InteractionBase,
  batch: boolean,
  refine: Refinement | undefined,
): Promise<Owner[]> {
  const target = targetOf<Target>(spec);
  const filter = await rowFilter(config, target, refine, true);
  const quote = (name: string) => quoteColumn(config.pool.dialect, name);
  const table = quote(target.tablename());
  const join = quote(joinTableOf(spec));
  const key = `${table}.${quote(target.PRIMARY_KEY)}`;
  const rows: Row[] = [];
  for (const chunk of chunksOf(
    owners.map((owner) => owner.id),
    config,
  )) {
    // The filter's columns are unqualified: it applies in a subquery of the related table alone.
    const narrowed =
      filter.where === null
        ? ''
        : ` AND ${key} IN (SELECT ${quote(target.PRIMARY_KEY)} FROM ${table} WHERE ${filter.where.text})`;
    const chunkRows = await config.readRows(
      joinTableOf(spec),
      `SELECT ${table}.*, ${join}.${quote(spec.foreignKey)} AS ${quote(OWNER_COLUMN)} FROM ${table} ` +
        `JOIN ${join} ON ${key} = ${join}.${quote(spec.associationForeignKey)} ` +
        `WHERE ${join}.${quote(spec.foreignKey)} IN (${chunk.map(() => '?').join(', ')})${narrowed} ` +
        `ORDER BY ${filter.order === null ? key : filter.order.text}`,
      [...chunk, ...(filter.where?.params ?? []), ...(filter.order?.params ?? [])],
    );
    rows.push(...chunkRows);
  }
  // A join row repeated outside set() links the pair once, as get(options) and count() see it.
  const { objects, byOwner } = await objectsByOwner(target, rows, config);
  for (const owner of owners) remember(owner, spec.name, byOwner.get(keyOf(owner.id)) ?? []);
  return finish(objects, batch);
}

const LOADERS = {
  hasMany: loadChildren,
  hasOne: loadChildren,
  belongsTo: loadParents,
  habtm: loadAssociated,
} as const;

/** `['user.pictures', 'avatar']` → `{ user: ['pictures'], avatar: [] }`. */
function parsePaths(paths: readonly string[]): Map<string, string[]> {
  const tree = new Map<string, string[]>();
  for (const path of paths) {
    if (typeof path !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(path)) {
      throw new InvalidRelationshipError(
        `include takes relation names or dotted paths ('user.pictures'), got ${JSON.stringify(path)}.`,
      );
    }
    const [head = '', ...rest] = path.split('.');
    const sub = tree.get(head) ?? [];
    if (rest.length > 0) sub.push(rest.join('.'));
    tree.set(head, sub);
  }
  return tree;
}

/** Checks every name of `tree` against the relations of `model` and, level by level, of the classes they lead to. */
function checkTree(model: RelatedModel, tree: ReadonlyMap<string, string[]>): void {
  for (const [name, rest] of tree) {
    const spec = relationOf(model, name);
    if (spec.through !== undefined) throughHops(spec); // a chain that cannot be followed is refused now
    // A polymorphic belongs-to names its class in each row: its deeper levels are checked as they load.
    if (rest.length > 0 && leadsToOneClass(spec)) checkTree(targetOf<Target>(spec), parsePaths(rest));
  }
}

/**
 * Refuses, before anything is sent, an include path that is not made of relation names of `model` and
 * the classes it leads to: InvalidRelationshipError.
 */
export function checkInclude(model: RelatedModel, paths: readonly string[]): void {
  checkTree(model, parsePaths(paths));
}

/**
 * Loads the relations named by `paths` for every object, one query per relation and level (per related
 * class, for polymorphic ones), and records them on each object so that `get()` needs no query.
 */
export async function preload(
  objects: readonly object[],
  paths: readonly string[],
  config: InteractionBase,
  batch: boolean = Registry.AUTO_BATCH,
  refinements: Refinements = new Map(),
): Promise<void> {
  const tree = parsePaths(paths);
  const byClass = new Map<RelatedModel, Owner[]>();
  for (const obj of objects as Owner[]) {
    const model = obj.constructor as unknown as RelatedModel;
    append(byClass, model, obj);
  }
  // Every path is checked before the first query.
  for (const model of byClass.keys()) checkTree(model, tree);
  for (const [model, owners] of byClass) {
    for (const [name, rest] of tree) {
      const spec = relationOf(model, name);
      const load = spec.through === undefined ? LOADERS[spec.kind] : loadThrough;
      const loaded = await load(owners, spec, config, batch, refinements.get(name));
      if (rest.length > 0 && loaded.length > 0)
        await preload(loaded, rest, config, batch, deeper(refinements, name));
    }
  }
}

/** The refinements of the paths under `name`, without its `name.` prefix. */
function deeper(refinements: Refinements, name: string): Refinements {
  const under = new Map<string, Refinement>();
  for (const [path, refine] of refinements)
    if (path.startsWith(`${name}.`)) under.set(path.slice(name.length + 1), refine);
  return under;
}
