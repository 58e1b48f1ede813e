import { InvalidQueryError } from '../errors.js';
import type { Errors } from './errors.js';
import { columnValue, ownOptions } from '../options.js';
import { errorsOf, type ObjectState, type STATE } from '../model/object-state.js';
import { castErrors } from '../model/model-casts.js';
import type { ModelDefinition } from '../model/model-definition.js';

/** A validation: inspects the object and adds to its errors; may be async. */
export type Validator<M = never> = (obj: M & { readonly errors: Errors }) => void | Promise<void>;

/** `range` is inclusive at both ends. */
export type LengthRule = ({ range: readonly [number, number] } | { length: number }) & {
  /** Let `null` and `undefined` pass (by default they fail, as in Twistar and Rails). */
  allowNull?: boolean;
};

/** Validators by model class; each class has its own list, and inherits its parents'. */
const byClass = new WeakMap<object, Validator<never>[]>();

/** Adds a validator to `model` only. */
export function addValidatorTo(model: object, validator: Validator<never>): void {
  const list = byClass.get(model);
  if (list) list.push(validator);
  else byClass.set(model, [validator]);
}

/** Removes the validators added to `model` itself. */
export function clearValidatorsOf(model: object): void {
  byClass.delete(model);
}

/** The validators that apply to `model`: its ancestors' first, then its own. */
export function validatorsOf(model: object): Validator<never>[] {
  const chain: Validator<never>[][] = [];
  for (
    let current: object | null = model;
    current !== null && current !== Function.prototype;
    current = Object.getPrototypeOf(current)
  ) {
    const own = byClass.get(current);
    if (own) chain.unshift(own);
  }
  return chain.flat();
}

function read(obj: unknown, prop: string): unknown {
  return columnValue(obj as object, prop);
}

/** Fails when the property is undefined, null or an empty (or blank) string. */
export function presenceOf(props: readonly string[], message = 'cannot be blank.'): Validator<unknown> {
  return (obj) => {
    for (const prop of props) {
      const value = read(obj, prop);
      if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
        obj.errors.add(prop, message);
      }
    }
  };
}

/**
 * Fails when a value's length is outside `range` (inclusive) or not exactly `length`, and for a `null` or
 * `undefined` value unless `allowNull` is set (Twistar's lengthOf fails "values … that are None").
 */
export function lengthOf(props: readonly string[], rule: LengthRule, message?: string): Validator<unknown> {
  const checked = ownOptions(rule, ['range', 'length', 'allowNull'], 'validatesLengthOf(props, rule)');
  const {
    range,
    length: exact,
    allowNull = false,
  } = checked as {
    range?: readonly [number, number];
    length?: number;
    allowNull?: boolean;
  };
  const count = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  if (
    (range === undefined) === (exact === undefined) ||
    (range !== undefined &&
      (!Array.isArray(range) || range.length !== 2 || !range.every(count) || range[0] > range[1])) ||
    (exact !== undefined && !count(exact))
  ) {
    throw new InvalidQueryError(
      'validatesLengthOf takes a rule with either range: [min, max] (whole numbers, min ≤ max) or length: n.',
    );
  }
  const fails = range
    ? (length: number) => length < range[0] || length > range[1]
    : (length: number) => length !== exact;
  const failure =
    message ??
    (range ? `must have a length between ${range[0]} and ${range[1]}.` : `must have a length of ${exact}.`);
  return (obj) => {
    for (const prop of props) {
      const value = read(obj, prop);
      if (value === undefined || value === null) {
        if (!allowNull) obj.errors.add(prop, failure);
        continue;
      }
      const length =
        typeof value === 'string' || Array.isArray(value) || Buffer.isBuffer(value)
          ? value.length
          : String(value).length;
      if (fails(length)) obj.errors.add(prop, failure);
    }
  };
}

/**
 * validate(): a value its column's cast refuses (static CASTS), then every validation of the object's class (its
 * parents' first); resolves to its errors.
 */
export async function runValidations<T extends { [STATE]: ObjectState }>(obj: T): Promise<Errors> {
  const errors = errorsOf(obj);
  errors.clear();
  castErrors(obj, errors, obj.constructor as unknown as ModelDefinition);
  for (const validator of validatorsOf(obj.constructor)) await (validator as (obj: T) => unknown)(obj);
  return errors;
}
