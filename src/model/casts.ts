/*
 * Attribute casts (`static CASTS`): how a column's values are written (toDb) and read (fromDb), and which values
 * a column takes at all. The factories (enumOf, decimal, json, custom) build a Cast; model-casts.ts binds each to
 * its column when the table's columns are read.
 */
import type { ColumnInfo } from '../dialects/dialect.js';
import { CastError, InvalidValueError } from '../errors.js';
import { ownOptions } from '../options.js';
import { decimalParts, decimalText } from '../sql/decimals.js';
import type { Attributes } from './attribute-types.js';

declare const CAST_TYPE: unique symbol;

/** What a cast does with a column's values (never given null or undefined, which are written and read as they are). */
export interface CastRules {
  /** Why `value` is no value of the cast, as a validation message (`must be one of …`), or undefined. */
  readonly refuse?: (value: unknown) => string | undefined;
  /** The value sent for `value` (checked by `refuse` first). */
  readonly toDb: (value: unknown, column: ColumnInfo) => unknown;
  /** The value the model holds for what the database gave. */
  readonly fromDb: (value: unknown, column: ColumnInfo) => unknown;
  /** Why the cast cannot be on `column` (a type that cannot hold what it writes), or undefined. */
  readonly unfit?: (column: ColumnInfo) => string | undefined;
  /** The form the object holds once `value` is written, where another (`'1.5'` is `'1.50'`), else undefined. */
  readonly canonical?: (value: unknown, column: ColumnInfo) => unknown;
}

/**
 * A column's cast, made by `enumOf`, `decimal`, `json` or `custom`; `T` is the type the model holds
 * (`CastType<typeof cast>`).
 */
export class Cast<T> {
  declare readonly [CAST_TYPE]?: () => T;
  /** How the cast was made, for messages: `enumOf(["draft", "published"])`. */
  readonly description: string;
  /** @internal */
  readonly rules: CastRules;

  /** @internal */
  constructor(description: string, rules: CastRules) {
    this.description = description;
    this.rules = rules;
  }
}

/** The type a model holds for a column of cast `C`: `CastType<typeof status>` is `'draft' | 'published'`. */
export type CastType<C> = C extends Cast<infer T> ? T : never;

/**
 * The column properties a model's casts give it, for `interface Post extends CastTypes<typeof Post.CASTS> {}`;
 * the columns named in `Nullable` may also hold null.
 */
export type CastTypes<C, Nullable extends keyof C = never> = {
  -readonly [K in keyof C]: CastType<C[K]> | (K extends Nullable ? null : never);
};

/**
 * Casts checked against a model's declared columns, for a model that declares them itself:
 * `static override CASTS: Casts<Post> = { status: enumOf(['draft', 'published']) }` refuses a name that is no
 * declared column, and a cast whose type the declared one cannot hold.
 */
export type Casts<M> = {
  readonly [K in keyof Attributes<M>]?: Cast<NonNullable<Attributes<M>[K]>>;
};

const asGiven = (value: unknown): unknown => value;

function text(value: unknown): string {
  return typeof value === 'bigint' ? `${value}n` : (JSON.stringify(value) ?? String(value));
}

/**
 * A column that takes only the listed values: `enumOf(['draft', 'published'])` (the model's type is their union).
 * Another value is a validation error of save() (`errors`), and an InvalidValueError in a query's condition or
 * `updateAll`; values read from the database are kept as they are.
 */
export function enumOf<const V extends readonly (string | number)[]>(values: V): Cast<V[number]> {
  if (
    !Array.isArray(values) ||
    values.length === 0 ||
    values.some(
      (value) => typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value)),
    )
  ) {
    throw new CastError(
      "enumOf(values) takes a non-empty list of strings or finite numbers, such as enumOf(['draft', 'published']).",
    );
  }
  const allowed = new Set<unknown>(values);
  const list = values.map(text).join(', ');
  return new Cast(`enumOf([${list}])`, {
    refuse: (value) => (allowed.has(value) ? undefined : `must be one of ${list}.`),
    toDb: asGiven,
    fromDb: asGiven,
  });
}

/** Options of `decimal()`. */
export interface DecimalOptions {
  /** The most digits after the point; more are refused, never rounded. Read values are given this many. */
  readonly scale?: number;
  /** The most digits in all (before the point: `precision - scale`). */
  readonly precision?: number;
}

function digitCount(value: unknown, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1000) {
    throw new CastError(`decimal({ ${what} }) takes a whole number from 0 to 1000, got ${text(value)}.`);
  }
  return value;
}

/**
 * An exact decimal held as a string (`'19.99'`), in a DECIMAL/NUMERIC or a text column. Text, a bigint, or a
 * number whose shortest text fits (`0.1 + 0.2` has 17 places and is refused) is written as its digits, with
 * `scale` places; a value that is no number or has too many digits is a validation error, never rounded.
 */
