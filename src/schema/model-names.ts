import { classify, pluralize, singularize, underscore } from 'inflection';
import { DBObject } from '../model/db-object.js';
import { RELATION_NAME as PLAIN } from '../model/relation-declarations.js';
import { SQL_NAME } from '../sql/fragments.js';
import type { TableSchema } from '../dialects/table-schema.js';
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

/** `text` in snake_case: `MediaTypeID` → `media_type_id`, `ReportsTo` → `reports_to`, `artist_id` unchanged. */
export function snakeCase(text: string): string {
  return plainWords(text)
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** A key column's name without its `_id`/`Id` ending, in snake_case: `ArtistId` → `artist`; null without one. */
export function withoutIdSuffix(column: string): string | null {
  const snake = snakeCase(column);
  return snake.endsWith('_id') && snake.length > 3 ? snake.slice(0, -3) : null;
}

/** The plural snake_case name of the rows of `table`: `Album` → `albums`, `invoice_line` → `invoice_lines`. */
export function pluralOf(table: string): string {
  return pluralize(singularize(snakeCase(table)));
}

/** The singular snake_case name of a row of `table`: `InvoiceLine` → `invoice_line`, `people` → `person`. */
export function singularOf(table: string): string {
  return singularize(snakeCase(table));
}

// What people call the two ends of a self-reference named so: `employee.reports_to` → `manager`/`reports`.
const SELF_REFERENCES: Readonly<Record<string, readonly [string, string]>> = {
  reports_to: ['manager', 'reports'],
  manager: ['manager', 'reports'],
  supervisor: ['supervisor', 'reports'],
  parent: ['parent', 'children'],
};

/**
 * The names of the two ends of a foreign key `column` of `table` to `target`: the belongs-to (the column
 * without `_id`/`Id`, else the row it points at) and the has-many side (the table's rows, plural; for a
 * self-reference, the names people use: `reports_to` gives `manager` and `reports`).
 */
export function foreignKeyNames(
  table: string,
  column: string,
  target: string,
): { belongsTo: string; hasMany: string; selfNamed: boolean } {
  const stem = withoutIdSuffix(column) ?? snakeCase(column);
  const self = table === target ? SELF_REFERENCES[stem] : undefined;
  if (self !== undefined) return { belongsTo: self[0], hasMany: self[1], selfNamed: true };
  // A column named as its relation would be (`author` → users) keeps the relation apart from the value.
  const belongsTo = stem === column ? `${stem}_${singularOf(target)}` : stem;
  return {
    belongsTo: belongsTo === `${column}_${column}` ? `${column}_ref` : belongsTo,
    hasMany: pluralOf(table),
    selfNamed: false,
  };
}
