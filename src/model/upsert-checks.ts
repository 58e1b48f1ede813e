import { DBObjectSaveError, InvalidQueryError, InvalidValueError, ValidationError } from '../errors.js';
import { ownOptions } from '../options.js';
import { validatingUpsert } from '../validation/uniqueness.js';
import type { ModelSchema } from './model-schema.js';
import { STATE } from './object-state.js';
import type { Upsertable, UpsertOptions } from './upsert-types.js';

/* What an upsert checks before it writes anything: its options, the values' keys and versions, the validations. */

const columnOf = (obj: object, name: string): unknown => (obj as Record<string, unknown>)[name];

export function checkedOptions(
  options: UpsertOptions,
  what: string,
): { uniqueBy: string[]; update?: string[] } {
  const { uniqueBy, update } = ownOptions(options, ['uniqueBy', 'update'], what);
  const names = (list: unknown, name: string): string[] => {
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'string'))
      throw new InvalidQueryError(`${what}: ${name} must be a list of column names.`);
    if (new Set(list).size !== list.length)
      throw new InvalidQueryError(`${what}: ${name} names a column twice.`);
    return list as string[];
  };
  const key = names(uniqueBy, 'uniqueBy');
  if (key.length === 0)
    throw new InvalidQueryError(`${what}: uniqueBy must name the columns of a unique key.`);
  return update === undefined ? { uniqueBy: key } : { uniqueBy: key, update: names(update, 'update') };
}

/** Refuses a key column without a value (a NULL never conflicts), and a key given twice. */
export function checkKeys(objects: readonly object[], uniqueBy: readonly string[], what: string): void {
  const seen = new Map<string, number>();
  objects.forEach((obj, index) => {
    const values = uniqueBy.map((name) => (obj as Record<string, unknown>)[name]);
    const missing = uniqueBy.filter((_, i) => values[i] === null || values[i] === undefined);
    if (missing.length > 0) {
      throw new InvalidValueError(
        `${what}: item ${index} has no value for ${missing.join(', ')} (uniqueBy); a row without its key never ` +
          'conflicts, so it would always be inserted. Give it a value. Nothing was written.',
      );
    }
    const key = JSON.stringify(values, (_, value: unknown) =>
      typeof value === 'bigint' ? String(value) : value,
    );
    const first = seen.get(key);
    if (first !== undefined) {
      throw new InvalidQueryError(
        `${what}: items ${first} and ${index} have the same key (${uniqueBy.join(', ')}); pass each key once. ` +
          'Nothing was written.',
      );
    }
    seen.set(key, index);
  });
}

/**
 * Refuses a lock version in the values: an upsert overwrites by key and cannot check one, so a version given (a
 * form's) would be ignored and another's save lost. The row's own version is bumped when it is updated.
 */
export function checkNoVersion(objects: readonly object[], schema: ModelSchema, what: string): void {
  const column = schema.lockVersion;
  if (column === undefined) return;
  const index = objects.findIndex((obj) => columnOf(obj, column) != null);
  if (index < 0) return;
  throw new InvalidQueryError(
    `${what}: item ${index} sets ${column}, the lock version, which an upsert cannot check (it writes by key); ` +
      'leave it out, or find the record and save() it to have the version checked. Nothing was written.',
  );
}

/** Refuses an `update` column that an object does not set (a timestamp the save fills is set). */
export function checkUpdate(
  objects: readonly object[],
  update: readonly string[],
  schema: ModelSchema,
  what: string,
): void {
  const filled = (name: string) =>
    (name === 'created_at' && schema.createdAt) || (name === 'updated_at' && schema.updatedAt);
  objects.forEach((obj, index) => {
    const unset = update.filter((name) => columnOf(obj, name) === undefined && !filled(name));
    if (unset.length > 0) {
      throw new InvalidQueryError(
        `${what}: update names ${unset.join(', ')}, which item ${index} does not set; set it, or leave it out ` +
          'of update. Nothing was written.',
      );
    }
  });
}

/** Validates each object; a uniqueness validation does not count the row its key would update. */
export async function validateAll(
  objects: readonly Upsertable[],
  uniqueBy: readonly string[],
  what: string,
): Promise<void> {
  const invalid: string[] = [];
  for (const [index, obj] of objects.entries()) {
    await validatingUpsert(obj, uniqueBy, () => obj.validate());
    const errors = obj[STATE].errors;
    if (errors === null || errors.isEmpty()) continue;
    if (objects.length === 1) throw new ValidationError(obj, errors);
    invalid.push(`item ${index}: ${errors.toString()}`);
  }
  if (invalid.length > 0) {
    throw new DBObjectSaveError(
      `${what} wrote nothing: ${invalid.length} of ${objects.length} objects are not valid ` +
        `(${invalid.slice(0, 3).join('; ')}${invalid.length > 3 ? '; …' : ''}). Each object's errors say why.`,
    );
  }
}
