import { DBObjectSaveError, InvalidQueryError, ValidationError } from '../errors.js';
import {
  objectPersistence,
  type Id,
  type InteractionBase,
  type PersistentObject,
} from '../crud/interaction-base.js';
import { setOwnProperty } from '../own-property.js';
import { ownOptions } from '../options.js';
import { Registry } from '../registry.js';
import { SqlFragment } from '../sql/fragments.js';
import { ALL_ROWS, hasCondition, type WhereInput } from '../sql/where.js';
import type { Errors } from '../validation/errors.js';
import { uniquenessOf } from '../validation/uniqueness.js';
import {
  addValidatorTo,
  clearValidatorsOf,
  lengthOf,
  presenceOf,
  validatorsOf,
  type LengthRule,
  type Validator,
} from '../validation/validators.js';
import { assignAttributes } from './attributes.js';
import { eachObject, type EachOptions } from './streaming.js';
import { createObjects } from './bulk-create.js';
import {
  attributesCondition,
  findObjects,
  findObjectsBy,
  type FindByKeyOptions,
  type FindOptions,
} from './finders.js';
import type { HookResult } from './lifecycle.js';
import { knownSchema, modelSchema } from './model-schema.js';
import { BUILTIN_VALIDATE, STATE, errorsOf, newState, type ObjectState } from './object-state.js';
import {
  deleteObject,
  insertObject,
  refreshObject,
  saveObject,
  saveWithOutcome,
  updateObject,
} from './persistence.js';
import { tableNameOf } from './naming.js';
import { relationHooks } from './relation-hooks.js';
import { relationOf, relationsOf, type RelationDeclaration } from './relation-declarations.js';
import type { Relation } from '../relationships/relation.js';

/** util.inspect.custom by its registered name: the published types then need no import of node:util. */
const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom');

/** The column values of model `M`: the data properties it declares (`declare first_name: string`). */
export type Attributes<M> = {
  [
    K in keyof M as K extends string
      ? K extends keyof DBObject
        ? never
        : M[K] extends ((...args: never[]) => unknown) | Relation<unknown>
          ? never
          : K
      : never
  ]: M[K];
};

/**
 * Values to build or match a model with. For a model that declares its columns, they are type-checked
 * (and an unknown name in an object literal is an error); for one that declares none, any object goes.
 */
export type AttributeValues<M> = [keyof Attributes<M>] extends [never]
  ? Record<string, unknown>
  : Partial<Attributes<M>> & { id?: Id | null };

/** A model class whose instances are `M`: the `this` of DBObject's static methods. */
export type ModelClass<M extends DBObject> = (new (attrs?: object) => M) & typeof DBObject;

/** Options of the validation helpers. */
export interface ValidationOptions {
  message?: string;
}

function splitOptions(args: readonly (string | ValidationOptions)[]): [string[], ValidationOptions] {
  const props = args.filter((arg): arg is string => typeof arg === 'string');
  const given = args.find((arg): arg is ValidationOptions => typeof arg === 'object' && arg !== null);
  return [props, ownOptions(given, ['message'], 'A validation')];
}

function config(): InteractionBase {
  return Registry.getConfig();
}

/**
 * The active record: subclass it once per table (`class User extends DBObject {}`). Column values are
 * plain properties; declare their types with `declare first_name: string` (not a field initialiser,
 * which would overwrite the values Twistar sets).
 */
export class DBObject implements PersistentObject {
  /** The table; by default the snake_case plural of the class name. */
  static TABLENAME: string | undefined = undefined;
  /** The key column; `id` unless set (it may be a text or UUID column the application fills). */
  static PRIMARY_KEY = 'id';
  /** Fill `created_at` and `updated_at` on create and update, where the table has them. */
  static TIMESTAMPS = true;
  /** Has-many relationships: `['pictures']` gives `user.pictures` (declare it as `HasMany<Picture>`). */
  static HASMANY: readonly RelationDeclaration[] = [];
  /** Has-one relationships: `['avatar']` gives `user.avatar` (`HasOne<Avatar>`). */
  static HASONE: readonly RelationDeclaration[] = [];
  /** Belongs-to relationships: `['user']` gives `picture.user` (`BelongsTo<User>`), from `user_id`. */
  static BELONGSTO: readonly RelationDeclaration[] = [];
  /** Has-and-belongs-to-many: `['favorite_colors']` gives `user.favorite_colors` (`HABTM<FavoriteColor>`). */
  static HABTM: readonly RelationDeclaration[] = [];

  declare [STATE]: ObjectState;

