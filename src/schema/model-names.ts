import { classify, underscore } from 'inflection';
import { DBObject } from '../model/db-object.js';
import { RELATION_NAME as PLAIN } from '../relationships/declarations.js';
import { SQL_NAME } from '../sql/fragments.js';
import type { TableSchema } from './database-schema.js';
import { isGlobalName } from './global-names.js';

// PLAIN: what relationship options accept (class names, relation names, keys, join tables); SQL_NAME: what
// Twistar's statements accept as a table or column name, without table.column.
export { PLAIN, SQL_NAME };

// The names the generated files use besides the model classes; a model class must not hide them.
const USED_BY_GENERATED_CODE = new Set([
  'DBObject',
  'Registry',
  'RelationDeclaration',
  'HasMany',
  'HasOne',
  'BelongsTo',
  'HABTM',
]);

/**
 * A name a model class must not take: one the generated files use, or a global of JavaScript, Node, the DOM or
 * TypeScript (`Error`, `Map`, `Request`, `Record`…), which the class would hide wherever it is imported; its
 * `<name>Base` likewise.
 */
function reserved(name: string): boolean {
  return USED_BY_GENERATED_CODE.has(name) || isGlobalName(name) || isGlobalName(`${name}Base`);
}

/** Letters and digits of `text` in ASCII (accents dropped), the rest as single `_`. */
function plainWords(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** A relationship name made of `text`: a plain name, `_`-prefixed when it would start with a digit. */
export function relationName(text: string): string {
  const words = plainWords(text) || 'related';
  return /^\d/.test(words) ? `_${words}` : words;
}

/** The class of a table, before it is made unique: `user_pictures` → `UserPicture`, `2fa codes` → `_2faCode`. */
export function classOf(table: string): string {
  const name = classify(plainWords(table) || 'model');
  return /^\d/.test(name) ? `_${name}` : name;
}

/** The file name of a class: `UserPicture` → `user-picture`. */
export function fileNameOf(className: string): string {
  return underscore(className)
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** A column or relation that would hide a member of the model (`save`, `errors`, `toJSON`, `constructor`…). */
export function hidesModelMember(name: string): boolean {
  return name !== 'id' && Reflect.has(DBObject.prototype, name);
}

/** Null when every name is plain, as relationship options must be; else why not. */
export function plainOnly(names: readonly string[]): string | null {
  const odd = names.filter((name) => !PLAIN.test(name));
  return odd.length === 0
    ? null
    : `relationships take plain names (letters, digits, _), not ${odd.join(', ')}`;
}

/**
 * Class names in table order: unique, also as `<name>Base` and as file names on any file system, and never a
 * global (`errors` gives `ErrorModel`, `dates` `DateModel`).
 */
export function classNames(tables: readonly TableSchema[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const table of tables) {
    const base = classOf(table.name);
    let name = reserved(base) ? `${base}Model` : base;
    const clashes = (candidate: string) =>
      reserved(candidate) ||
      [candidate, `${candidate}Base`, `file:${fileNameOf(candidate)}`].some((each) =>
        taken.has(each.toLowerCase()),
      );
    for (let n = 2; clashes(name); n++) name = `${base}${n}`;
    for (const each of [name, `${name}Base`, `file:${fileNameOf(name)}`]) taken.add(each.toLowerCase());
    names.set(table.name, name);
  }
  return names;
}
