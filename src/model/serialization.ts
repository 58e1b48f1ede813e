import { ToJsonError } from '../errors.js';
import { ownOptions, ownProperties } from '../options.js';
import { setOwnProperty } from '../own-property.js';
import { knownSchema, type ModelSchema } from './model-schema.js';
import { STATE, type ObjectState } from './object-state.js';
import { relationsOf, type RelatedModel } from './relation-declarations.js';

/*
 * toJSON(): a model object's column values for JSON.stringify, without the columns its model hides (`static
 * HIDDEN`), and with options (`only`, `except`, `showHidden`, `include`) for one call. The call without options
 * is the hot path (every record of an API response): one pass over the object's keys.
 */

/** A model class as toJSON sees it. */
export interface Serialised extends RelatedModel {
  readonly HIDDEN?: readonly string[];
}

/** A model object as toJSON sees it. */
type Serialisable = object & { [STATE]: ObjectState };

type Json = Record<string, unknown>;

const OPTIONS = ['only', 'except', 'showHidden', 'include'] as const;

/** A model's HIDDEN as checked against the columns known when it was checked. */
interface CheckedHidden {
  readonly list: unknown;
  readonly schema: ModelSchema | undefined;
  readonly names: ReadonlySet<string>;
}

const checkedHidden = new WeakMap<Serialised, CheckedHidden>();

function what(model: Serialised): string {
  return `${model.name}.toJSON()`;
}

/** How a message names an option of toJSON, or the model's HIDDEN. */
function labelOf(model: Serialised, option: (typeof OPTIONS)[number] | 'HIDDEN'): string {
  return option === 'HIDDEN' ? `${model.name}.HIDDEN` : `${what(model)}'s ${option}`;
}

/** The column names toJSON accepts for `model`, when its columns are known: the table's, and `id`. */
function isColumn(schema: ModelSchema, name: string): boolean {
  return name === 'id' || schema.byName.has(name);
}

/**
 * `value` as a list of names, or a ToJsonError saying what `option` takes (an option of toJSON, or `HIDDEN`: the
 * model's static).
 */
function namesIn(
  model: Serialised,
  value: unknown,
  option: (typeof OPTIONS)[number] | 'HIDDEN',
  schema: ModelSchema | undefined,
): string[] {
  if (!Array.isArray(value) || value.some((name) => typeof name !== 'string')) {
    throw new ToJsonError(
      `${labelOf(model, option)} must be a list of column names, such as ['id', 'email'], got ${JSON.stringify(value) ?? typeof value}.`,
    );
  }
  const names = value as string[];
  const unknown = schema === undefined ? [] : names.filter((name) => !isColumn(schema, name));
  if (unknown.length > 0) {
    throw new ToJsonError(
      `${labelOf(model, option)} names ${unknown.map((name) => `"${name}"`).join(', ')}, which ${model.name}'s table ` +
        `"${schema?.table ?? model.tablename()}" has no column of; its columns are ` +
        `${[...(schema?.byName.keys() ?? [])].join(', ')}.`,
    );
  }
  return names;
}

/**
 * The columns `model` hides, checked once per list and per schema: a list that is not one of names, or that
 * names a column the table lacks (a misspelling would leak the column it meant), is a ToJsonError.
 */
function hiddenOf(model: Serialised, schema: ModelSchema | undefined): ReadonlySet<string> | undefined {
  const list = model.HIDDEN;
  if (list === undefined || (Array.isArray(list) && list.length === 0)) return undefined;
  const known = checkedHidden.get(model);
  if (known !== undefined && known.list === list && known.schema === schema) return known.names;
  const names = new Set(namesIn(model, list, 'HIDDEN', schema));
  checkedHidden.set(model, { list, schema, names });
  return names;
}

/** A value as JSON takes it: a bigint as its text (JSON.stringify would throw). */
function jsonValue(value: unknown): unknown {
  return typeof value === 'bigint' ? String(value) : value;
}

/**
 * The column values of `obj` (every own property until the table's columns have been read, as toHash), the key
 * first, bigints as text, for which `keep` holds.
 */
function columnsOf(
  obj: object,
  model: Serialised,
  schema: ModelSchema | undefined,
  keep: (name: string) => boolean,
): Json {
  const json: Json = {};
  const values = obj as Json;
  if (model.PRIMARY_KEY === 'id' && keep('id')) json.id = jsonValue(values.id);
  for (const key of Object.keys(obj)) {
    if ((schema === undefined || schema.byName.has(key)) && keep(key))
      setOwnProperty(json, key, jsonValue(values[key]));
  }
  return json;
}

/**
 * toJSON(options) of `obj`; without options (or with the key JSON.stringify passes: `toJSON('0')` for an array's
 * first record), the column values but the hidden ones.
 */
export function jsonOf(obj: Serialisable, model: Serialised, options: unknown): Json {
  return options === undefined || typeof options === 'string'
    ? plainJson(obj, model)
    : optionedJson(obj, model, options);
}