  /**
   * The key, whatever the key column is called; null before the first save. Narrow its type in a model
   * with `declare id: number` (it is an accessor, installed below, so that it always reads the key column).
   */
  declare id: Id | null;

  beforeCreate?(): HookResult;
  beforeUpdate?(): HookResult;
  beforeSave?(): HookResult;
  beforeDelete?(): HookResult;
  afterCreate?(): HookResult;
  afterUpdate?(): HookResult;
  afterSave?(): HookResult;
  afterDelete?(): HookResult;
  afterInit?(): HookResult;

  constructor(attrs?: object) {
    relationHooks().install(this.constructor as typeof DBObject);
    this[STATE] = newState();
    if (attrs) assignAttributes(this, attrs);
  }

  /** The table of this model. */
  static tablename(): string {
    return this.TABLENAME ?? tableNameOf(this.name);
  }

  /** The object with this key, or null (with `include`, its relations loaded too). */
  static find<M extends DBObject>(this: ModelClass<M>, id: Id, options?: FindByKeyOptions): Promise<M | null>;
  /** The first object matching the options, or null. */
  static find<M extends DBObject>(
    this: ModelClass<M>,
    options: FindOptions & { limit: 1 },
  ): Promise<M | null>;
  /** The objects matching the options (every object without them). */
  static find<M extends DBObject>(this: ModelClass<M>, options?: FindOptions): Promise<M[]>;
  static async find<M extends DBObject>(this: ModelClass<M>, ...args: unknown[]): Promise<M | M[] | null> {
    return findObjects<M>(this, config(), args);
  }

  /**
   * Every matching object, read a page at a time with keyset pagination, so that any number of rows can be
   * walked in flat memory: `for await (const user of User.each({ where, batchSize: 500 })) …`.
   */
  static each<M extends DBObject>(
    this: ModelClass<M>,
    options: EachOptions = {},
  ): AsyncGenerator<M, void, undefined> {
    return eachObject<M>(this, config, options);
  }

  /** Every object (optionally ordered, filtered or offset; use find() for a limit). */
  static async all<M extends DBObject>(
    this: ModelClass<M>,
    options: Omit<FindOptions, 'limit'> = {},
  ): Promise<M[]> {
    if (options !== null && typeof options === 'object' && Object.hasOwn(options, 'limit')) {
      throw new InvalidQueryError(
        `${this.name}.all() reads every row and takes no limit; use find({ limit }).`,
      );
    }
    return (await findObjects<M>(this, config(), [{ ...options, limit: undefined }])) as M[];
  }

  /** The objects whose columns equal these values (`null` matches NULL). */
  static findBy<M extends DBObject>(
    this: ModelClass<M>,
    attrs: AttributeValues<M>,
    options: FindOptions & { limit: 1 },
  ): Promise<M | null>;
  static findBy<M extends DBObject>(
    this: ModelClass<M>,
    attrs: AttributeValues<M>,
    options?: FindOptions,
  ): Promise<M[]>;
  static async findBy<M extends DBObject>(
    this: ModelClass<M>,
    attrs: AttributeValues<M>,
    options?: FindOptions,
  ): Promise<M | M[] | null> {
    return findObjectsBy<M>(this, config(), attrs, options);
  }

  /**
   * The first object with these values, or a new one saved with them, in one transaction. When a
   * concurrent caller creates it first (a unique index refuses ours), the one it created is returned.
   */
  static async findOrCreate<M extends DBObject>(this: ModelClass<M>, attrs: AttributeValues<M>): Promise<M> {
    if (attrs !== null && typeof attrs === 'object' && Object.keys(attrs).length === 0) {
      throw new InvalidQueryError(
        `${this.name}.findOrCreate({}) has no condition, so it would return any row; give the values to find by.`,
      );
    }
    const pool = config().pool;
    return pool.runInteraction(async () => {
      const found = (await findObjectsBy<M>(this, config(), attrs, { limit: 1 })) as M | null;
      if (found) return found;
      const created = new this(attrs);
      const refused = new Error('refused');
      try {
        // In a savepoint, so that what its before-hooks wrote is undone when the row is refused.
        await pool.runInteraction(async () => {
          if ((await saveWithOutcome(created, config())) === 'invalid') throw refused;
        });
        return created;
      } catch (error) {
        if (error !== refused) throw error;
      }
      // Refused by a unique index or by validatesUniquenessOf: a concurrent caller's row may exist now. A
      // locking read sees it even under MySQL's REPEATABLE READ; in share mode, since a failed INSERT already
      // holds a shared lock on that key.
      const winner = (await findObjectsBy<M>(this, config(), attrs, { limit: 1, lock: 'share' })) as M | null;
      return winner ?? created;
    });
  }

