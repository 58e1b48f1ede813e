import { classify, underscore } from 'inflection';
import { InvalidRelationshipError } from '../errors.js';
import type { ModelDefinition } from './model-definition.js';
import { Registry } from '../registry.js';

/** The options of one relationship; every one but `name` has a default. */
export interface RelationOptions {
  /** The property the relation is read through (`pictures` → `user.pictures`). */
  readonly name: string;
  /** The related class as registered (default: the classified singular of the name). */
  readonly className?: string;
  /** The foreign key column (default: `<owner>_id`, or `<name>_id` for belongs-to). */
  readonly foreignKey?: string;
  /** HABTM: the join table's column pointing at the related class (default: `<related>_id`). */
  readonly associationForeignKey?: string;
  /** HABTM: the join table (default: both table names, sorted, joined by `_`). */
  readonly joinTable?: string;
  /** Has many / has one through a polymorphic belongs-to of that name (`as: 'nicknameable'`). */
  readonly as?: string;
  /** Belongs-to: the related class is named by the `<name>_type` column. */
  readonly polymorphic?: boolean;
  /**
   * Has many / has one: what deleting the owner does to the related rows, in its delete's transaction: `'restrict'`
   * refuses while one exists, `'delete'` deletes them in one statement, `'destroy'` deletes each with its hooks,
   * `'nullify'` sets their foreign key to NULL.
   */
  readonly dependent?: 'delete' | 'destroy' | 'nullify' | 'restrict';
}

/** A relationship as declared in `static HASMANY = […]`: a name, or options. */
export type RelationDeclaration = string | RelationOptions;

/** The four kinds, by the static property that declares them. */
export type RelationKind = 'hasMany' | 'hasOne' | 'belongsTo' | 'habtm';

/** A model class as relationships see it. */
export interface RelatedModel extends ModelDefinition {
  readonly HASMANY?: readonly RelationDeclaration[];
  readonly HASONE?: readonly RelationDeclaration[];
  readonly BELONGSTO?: readonly RelationDeclaration[];
  readonly HABTM?: readonly RelationDeclaration[];
}

/** A relationship with every default filled in. */
export interface RelationSpec {
  readonly kind: RelationKind;
  readonly name: string;
  readonly owner: RelatedModel;
  /** The related class's registered name; '' for a polymorphic belongs-to (the type column names it). */
  readonly className: string;
  /** Where the foreign key lives: on the related table (has many/one), on the owner (belongs-to), in the join table (HABTM). */
  readonly foreignKey: string;
  /** Polymorphic: the column holding the class name. */
  readonly typeColumn: string | undefined;
  /** Polymorphic has many/one: the class name the related rows carry in `typeColumn`. */
  readonly typeValue: string | undefined;
  /** HABTM only. */
  readonly associationForeignKey: string;
  /** HABTM only: the join table given in the declaration, if any. */
  readonly joinTable: string | undefined;
  /** Has many / has one: what deleting the owner does to the related rows (see RelationOptions.dependent). */
  readonly dependent: 'delete' | 'destroy' | 'nullify' | 'restrict' | undefined;
}

const DECLARING: readonly (readonly [RelationKind, 'HASMANY' | 'HASONE' | 'BELONGSTO' | 'HABTM'])[] = [
  ['hasMany', 'HASMANY'],
  ['hasOne', 'HASONE'],
  ['belongsTo', 'BELONGSTO'],
  ['habtm', 'HABTM'],
];

const OPTIONS_OF: Record<RelationKind, ReadonlySet<string>> = {
  hasMany: new Set(['name', 'className', 'foreignKey', 'as', 'dependent']),
  hasOne: new Set(['name', 'className', 'foreignKey', 'as', 'dependent']),
  belongsTo: new Set(['name', 'className', 'foreignKey', 'polymorphic']),
  habtm: new Set(['name', 'className', 'foreignKey', 'associationForeignKey', 'joinTable']),
};

/** What relationship options accept as a name: class names, relation names, keys, join tables. */
export const RELATION_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function invalid(model: RelatedModel, property: string, message: string): never {
  throw new InvalidRelationshipError(`${model.name}.${property}: ${message}`);
}

function optionText(
  model: RelatedModel,
  property: string,
  options: RelationOptions,
  key: keyof RelationOptions,
): string | undefined {
  const value = options[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !RELATION_NAME.test(value)) {
    invalid(
      model,
      property,
      `"${key}" of "${options.name}" must be a plain name (letters, digits, _), got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

function specOf(
  model: RelatedModel,
  kind: RelationKind,
  property: string,
  declaration: unknown,
): RelationSpec {
  const options: RelationOptions =
    typeof declaration === 'string' ? { name: declaration } : (declaration as RelationOptions);
  if (
    options === null ||
    typeof options !== 'object' ||
    typeof options.name !== 'string' ||
    !RELATION_NAME.test(options.name)
  ) {
    invalid(
      model,
      property,
      `each entry must be a relation name or { name, … }, got ${JSON.stringify(declaration)}.`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!OPTIONS_OF[kind].has(key)) {
      invalid(
        model,
        property,
        `"${options.name}" has option "${key}", which ${property} does not take (it takes ${[...OPTIONS_OF[kind]].join(', ')}).`,
      );
    }
  }
  const dependent = options.dependent;
  if (dependent !== undefined && !['delete', 'destroy', 'nullify', 'restrict'].includes(dependent)) {
    invalid(
      model,
      property,
      `"dependent" of "${options.name}" is 'delete', 'destroy', 'nullify' or 'restrict', got ${JSON.stringify(dependent)}.`,
    );
  }
  if (options.polymorphic !== undefined && typeof options.polymorphic !== 'boolean') {
    invalid(model, property, `"polymorphic" of "${options.name}" must be true or false.`);
  }
  const name = options.name;
  const as = optionText(model, property, options, 'as');
  const polymorphic = options.polymorphic === true;
  if (polymorphic && options.className !== undefined) {
    invalid(
      model,
      property,
      `"${name}" is polymorphic, so its class comes from ${name}_type; drop className.`,
    );
  }
  const className = polymorphic ? '' : (optionText(model, property, options, 'className') ?? classify(name));
  const ownerKey = `${underscore(model.name)}_id`;
  const given = optionText(model, property, options, 'foreignKey');
  let foreignKey: string;
  let typeColumn: string | undefined;
  let typeValue: string | undefined;
  if (kind === 'belongsTo') {
    foreignKey = given ?? `${name}_id`;
    typeColumn = polymorphic ? `${name}_type` : undefined;
  } else if (as !== undefined) {
    foreignKey = given ?? `${as}_id`;
    typeColumn = `${as}_type`;
    typeValue = model.name;
  } else {
    foreignKey = given ?? ownerKey;
  }
  const associationForeignKey =
    optionText(model, property, options, 'associationForeignKey') ?? `${underscore(className || name)}_id`;
  if (kind === 'habtm' && associationForeignKey === foreignKey) {
    invalid(
      model,
      property,
      `"${name}" would use "${foreignKey}" for both sides of its join table; give foreignKey and ` +
        'associationForeignKey (e.g. user_id and friend_id).',
    );
  }
  return {
    kind,
    name,
    owner: model,
    className,
    foreignKey,
    typeColumn,
    typeValue,
    associationForeignKey,
    joinTable: optionText(model, property, options, 'joinTable'),
    dependent,
  };
}

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

/** The related class (looked up in the Registry, so it must be registered). */
export function targetOf<T extends RelatedModel = RelatedModel>(
  spec: RelationSpec,
  className = spec.className,
): T {
  return Registry.getClass<T>(className);
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
