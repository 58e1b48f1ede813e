/*
 * A model's `static CASTS`, checked once per class and bound to its table's columns when they are read: the
 * columns of a model schema then carry their cast, so that every write (writeValue) and read (the schema's
 * readers) goes through it, and validate() reports the values a cast refuses.
 */
import type { ColumnInfo } from '../dialects/dialect.js';
import { CastError, InvalidValueError } from '../errors.js';
import { columnValue } from '../options.js';
import { Cast } from './casts.js';
import type { ModelDefinition } from './model-definition.js';

/** A cast bound to its column. */
export interface BoundCast {
  /** The value sent for `value` (not null); a value the cast refuses is an InvalidValueError. */
  readonly toDb: (value: unknown) => unknown;
  /** The model's value for what the database gave (not null). */
  readonly fromDb: (value: unknown) => unknown;
  /** The form the object holds once `value` is written, where another, else undefined. */
  readonly canonical: ((value: unknown) => unknown) | undefined;
}

/** A column of a model's table, with the cast the model gives it. */
export type ModelColumn = ColumnInfo & { readonly cast?: BoundCast };

type Casts = ReadonlyMap<string, Cast<unknown>>;

const checked = new WeakMap<object, { readonly source: unknown; readonly casts: Casts | null }>();

/** The casts of `model` (its `static CASTS`, checked), or null when it has none. */
export function castsOf(model: ModelDefinition): Casts | null {
  const source = (model as { CASTS?: unknown }).CASTS;
  const known = checked.get(model);
  if (known !== undefined && known.source === source) return known.casts;
  const casts = checkCasts(model, source);
  checked.set(model, { source, casts });
  return casts;
}

function checkCasts(model: ModelDefinition, source: unknown): Casts | null {
  if (source === undefined || source === null) return null;
  if (typeof source !== 'object' || Array.isArray(source)) {
    throw new CastError(
      `${model.name}.CASTS must be an object of casts by column, such as { status: enumOf(['draft', 'published']) }.`,
    );
  }
  const casts = new Map<string, Cast<unknown>>();
  for (const name of Object.keys(source)) {
    const cast = (source as Record<string, unknown>)[name];
    if (!(cast instanceof Cast)) {
      throw new CastError(
        `${model.name}.CASTS.${name} is not a cast; make it with enumOf(), decimal(), json() or custom().`,
      );
    }
    casts.set(name, cast as Cast<unknown>);
  }
  return casts.size === 0 ? null : casts;
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return String(value);
  return `a ${value.constructor.name}`;
}

function bind(cast: Cast<unknown>, column: ColumnInfo): BoundCast {
  const { refuse, toDb, fromDb, canonical } = cast.rules;
  return {
    toDb:
      refuse === undefined
        ? (value) => toDb(value, column)
        : (value) => {
            const why = refuse(value);
            if (why !== undefined) {
              throw new InvalidValueError(
                `Column "${column.name}" (${cast.description}) ${why.replace(/\.$/, '')}: got ${describe(value)}. ` +
                  'Nothing was sent.',
              );
            }
            return toDb(value, column);
          },
    fromDb: (value) => fromDb(value, column),
    canonical: canonical === undefined ? undefined : (value) => canonical(value, column),
  };
}

/**
 * The columns of `model`'s table with their casts bound; `columns` itself when the model has none. A cast on a
 * column the table lacks, on the key, or on a column that cannot hold what it writes is a CastError.
 */
export function castColumns(
  model: ModelDefinition,
  table: string,
  columns: readonly ColumnInfo[],
): readonly ModelColumn[] {
  const casts = castsOf(model);
  if (casts === null) return columns;
  for (const name of casts.keys()) {
    if (!columns.some((column) => column.name === name)) {
      throw new CastError(
        `${model.name}.CASTS names "${name}", which is not a column of "${table}" (it has ` +
          `${columns.map((column) => column.name).join(', ')}); correct the name, or add the column.`,
      );
    }
    if (name === model.PRIMARY_KEY) {
      throw new CastError(
        `${model.name}.CASTS casts "${name}", the key column; keys are not cast: remove it from CASTS.`,
      );
    }
  }
  return columns.map((column) => {
    const cast = casts.get(column.name);
    if (cast === undefined) return column;
    const unfit = cast.rules.unfit?.(column);
    if (unfit !== undefined) {
      throw new CastError(
        `${model.name}.CASTS.${column.name}: ${cast.description} cannot be on column "${column.name}" ` +
          `(${column.type}) of "${table}": ${unfit}.`,
      );
    }
    return { ...column, cast: bind(cast, column) };
  });
}

/** validate(): adds to `errors` the message of each value of `obj` its column's cast refuses (null is left alone). */
export function castErrors(
  obj: object,
  errors: { add(prop: string, message: string): unknown },
  model: ModelDefinition,
): void {
  const casts = castsOf(model);
  if (casts === null) return;
  for (const [name, cast] of casts) {
    const refuse = cast.rules.refuse;
    const value = columnValue(obj, name);
    if (refuse === undefined || value === null || value === undefined) continue;
    const why = refuse(value);
    if (why !== undefined) errors.add(name, why);
  }
}