  /** A new object with these values, saved (check `errors` when validation may fail). */
  static async create<M extends DBObject>(this: ModelClass<M>, attrs: AttributeValues<M> = {}): Promise<M> {
    return new this(attrs).save();
  }

  /**
   * Saves many new objects (or attribute objects) at once: validations and before-hooks for each, then
   * multi-row INSERTs under the parameter limit, all in one transaction, then the after-hooks. Resolves to the
   * objects with their keys. If any is not valid, nothing is written (DBObjectSaveError; see each `errors`);
   * an object whose before-hook returns false stays unsaved.
   */
  static async createMany<M extends DBObject>(
    this: ModelClass<M>,
    items: readonly (NoInfer<M> | AttributeValues<NoInfer<M>>)[],
  ): Promise<M[]> {
    return createObjects<M>(this, items, config());
  }

  /** A new, unsaved object with these values. */
  static build<M extends DBObject>(this: ModelClass<M>, attrs: AttributeValues<M> = {}): M {
    return new this(attrs);
  }

  /** The number of rows (matching `where`, or whose columns equal the values given). */
  static async count<M extends DBObject>(
    this: ModelClass<M>,
    where?: WhereInput | AttributeValues<M>,
  ): Promise<number> {
    return config().count(this.tablename(), await conditionOf(this, where, 'count'));
  }

  /** Whether any row (matching `where`, or whose columns equal the values given) exists. */
  static async exists<M extends DBObject>(
    this: ModelClass<M>,
    where?: WhereInput | AttributeValues<M>,
  ): Promise<boolean> {
    const row = await config().select(this.tablename(), {
      where: await conditionOf(this, where, 'exists'),
      limit: 1,
      select: new SqlFragment('1 AS one'),
    });
    return row !== null;
  }

  /**
   * Deletes the rows matching `where` without loading them or running hooks; resolves to the number deleted.
   * Called with no argument it deletes every row; an argument that sets no condition (undefined, null, `[]`,
   * blank text) throws InvalidQueryError instead, since it is most likely a missing value.
   */
  static async deleteAll(...args: [where?: WhereInput]): Promise<number> {
    if (args.length === 0) return config().delete(this.tablename(), ALL_ROWS);
    const [where] = args;
    if (!hasCondition(where)) {
      throw new InvalidQueryError(
        `${this.name}.deleteAll() was given an empty condition (${String(JSON.stringify(where))}); call ` +
          `${this.name}.deleteAll() with no argument to delete every row.`,
      );
    }
    return config().delete(this.tablename(), where);
  }

  /** Reads the table's columns now (they are otherwise read on first use), e.g. to fail early. */
  static async columns(): Promise<string[]> {
    return (await modelSchema(config(), this)).columns.map((column) => column.name);
  }

  /** Each named property must be present: not undefined, null or blank. */
  static validatesPresenceOf(...args: (string | ValidationOptions)[]): void {
    const [props, options] = splitOptions(args);
    addValidatorTo(this, presenceOf(props, options.message));
  }

  /** The property's length must lie in `range` (inclusive) or equal `length`. */
  static validatesLengthOf(props: string | readonly string[], rule: LengthRule, message?: string): void {
    addValidatorTo(this, lengthOf(typeof props === 'string' ? [props] : props, rule, message));
  }

  /** No other row may have the same value (back it with a UNIQUE index against races). */
  static validatesUniquenessOf(...args: (string | ValidationOptions)[]): void {
    const [props, options] = splitOptions(args);
    addValidatorTo(this, uniquenessOf(props, options.message) as Validator<never>);
  }

  /** A validation of your own: inspect the object and call `obj.errors.add(prop, message)`; may be async. */
  static addValidator<M extends DBObject>(
    this: ModelClass<M>,
    validator: (obj: M) => void | Promise<void>,
  ): void {
    addValidatorTo(this, validator as Validator<never>);
  }

  /** Removes the validations added to this class (its parents' stay). */
  static clearValidations(): void {
    clearValidatorsOf(this);
  }

  /** The messages of the last validation. */
  get errors(): Errors {
    return errorsOf(this);
  }

  /** True until the object is saved (or when it was built rather than loaded). */
  isNewRecord(): boolean {
    return !this[STATE].persisted;
  }

  /**
   * Validates, runs the hooks, then INSERTs or UPDATEs (only the changed columns); resolves to the object.
   * When a validation or a database constraint refuses it, nothing is written and `errors` says why.
   */
  async save(): Promise<this> {
    return saveObject(this, config());
  }

