import { DBObject, Registry, type Attributes, type Id, type ModelClass } from '../index.js';
import { FactoryError } from '../tooling-errors.js';
import { assignAttributes } from '../model/attributes.js';

/** A value computed when `create()` saves the object, such as the key of a record it creates first. */
export type Lazy<T> = () => T | Promise<T>;

/**
 * The values a factory gives a model `M`: its columns, each a value or a Lazy one (a function, which only
 * `create()` calls: `user_id: async () => (await users.create()).id`). An unknown column name in an object
 * literal is a compile error; a model that declares no columns takes any object.
 */
export type FactoryValues<M> = [keyof Attributes<M>] extends [never]
  ? Record<string, unknown>
  : { [K in keyof Attributes<M>]?: Attributes<M>[K] | Lazy<Attributes<M>[K]> } & {
      id?: Id | null | Lazy<Id | null>;
    };

/**
 * `V`, with every key the values of `M` do not have typed `never`: a function's returned object literal is not
 * checked for unknown keys the way an object literal argument is, so a misspelled column would pass unseen.
 */
export type Exactly<M, V> = [Exclude<keyof V, keyof FactoryValues<M>>] extends [never]
  ? V
  : V & Record<Exclude<keyof V, keyof FactoryValues<M>>, never>;

/** Values over a factory's: an object, or a function of the object's sequence number. */
export type Overrides<M, V extends FactoryValues<M> = FactoryValues<M>> =
  NoInfer<FactoryValues<M>> | ((seq: number) => Exactly<M, V>);

/**
 * Makes objects of one model for tests and seeds; see `defineFactory`. Each object takes the factory's next
 * sequence number (1, 2, …), which its definition and overrides get as `seq`.
 */
export interface Factory<M extends DBObject> {
  /** The model it makes. */
  readonly model: ModelClass<M>;
  /** A new, unsaved object (its Lazy values are left unset: nothing is written). */
  build<V extends FactoryValues<M>>(overrides?: Overrides<M, V>): M;
  /** `count` new, unsaved objects. */
  build<V extends FactoryValues<M>>(count: number, overrides?: Overrides<M, V>): M[];
  /**
   * A new object, saved as `save()` saves it (validations, hooks), in a transaction of its own (a savepoint inside
   * another one) with its Lazy values: rejects with ValidationError when refused, and then writes nothing.
   */
  create<V extends FactoryValues<M>>(overrides?: Overrides<M, V>): Promise<M>;
  /** `count` new objects, saved one after the other in one transaction: all of them, or none. */
  create<V extends FactoryValues<M>>(count: number, overrides?: Overrides<M, V>): Promise<M[]>;
  /**
   * A factory of the same model and sequence whose objects also take `values` (a state: `users.with({ admin:
   * true })`); the overrides of a call still come last.
   */
  with<V extends FactoryValues<M>>(values: Overrides<M, V>): Factory<M>;
}

/** The sequence shared by a factory and the ones `with()` derives from it. */
interface Sequence {
  next: number;
}

function valuesOf<M>(values: Overrides<M>, seq: number): Record<string, unknown> {
  const resolved = typeof values === 'function' ? values(seq) : values;
  if (resolved === null || typeof resolved !== 'object' || Array.isArray(resolved))
    throw new FactoryError(
      `A factory's values must be an object of column values, got ${Array.isArray(resolved) ? 'an array' : typeof resolved}.`,
    );
  return resolved as Record<string, unknown>;
}

/** Splits `(count?, overrides?)`: the count, when given, must be a whole number of objects. */
function countAndOverrides<M>(
  what: string,
  args: readonly unknown[],
): [count: number | undefined, overrides: Overrides<M> | undefined] {
  const [first, second] = args;
  if (typeof first !== 'number') return [undefined, first as Overrides<M> | undefined];
  if (!Number.isSafeInteger(first) || first < 0)
    throw new FactoryError(`${what}(count, …) takes a whole number of objects, got ${String(first)}.`);
  return [first, second as Overrides<M> | undefined];
}

class ModelFactory<M extends DBObject> implements Factory<M> {
  readonly model: ModelClass<M>;
  readonly #layers: readonly Overrides<M>[];
  readonly #sequence: Sequence;

  constructor(model: ModelClass<M>, layers: readonly Overrides<M>[], sequence: Sequence) {
    this.model = model;
    this.#layers = layers;
    this.#sequence = sequence;
  }

  build(overrides?: Overrides<M>): M;
  build(count: number, overrides?: Overrides<M>): M[];
  build(...args: unknown[]): M | M[] {
    const [count, overrides] = countAndOverrides<M>('build', args);
    const make = () => this.#object(this.#values(overrides), false) as M;
    return count === undefined ? make() : Array.from({ length: count }, make);
  }

  create(overrides?: Overrides<M>): Promise<M>;
  create(count: number, overrides?: Overrides<M>): Promise<M[]>;
  async create(...args: unknown[]): Promise<M | M[]> {
    const [count, overrides] = countAndOverrides<M>('create', args);
    // runInteraction rather than transaction(): a refused save rejects with its own ValidationError.
    const made = await Registry.getPool().runInteraction(async () => {
      const objects: M[] = [];
      for (let i = 0; i < (count ?? 1); i++) {
        const values = this.#values(overrides);
        for (const [key, value] of Object.entries(values))
          if (typeof value === 'function') values[key] = await (value as Lazy<unknown>)();
        objects.push(await (this.#object(values, true) as M).saveOrFail());
      }
      return objects;
    });
    return count === undefined ? (made[0] as M) : made;
  }

  with(values: Overrides<M>): Factory<M> {
    return new ModelFactory(this.model, [...this.#layers, values], this.#sequence);
  }

  /** The values of the next object: the definition, the states, the overrides, for its sequence number. */
  #values(overrides: Overrides<M> | undefined): Record<string, unknown> {
    const seq = this.#sequence.next++;
    const layers = overrides === undefined ? this.#layers : [...this.#layers, overrides];
    return Object.assign({}, ...layers.map((layer) => valuesOf(layer, seq))) as Record<string, unknown>;
  }

  /**
   * A new object with `values`, assigned as code assigns them (a model's GUARDED or FILLABLE does not refuse a
   * factory's columns); Lazy values are left out when `resolved` is false.
   */
  #object(values: Record<string, unknown>, resolved: boolean): DBObject {
    const obj = new this.model();
    const plain = resolved
      ? values
      : Object.fromEntries(Object.entries(values).filter(([, value]) => typeof value !== 'function'));
    assignAttributes(obj, plain);
    return obj;
  }
}

/**
 * A factory of `model` for tests and seeds: `defineFactory(User, (seq) => ({ first_name: \`Ann ${seq}\` }))`,
 * then `users.build()`, `users.create({ age: 40 })`, `users.create(3, { age: 40 })`. The definition's column
 * names are checked against the model's declared columns.
 */
export function defineFactory<M extends DBObject, V extends FactoryValues<M>>(
  model: ModelClass<M>,
  definition: (seq: number) => Exactly<M, V>,
): Factory<M> {
  if (typeof model !== 'function' || !(model.prototype instanceof DBObject))
    throw new FactoryError('defineFactory(model, definition) takes a model class (a subclass of DBObject).');
  if (typeof definition !== 'function')
    throw new FactoryError(
      `defineFactory(${model.name}, definition) takes a function of the sequence number: (seq) => ({ … }).`,
    );
  return new ModelFactory<M>(model, [definition as Overrides<M>], { next: 1 });
}