function plainJson(obj: object, model: Serialised): Json {
  const schema = knownSchema(model);
  const hidden = hiddenOf(model, schema);
  const json: Json = {};
  const values = obj as Json;
  // Written out rather than through columnsOf: this is the path of every record JSON.stringify meets.
  if (model.PRIMARY_KEY === 'id' && hidden?.has('id') !== true) json.id = jsonValue(values.id);
  for (const key of Object.keys(obj)) {
    if ((schema === undefined || schema.byName.has(key)) && (hidden === undefined || !hidden.has(key))) {
      const value = values[key];
      setOwnProperty(json, key, typeof value === 'bigint' ? String(value) : value);
    }
  }
  return json;
}

/** toJSON(options): the columns the options pick, then the relations they include. */
function optionedJson(obj: Serialisable, model: Serialised, options: unknown): Json {
  const given = ownOptions(
    options as Partial<Record<(typeof OPTIONS)[number], unknown>>,
    OPTIONS,
    what(model),
    '',
    ToJsonError,
  );
  const schema = knownSchema(model);
  const pick = (option: (typeof OPTIONS)[number]) =>
    given[option] === undefined ? undefined : new Set(namesIn(model, given[option], option, schema));
  const only = pick('only');
  const except = pick('except');
  if (only !== undefined && except !== undefined) {
    throw new ToJsonError(`${what(model)} takes only or except, not both: list the columns wanted in only.`);
  }
  const shown = pick('showHidden');
  const hiddenByModel = hiddenOf(model, schema);
  const hidden =
    shown === undefined || hiddenByModel === undefined
      ? (hiddenByModel ?? new Set<string>())
      : new Set([...hiddenByModel].filter((name) => !shown.has(name)));
  const asked = [...(only ?? [])].filter((name) => hidden.has(name));
  if (asked.length > 0) {
    throw new ToJsonError(
      `${what(model)}'s only names ${asked.map((name) => `"${name}"`).join(', ')}, which ${model.name} hides ` +
        `(static HIDDEN); to give ${asked.length === 1 ? 'it' : 'them'} all the same, list ` +
        `${asked.length === 1 ? 'it' : 'them'} in showHidden too.`,
    );
  }
  const json = columnsOf(
    obj,
    model,
    schema,
    (name) => !hidden.has(name) && (only === undefined ? except?.has(name) !== true : only.has(name)),
  );
  for (const [name, nested] of includedIn(model, given.include)) {
    setOwnProperty(json, name, relationJson(obj, model, name, nested));
  }
  return json;
}

/** The relations an `include` option names, each with the options of its objects' toJSON (or none). */
function includedIn(model: Serialised, include: unknown): [string, object | undefined][] {
  if (include === undefined) return [];
  if (typeof include === 'string') return [[include, undefined]];
  if (Array.isArray(include) && include.every((name) => typeof name === 'string')) {
    return (include as string[]).map((name) => [name, undefined]);
  }
  if (include !== null && typeof include === 'object' && !Array.isArray(include)) {
    const entries: [string, object | undefined][] = [];
    for (const [name, nested] of Object.entries(ownProperties(include))) {
      if (nested === undefined) continue;
      if (nested !== true && (nested === null || typeof nested !== 'object' || Array.isArray(nested))) {
        throw new ToJsonError(
          `${what(model)}'s include.${name} must be true or the options of the related objects' toJSON ` +
            `({ only: […] }), got ${JSON.stringify(nested) ?? typeof nested}.`,
        );
      }
      entries.push([name, nested === true ? undefined : (nested as object)]);
    }
    return entries;
  }
  throw new ToJsonError(
    `${what(model)}'s include takes a relation name, a list of them, or { relation: true | options }.`,
  );
}

/** The JSON of loaded relation `name` of `obj`: its objects' toJSON (with `nested` options), or null. */
function relationJson(
  obj: Serialisable,
  model: Serialised,
  name: string,
  nested: object | undefined,
): unknown {
  const relations = relationsOf(model);
  if (!relations.has(name)) {
    const known = [...relations.keys()];
    throw new ToJsonError(
      `${what(model)} cannot include "${name}": ${model.name} has no such relationship` +
        (known.length > 0 ? `; it has ${known.join(', ')}.` : '; it declares none.'),
    );
  }
  const loaded = obj[STATE].loaded;
  if (loaded === null || !loaded.has(name)) {
    throw new ToJsonError(
      `${what(model)} cannot include "${name}": it is not loaded, and toJSON does not query. Load it first: ` +
        `${model.name}.where(…).include('${name}'), await obj.${name}.get() or await obj.loadRelations('${name}').`,
    );
  }
  const value = loaded.get(name);
  return Array.isArray(value) ? value.map((each) => relatedJson(each, nested)) : relatedJson(value, nested);
}

function relatedJson(related: unknown, nested: object | undefined): unknown {
  if (related === null || related === undefined) return null;
  const toJSON = (related as { toJSON?: unknown }).toJSON;
  if (typeof toJSON !== 'function') return related;
  return nested === undefined ? toJSON.call(related) : toJSON.call(related, nested);
}
