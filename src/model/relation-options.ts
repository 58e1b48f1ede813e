import { classify, underscore } from 'inflection';
import { InvalidRelationshipError } from '../errors.js';
import type { RelatedModel, RelationKind, RelationOptions, RelationSpec } from './relation-spec.js';

/* Reading one declaration of `static HASMANY = […]` and the like: its options checked, its defaults filled in. */

const OPTIONS_OF: Record<RelationKind, ReadonlySet<string>> = {
  hasMany: new Set(['name', 'className', 'foreignKey', 'as', 'through', 'source', 'dependent']),
  hasOne: new Set(['name', 'className', 'foreignKey', 'as', 'through', 'source', 'dependent']),
  belongsTo: new Set(['name', 'className', 'foreignKey', 'polymorphic']),
  habtm: new Set(['name', 'className', 'foreignKey', 'associationForeignKey', 'joinTable']),
};

/** What relationship options accept as a name: class names, relation names, keys, join tables. */
export const RELATION_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An InvalidRelationshipError naming the declaration. */
export function invalid(model: RelatedModel, property: string, message: string): never {
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

/** The relationship `declaration` of `model`'s `property` (HASMANY …), checked, with its defaults. */
export function specOf(
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
  const dependent = options.dependent as RelationSpec['dependent'];
  if (dependent !== undefined && !['delete', 'destroy', 'nullify', 'restrict'].includes(dependent)) {
    invalid(
      model,
      property,
      `"dependent" of "${options.name}" is 'delete', 'destroy', 'nullify' or 'restrict', got ${JSON.stringify(dependent)}.`,
    );
  }
  if (dependent !== undefined && options.through !== undefined) {
    invalid(
      model,
      property,
      `"${options.name}" goes through "${options.through}", which is read-only: declare dependent on the relations it follows.`,
    );
  }
  if (options.polymorphic !== undefined && typeof options.polymorphic !== 'boolean') {
    invalid(model, property, `"polymorphic" of "${options.name}" must be true or false.`);
  }
  const name = options.name;
  const through = optionText(model, property, options, 'through');
  const source = optionText(model, property, options, 'source');
  if (through === undefined && source !== undefined) {
    invalid(
      model,
      property,
      `"${name}" has a source but no through: source names a relation of the through model.`,
    );
  }
  if (through !== undefined) {
    const extra = ['className', 'foreignKey', 'as'].filter((key) => Object.hasOwn(options, key));
    if (extra.length > 0) {
      invalid(
        model,
        property,
        `"${name}" goes through "${through}", so its class and keys come from the relations it follows; drop ` +
          `${extra.join(', ')} (name the source relation with source: '…').`,
      );
    }
    if (through === name) invalid(model, property, `"${name}" cannot go through itself.`);
  }
  const as = optionText(model, property, options, 'as');
  const polymorphic = options.polymorphic === true;
  if (polymorphic && options.className !== undefined) {
    invalid(
      model,
      property,
      `"${name}" is polymorphic, so its class comes from ${name}_type; drop className.`,
    );
  }
  // A through relation's class is its source relation's, known once the models are registered (targetOf).
  const className =
    polymorphic || through !== undefined
      ? ''
      : (optionText(model, property, options, 'className') ?? classify(name));
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
    through,
    source,
    dependent,
  };
}
