import { InvalidRelationshipError } from '../errors.js';
import { STATE } from '../model/object-state.js';
import { BelongsTo } from './belongs-to.js';
import { relationsOf, type RelatedModel, type RelationSpec } from '../model/relation-declarations.js';
import { HABTM } from './habtm.js';
import { HasMany } from './has-many.js';
import { HasOne } from './has-one.js';
import { HasManyThrough, HasOneThrough } from './through.js';
import type { Related } from './relation.js';

const KINDS = { hasMany: HasMany, hasOne: HasOne, belongsTo: BelongsTo, habtm: HABTM } as const;

/** The class of a relation's objects: by its kind, or through another relation. */
function classOf(spec: RelationSpec) {
  if (spec.through === undefined) return KINDS[spec.kind];
  return spec.kind === 'hasOne' ? HasOneThrough : HasManyThrough;
}

const installed = new WeakSet<RelatedModel>();
/** The getters this module defined, so that a subclass may redefine its parents' relations. */
const installedBy = new WeakSet<object>();

/** The relation object `obj.<name>`: made once per object; the object must be saved. */
function relationFor(obj: Related, spec: RelationSpec): unknown {
  const state = obj[STATE];
  let relation = state.relations?.get(spec.name);
  if (relation === undefined) {
    relation = new (classOf(spec))(obj, spec);
    (state.relations ??= new Map()).set(spec.name, relation);
  }
  // Touching a relationship of an object without a key fails at once (ReferenceNotSavedError).
  void (relation as { ownerId: unknown }).ownerId;
  return relation;
}

/**
 * Defines `user.pictures` and the like on the class's prototype, once per class, from its HASMANY,
 * HASONE, BELONGSTO and HABTM declarations (a subclass gets its own, inheriting its parents').
 */
export function installRelations(model: RelatedModel): void {
  if (installed.has(model)) return;
  const specs = relationsOf(model);
  for (const spec of specs.values()) {
    for (let proto: object | null = model.prototype; proto !== null; proto = Object.getPrototypeOf(proto)) {
      const existing = Object.getOwnPropertyDescriptor(proto, spec.name);
      if (existing !== undefined && !installedBy.has(existing.get as object)) {
        throw new InvalidRelationshipError(
          `${model.name}: the relationship "${spec.name}" has the name of a method or property of the class; rename one of them.`,
        );
      }
    }
    const get = function (this: Related) {
      return relationFor(this, spec);
    };
    installedBy.add(get);
    Object.defineProperty(model.prototype, spec.name, { configurable: true, enumerable: false, get });
  }
  installed.add(model);
}
