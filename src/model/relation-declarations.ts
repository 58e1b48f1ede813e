import { pluralize, singularize } from 'inflection';
import { InvalidRelationshipError } from '../errors.js';
import { Registry } from '../registry.js';
import { invalid, specOf } from './relation-options.js';
import type { RelatedModel, RelationKind, RelationSpec } from './relation-spec.js';

export type {
  RelatedModel,
  RelationDeclaration,
  RelationKind,
  RelationOptions,
  RelationSpec,
} from './relation-spec.js';
export { RELATION_NAME } from './relation-options.js';

const DECLARING: readonly (readonly [RelationKind, 'HASMANY' | 'HASONE' | 'BELONGSTO' | 'HABTM'])[] = [
  ['hasMany', 'HASMANY'],
  ['hasOne', 'HASONE'],
  ['belongsTo', 'BELONGSTO'],
  ['habtm', 'HABTM'],
];

const specs = new WeakMap<RelatedModel, ReadonlyMap<string, RelationSpec>>();

/** Every relationship of `model`, its parents' included (read once per class). */
export function relationsOf(model: RelatedModel): ReadonlyMap<string, RelationSpec> {
  let found = specs.get(model);
  if (found === undefined) {
    const parent = Object.getPrototypeOf(model) as RelatedModel | null;
    // A subclass inherits its parents' relationships, computed for the class that declares them (so
    // `Admin extends User` keeps `user_id`), and adds or redefines its own.
    const map = new Map(
      parent !== null && typeof parent === 'function' && 'HASMANY' in parent ? relationsOf(parent) : [],
    );
    const own = new Set<string>();
    for (const [kind, property] of DECLARING) {
      if (!Object.hasOwn(model, property)) continue;
      const declarations = model[property] ?? [];
      if (!Array.isArray(declarations))
        invalid(model, property, 'must be an array of relation names or options.');
      for (const declaration of declarations) {
        const spec = specOf(model, kind, property, declaration);
        if (own.has(spec.name)) invalid(model, property, `"${spec.name}" is declared twice.`);
        own.add(spec.name);
        map.set(spec.name, spec);
      }
    }
    found = map;
    specs.set(model, found);
  }
  return found;
}

/** The relationship `name` of `model`; InvalidRelationshipError naming those that exist. */
export function relationOf(model: RelatedModel, name: string): RelationSpec {
  const spec = relationsOf(model).get(name);
  if (spec === undefined) {
    const known = [...relationsOf(model).keys()];
    throw new InvalidRelationshipError(
      `${model.name} has no relationship "${name}"` +
        (known.length ? `; it has ${known.join(', ')}.` : '; it declares none.'),
    );
  }
  return spec;
}

/**
 * The related class (looked up in the Registry, so it must be registered); for a through relation, the class its
 * source relation leads to.
 */
export function targetOf<T extends RelatedModel = RelatedModel>(
  spec: RelationSpec,
  className = spec.className,
): T {
  if (spec.through !== undefined && className === '') return targetOf<T>(sourceOf(spec));
  return Registry.getClass<T>(className);
}

/** True when the relation leads to one class (not a polymorphic belongs-to, whose rows name theirs). */
export function leadsToOneClass(spec: RelationSpec): boolean {
  return spec.className !== '' || spec.through !== undefined;
}

/** Through relations being resolved, to refuse one that leads back to itself. */
const resolving = new Set<RelationSpec>();

/**
 * A through relation's source: the relation of the intermediate model (the class `through` leads to) named by
 * `source`, else by the relation's own name, its singular or its plural (Rails' `has_many :comments, through:
 * :posts` follows Post's `comments` or `comment`). InvalidRelationshipError when there is none.
 */
export function sourceOf(spec: RelationSpec): RelationSpec {
  const where = `${spec.owner.name}.${spec.name} (through ${String(spec.through)})`;
  if (resolving.has(spec))
    throw new InvalidRelationshipError(`${where}: its chain of relations leads back to itself.`);
  resolving.add(spec);
  try {
    const middle = targetOf(relationOf(spec.owner, spec.through ?? ''));
    const names =
      spec.source !== undefined
        ? [spec.source]
        : [...new Set([spec.name, singularize(spec.name), pluralize(spec.name)])];
    const relations = relationsOf(middle);
    for (const name of names) {
      const found = relations.get(name);
      if (found !== undefined) return found;
    }
    throw new InvalidRelationshipError(
      `${where}: ${middle.name} has no relationship ${names.map((name) => `"${name}"`).join(' or ')}; ` +
        `declare it on ${middle.name}, or name the one to follow with source: '…'` +
        (relations.size > 0 ? ` (it has ${[...relations.keys()].join(', ')}).` : '.'),
    );
  } finally {
    resolving.delete(spec);
  }
}

/**
 * HABTM: the join table, by default both table names sorted and joined by `_`. `target` is the related class
 * when the caller has it already (otherwise it is looked up in the Registry).
 */
export function joinTableOf(spec: RelationSpec, target: RelatedModel = targetOf(spec)): string {
  return spec.joinTable ?? [spec.owner.tablename(), target.tablename()].sort().join('_');
}

/**
 * loadRelations(): the named relations of `obj` (every one when none is named), each loaded by its `get()`, by
 * name. Every name is checked before the first query.
 */
export async function loadRelationsOf(
  obj: object,
  model: RelatedModel,
  names: readonly string[],
): Promise<Record<string, unknown>> {
  const wanted = names.length > 0 ? names : [...relationsOf(model).keys()];
  for (const name of wanted) relationOf(model, name);
  const values: Record<string, unknown> = {};
  for (const name of wanted)
    values[name] = await (obj as Record<string, { get(): Promise<unknown> } | undefined>)[name]?.get();
  return values;
}