  /**
   * Like save(), but rejects with ValidationError when a validation or a database constraint refuses the
   * object, and with DBObjectSaveError when a before-hook cancels the save.
   */
  async saveOrFail(): Promise<this> {
    const outcome = await saveWithOutcome(this, config());
    if (outcome === 'invalid') throw new ValidationError(this, this.errors);
    if (outcome === 'cancelled') {
      throw new DBObjectSaveError(
        `${this.constructor.name} was not saved: a before-hook cancelled the save.`,
      );
    }
    return this;
  }

  /** Deletes the row (after beforeDelete); false when a hook cancelled. */
  async delete(): Promise<boolean> {
    return deleteObject(this, config());
  }

  /** Reloads the columns from the row, and forgets the relations loaded so far. */
  async refresh(): Promise<this> {
    await refreshObject(this, config());
    return this;
  }

  /**
   * Loads the named relationships (every one when none is named) and resolves to their values by name:
   * `{ pictures: Picture[], avatar: Avatar | null }`.
   */
  async loadRelations(...names: string[]): Promise<Record<string, unknown>> {
    const model = this.constructor as typeof DBObject;
    const wanted = names.length > 0 ? names : [...relationsOf(model).keys()];
    const values: Record<string, unknown> = {};
    // Every name is checked before the first query.
    for (const name of wanted) relationOf(model, name);
    for (const name of wanted) {
      values[name] = await (this as unknown as Record<string, { get(): Promise<unknown> }>)[name]?.get();
    }
    return values;
  }

  /** Runs every validation and resolves to the errors (empty when valid). */
  async validate(): Promise<Errors> {
    const errors = errorsOf(this);
    errors.clear();
    for (const validator of validatorsOf(this.constructor)) await (validator as Validator<this>)(this);
    return errors;
  }

  /** Runs every validation and resolves to whether there were no errors. */
  async isValid(): Promise<boolean> {
    return (await this.validate()).isEmpty();
  }

  /** The column values (every own property until the table's columns have been read). */
  toHash(): AttributeValues<this> {
    const model = this.constructor as typeof DBObject;
    const schema = knownSchema(model);
    const hash: Record<string, unknown> = {};
    if (model.PRIMARY_KEY === 'id') hash.id = this.id;
    for (const key of Object.keys(this)) {
      if (schema === undefined || schema.byName.has(key))
        setOwnProperty(hash, key, (this as unknown as Record<string, unknown>)[key]);
    }
    return hash as AttributeValues<this>;
  }

  /** For JSON.stringify: the column values only (bigints as strings). */
  toJSON(): Record<string, unknown> {
    const hash: Record<string, unknown> = this.toHash();
    for (const key of Object.keys(hash)) if (typeof hash[key] === 'bigint') hash[key] = String(hash[key]);
    return hash;
  }

  /** Same class and same key. */
  equals(other: unknown): boolean {
    return (
      other instanceof DBObject &&
      other.constructor === this.constructor &&
      this.id !== null &&
      other.id !== null &&
      String(this.id) === String(other.id)
    );
  }

  /** How `console.log` and `util.inspect` show the object: its class name and its columns. @internal */
  [INSPECT](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return `${this.constructor.name} ${inspect(this.toHash(), options)}`;
  }

  get [objectPersistence](): PersistentObject[typeof objectPersistence] {
    return {
      insert: (cfg) => insertObject(this, cfg),
      update: (cfg) => updateObject(this, cfg),
      refresh: (cfg) => refreshObject(this, cfg),
    };
  }
}

/** A where given as column values (`{ age: 30 }`) turned into a condition; any other where as it is. */
function conditionOf(
  model: typeof DBObject,
  where: WhereInput | object | undefined,
  what: string,
): WhereInput | Promise<WhereInput> {
  if (where === null || typeof where !== 'object' || Array.isArray(where) || where instanceof SqlFragment)
    return where as WhereInput;
  return attributesCondition(model, config(), where as Record<string, unknown>, what);
}

function keyOf(obj: DBObject): string {
  return (obj.constructor as typeof DBObject).PRIMARY_KEY;
}

Object.defineProperty(DBObject.prototype.validate, BUILTIN_VALIDATE, { value: true });

Object.defineProperty(DBObject.prototype, 'id', {
  configurable: true,
  enumerable: false,
  get(this: DBObject): Id | null {
    const key = keyOf(this);
    if (key === 'id') return this[STATE].id;
    return ((this as unknown as Record<string, unknown>)[key] as Id | null | undefined) ?? null;
  },
  set(this: DBObject, value: Id | null) {
    const key = keyOf(this);
    if (key === 'id') this[STATE].id = value;
    else (this as unknown as Record<string, unknown>)[key] = value;
  },
});
