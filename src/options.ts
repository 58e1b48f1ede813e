import { InvalidQueryError, type TwistarError } from './errors.js';

/**
 * The options object a caller passed, checked and copied: only its own properties are read (a property
 * inherited from a polluted `Object.prototype` is never an option), and a key that is not one of `allowed` is
 * refused, naming the allowed ones, instead of being ignored. `what` names the call in the message.
 */
export function ownOptions<T extends object>(
  options: T | null | undefined,
  allowed: readonly string[],
  what: string,
  hint = '',
  error: new (message: string) => TwistarError = InvalidQueryError,
): Partial<T> {
  const copy = Object.create(null) as Record<string, unknown>;
  if (options === undefined || options === null) return copy as Partial<T>;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new error(`${what} takes an options object ({ ${allowed.join(', ')} }), got ${describe(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new error(
        `${what} has no option "${key}"; its options are ${allowed.join(', ')}.${hint === '' ? '' : ` ${hint}`}`,
      );
    }
    copy[key] = (options as Record<string, unknown>)[key];
  }
  return copy as Partial<T>;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

/**
 * The value of column `name` on `obj`: its own property, or an accessor of its class (such as `id`), but never
 * a value inherited from a polluted `Object.prototype`.
 */
export function columnValue(obj: object, name: string): unknown {
  const value = (obj as Record<string, unknown>)[name];
  if (value !== undefined && Object.hasOwn(Object.prototype, name) && !Object.hasOwn(obj, name)) {
    return inheritedFromClass(obj, name) ? value : undefined;
  }
  return value;
}

function inheritedFromClass(obj: object, name: string): boolean {
  for (
    let proto = Object.getPrototypeOf(obj) as object | null;
    proto !== null && proto !== Object.prototype;
  ) {
    if (Object.hasOwn(proto, name)) return true;
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return false;
}

/** A copy of `object` with its own enumerable properties only, on no prototype. */
export function ownProperties<T extends object>(object: T): Partial<T> {
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(object)) copy[key] = (object as Record<string, unknown>)[key];
  return copy as Partial<T>;
}

/** A copy of `object` without `keys`, on no prototype (object rest `{ a, ...rest }` would inherit again). */
export function omitKeys<T extends object, K extends keyof T & string>(object: T, ...keys: K[]): Omit<T, K> {
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(object))
    if (!(keys as string[]).includes(key)) copy[key] = (object as Record<string, unknown>)[key];
  return copy as Omit<T, K>;
}
