import {
  objectPersistence,
  type Id,
  type InteractionBase,
  type PersistentObject,
} from '../crud/interaction-base.js';
import { Registry } from '../registry.js';
import type { Errors } from '../validation/errors.js';
import { runValidations } from '../validation/validators.js';
import { assignAttributes, columnValuesOf } from './attributes.js';
import { eachObject, type EachOptions } from './streaming.js';
import {
  allObjects,
  findObjects,
  findObjectsBy,
  type FindByKeyOptions,
  type FindOptions,
  type FindResult,
} from './finders.js';
import type { HookResult, WriteOperation } from './lifecycle.js';
import { BUILTIN_VALIDATE, STATE, errorsOf, newState, type ObjectState } from './object-state.js';
import {
  deleteObject,
  insertObject,
  restoreObject,
  refreshObject,
  findOrCreateObject,
  saveObject,
  saveOrFailObject,
  updateObject,
} from './persistence.js';
import { TableStatics } from './table-statics.js';
import { checkMassAssignment } from './mass-assignment.js';
import { adjustObject } from './atomic-updates.js';
import { negated } from './adjustment-rules.js';
import type { NumberColumnName } from '../query/query-types.js';

export type { ValidationOptions } from './model-declarations.js';
import { installKeyAccessor } from './key-accessor.js';
import { isDeletedObject } from './soft-delete.js';
import { relationHooks } from './relation-hooks.js';
import { loadRelationsOf } from './relation-declarations.js';
import type { AttributeValues } from './attribute-types.js';
import { jsonOf } from './serialization.js';
import type { JsonOf, JsonOptions } from './serialization-types.js';

/** util.inspect.custom by its registered name: the published types then need no import of node:util. */
const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom');

export type { Attributes, AttributeValues } from './attribute-types.js';

/** A model class whose instances are `M`: the `this` of DBObject's static methods. */
export type ModelClass<M extends DBObject> = (new (attrs?: object) => M) & typeof DBObject;

function config(): InteractionBase {
  return Registry.getConfig();
}

/**
 * The active record: subclass it once per table (`class User extends DBObject {}`). Column values are
 * plain properties; declare their types with `declare first_name: string` (not a field initialiser,
 * which would overwrite the values Twistar sets).
 */
export class DBObject extends TableStatics implements PersistentObject {
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
  beforeRestore?(): HookResult;
  afterRestore?(): HookResult;
  afterInit?(): HookResult;
  afterCommit?(operation: WriteOperation): HookResult;
  afterRollback?(operation: WriteOperation): HookResult;

  constructor(attrs?: object) {
    super();
    relationHooks().install(this.constructor as typeof DBObject);
    this[STATE] = newState();
    if (attrs) {
      checkMassAssignment(this.constructor as typeof DBObject, attrs, `new ${this.constructor.name}(…)`);
      assignAttributes(this, attrs);
    }
  }

  /** The object with this key, or null (with `include`, its relations loaded too). */
  static find<M extends DBObject>(this: ModelClass<M>, id: Id, options?: FindByKeyOptions): Promise<M | null>;
  /**
   * The objects matching the options (every object without them); with `limit: 1`, the first one or null
   * (see FindResult for a limit known only at run time).
   */
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no options: every object
  static find<M extends DBObject, const O extends FindOptions = {}>(
    this: ModelClass<M>,
    options?: O,
  ): Promise<FindResult<M, O>>;
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
    return allObjects<M>(this, config(), options);
  }

  /** The objects whose columns equal these values (`null` matches NULL). */
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no options: every match
  static findBy<M extends DBObject, const O extends FindOptions = {}>(
    this: ModelClass<M>,
    attrs: AttributeValues<M>,
    options?: O,
  ): Promise<FindResult<M, O>>;
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
    return findOrCreateObject<M>(this, config(), attrs);
  }

  /** A new object with these values, saved (check `errors` when validation may fail). */
  static async create<M extends DBObject>(this: ModelClass<M>, attrs: AttributeValues<M> = {}): Promise<M> {
    return new this(attrs).save();
  }

  /** A new, unsaved object with these values. */
  static build<M extends DBObject>(this: ModelClass<M>, attrs: AttributeValues<M> = {}): M {
    return new this(attrs);
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
    return saveOrFailObject(this, config());
  }

  /**
   * Deletes the row (after beforeDelete; on a model with SOFT_DELETE, sets that column instead); false when a hook
   * cancelled. A second delete() of a deleted object throws ReferenceNotSavedError.
   */
  async delete(): Promise<boolean> {
    return deleteObject(this, config());
  }

  /** Deletes the row, soft-deleted or not, even on a model with SOFT_DELETE (the delete hooks run). */
  async forceDelete(): Promise<boolean> {
    return deleteObject(this, config(), true);
  }

  /**
   * Brings a soft-deleted object back (beforeRestore, its SOFT_DELETE column cleared, afterRestore); false when
   * it is not deleted (nothing is sent) or a hook cancelled. SoftDeleteError on a model without SOFT_DELETE.
   */
  async restore(): Promise<boolean> {
    return restoreObject(this, config());
  }

  /** True once deleted: soft-deleted (its SOFT_DELETE column set), or its row deleted by this object. */
  isDeleted(): boolean {
    return isDeletedObject(this);
  }

  /**
   * Adds `by` (default 1) to a number column in the database, atomically (`SET c = c + ?`, so concurrent
   * increments all count), and holds the value the row then has. No validations or hooks.
   */
  async increment(column: NumberColumnName<this>, by: number | bigint = 1): Promise<this> {
    return adjustObject(this, config(), column, by);
  }

  /** Subtracts `by` (default 1) from a number column in the database, atomically; see increment(). */
  async decrement(column: NumberColumnName<this>, by: number | bigint = 1): Promise<this> {
    return adjustObject(this, config(), column, negated(by));
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
    return loadRelationsOf(this, this.constructor as typeof DBObject, names);
  }

  /** Runs every validation and resolves to the errors (empty when valid). */
  async validate(): Promise<Errors> {
    return runValidations(this);
  }

  /** Runs every validation and resolves to whether there were no errors. */
  async isValid(): Promise<boolean> {
    return (await this.validate()).isEmpty();
  }

  /** The column values (every own property until the table's columns have been read). */
  toHash(): AttributeValues<this> {
    return columnValuesOf(this, this.constructor as typeof DBObject) as AttributeValues<this>;
  }

  /** For JSON.stringify: the column values (bigints as text) but those of `static HIDDEN`; no relations. */
  toJSON<M extends DBObject>(this: M): JsonOf<M>;
  /** The columns `only`/`except` pick, hidden ones `showHidden` names, loaded relations `include` names. */
  toJSON<M extends DBObject, const O extends JsonOptions<M>>(this: M, options: O): JsonOf<M, O>;
  toJSON(options?: unknown): Record<string, unknown> {
    return jsonOf(this, this.constructor as typeof DBObject, options);
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

Object.defineProperty(DBObject.prototype.validate, BUILTIN_VALIDATE, { value: true });

installKeyAccessor(DBObject.prototype);