export function decimal(options?: DecimalOptions): Cast<string> {
  const given = ownOptions(options, ['scale', 'precision'], 'decimal(options)', '', CastError);
  const scale = digitCount(given.scale, 'scale');
  const precision = digitCount(given.precision, 'precision');
  if (precision !== undefined && (precision === 0 || (scale !== undefined && scale > precision))) {
    throw new CastError(
      `decimal({ precision: ${precision}${scale === undefined ? '' : `, scale: ${scale}`} }): precision counts ` +
        'every digit, so it must be at least 1 and at least scale.',
    );
  }
  const whole = precision === undefined ? undefined : precision - (scale ?? 0);
  const places = (column: ColumnInfo) => scale ?? column.scale ?? 0;
  const format = (value: unknown, column: ColumnInfo) => {
    const parts = decimalParts(value);
    return parts === undefined ? value : decimalText(parts, places(column));
  };
  const described = [
    scale === undefined ? '' : `scale: ${scale}`,
    precision === undefined ? '' : `precision: ${precision}`,
  ].filter((part) => part !== '');
  return new Cast(`decimal(${described.length === 0 ? '' : `{ ${described.join(', ')} }`})`, {
    refuse(value) {
      const parts = typeof value === 'boolean' ? undefined : decimalParts(value);
      if (parts === undefined) return "must be a decimal number, such as '19.99'.";
      if (scale !== undefined && parts.fraction.length > scale) {
        const noise =
          typeof value === 'number'
            ? ` (a number carries binary noise: give the amount as text, or round it with toFixed(${scale}))`
            : '';
        return `must have at most ${scale} digits after the point${noise}.`;
      }
      if (whole !== undefined && parts.whole.length > whole)
        return `must have at most ${whole} digits before the point.`;
      return undefined;
    },
    toDb: format,
    fromDb: format,
    canonical(value, column) {
      const formatted = format(value, column);
      return formatted === value ? undefined : formatted;
    },
    unfit(column) {
      if (column.kind !== 'decimal' && column.kind !== 'text')
        return 'decimal() keeps exact text, in a DECIMAL/NUMERIC or a text column';
      if (scale !== undefined && column.scale !== undefined && scale > column.scale)
        return `the column keeps ${column.scale} digits after the point, fewer than the cast's ${scale}`;
      return undefined;
    },
  });
}

/**
 * A JSON value of type `T` (`json<string[]>()`), in a JSON or a text column: written as its JSON text, read back
 * parsed (text that is not JSON is read as it is). Compared by its JSON text, so changes in place are saved.
 */
export function json<T = unknown>(): Cast<T> {
  return new Cast<T>('json()', {
    toDb(value, column) {
      let written: string | undefined;
      try {
        written = JSON.stringify(value);
      } catch (error) {
        throw new InvalidValueError(
          `The value of column "${column.name}" (json()) has no JSON text (${(error as Error).message.split('\n')[0]}): ` +
            'JSON has no BigInt and no cycles. Nothing was sent.',
          { cause: error },
        );
      }
      if (written === undefined) {
        throw new InvalidValueError(
          `The value of column "${column.name}" (json()) has no JSON text (a ${typeof value}). Nothing was sent.`,
        );
      }
      return written;
    },
    fromDb(value, column) {
      if (typeof value !== 'string' || column.kind === 'json') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value;
      }
    },
    unfit: (column) =>
      column.kind === 'json' || column.kind === 'text'
        ? undefined
        : 'json() writes JSON text, to a JSON or a text column',
  });
}

/** The conversions of a `custom()` cast: the model holds `T`, the database `D`. */
export interface CustomCastOptions<T, D> {
  /** The value sent for the model's value (never null). */
  toDb(value: T): D;
  /** The model's value for what the database gave (never null). */
  fromDb(value: D): T;
}

/**
 * A conversion of your own: `custom({ toDb: (money: Money) => money.cents, fromDb: (cents) => new Money(cents) })`.
 * toDb is used on insert, update, query conditions and updateAll; fromDb on every row read.
 */
export function custom<T, D = unknown>(options: CustomCastOptions<T, D>): Cast<T> {
  const { toDb, fromDb } = ownOptions(options, ['toDb', 'fromDb'], 'custom(options)', '', CastError);
  if (typeof toDb !== 'function' || typeof fromDb !== 'function') {
    throw new CastError('custom() takes { toDb(value), fromDb(value) }, both functions.');
  }
  return new Cast<T>('custom()', {
    toDb: (value) => toDb(value as T),
    fromDb: (value) => fromDb(value as D),
  });
}
