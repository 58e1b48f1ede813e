import { ownOptions } from '../options.js';
import { Registry } from '../registry.js';
import { uniquenessOf } from '../validation/uniqueness.js';
import {
  addValidatorTo,
  clearValidatorsOf,
  lengthOf,
  presenceOf,
  type LengthRule,
  type Validator,
} from '../validation/validators.js';
import { addModelListener, type ModelEvent, type ModelListener } from './lifecycle.js';
import { modelSchema } from './model-schema.js';
import { tableNameOf } from './naming.js';
import type { RelationDeclaration } from './relation-declarations.js';
import type { Cast } from './casts.js';

/** Options of the validation helpers. */
export interface ValidationOptions {
  message?: string;
}

function splitOptions(args: readonly (string | ValidationOptions)[]): [string[], ValidationOptions] {
  const props = args.filter((arg): arg is string => typeof arg === 'string');
  const given = args.find((arg): arg is ValidationOptions => typeof arg === 'object' && arg !== null);
  return [props, ownOptions(given, ['message'], 'A validation')];
}

/**
 * What a model class declares about itself, which DBObject inherits: its table, key and timestamps, its
 * relationships (Twistar's static arrays), and its validations.
 */
// A class, so that DBObject and every model inherit these statics (Twistar's API is `static HASMANY = […]`).
// eslint-disable-next-line @typescript-eslint/no-extraneous-class
export abstract class ModelDeclarations {
  /** The table; by default the snake_case plural of the class name. */
  static TABLENAME: string | undefined = undefined;
  /** The key column; `id` unless set (it may be a text or UUID column the application fills). */
  static PRIMARY_KEY = 'id';
  /**
   * Columns a plain object may not set through a constructor, `create`, `createMany`, `findOrCreate` or a query's
   * `updateAll` (MassAssignmentError); assigning the property in code still works: `['is_admin']`.
   */
  static GUARDED: readonly string[] = [];
  /** The only columns a plain object may set (instead of GUARDED); undefined: every column. */
  static FILLABLE: readonly string[] | undefined = undefined;
  /**
   * Columns `toJSON()` (and so `JSON.stringify`) leaves out unless a call reveals them with `showHidden`:
   * `['password_hash']`. Type it `ColumnNames<User>` to have misspelled names refused at compile time; a name the
   * table lacks is a ToJsonError once the columns are known.
   */
  static HIDDEN: readonly string[] = [];
  /**
   * Attribute casts by column: how values are written and read, and which a column takes:
   * `{ status: enumOf(['draft', 'published']), price: decimal({ scale: 2 }), tags: json<string[]>() }`. Type the
   * columns with `interface Post extends CastTypes<typeof Post.CASTS> {}`.
   */
  static CASTS: Readonly<Record<string, Cast<unknown>>> = {};
  /** Fill `created_at` and `updated_at` on create and update, where the table has them. */
  static TIMESTAMPS = true;
  /**
   * Optimistic locking: the integer column every update and delete checks and every update bumps (a save of a
   * copy read before another's save rejects with StaleObjectError). Undefined: `lock_version` where the table has
   * it; `false`: none.
   */
  static LOCK_VERSION: string | false | undefined = undefined;
  /** Has-many relationships: `['pictures']` gives `user.pictures` (declare it as `HasMany<Picture>`). */
  static HASMANY: readonly RelationDeclaration[] = [];
  /** Has-one relationships: `['avatar']` gives `user.avatar` (`HasOne<Avatar>`). */
  static HASONE: readonly RelationDeclaration[] = [];
  /** Belongs-to relationships: `['user']` gives `picture.user` (`BelongsTo<User>`), from `user_id`. */
  static BELONGSTO: readonly RelationDeclaration[] = [];
  /** Has-and-belongs-to-many: `['favorite_colors']` gives `user.favorite_colors` (`HABTM<FavoriteColor>`). */
  static HABTM: readonly RelationDeclaration[] = [];

  /** The table of this model. */
  static tablename(): string {
    return this.TABLENAME ?? tableNameOf(this.name);
  }

  /** Reads the table's columns now (they are otherwise read on first use), e.g. to fail early. */
  static async columns(): Promise<string[]> {
    return (await modelSchema(Registry.getConfig(), this)).columns.map((column) => column.name);
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
  static addValidator<M>(this: new (attrs?: object) => M, validator: (obj: M) => void | Promise<void>): void {
    addValidatorTo(this, validator as Validator<never>);
  }

  /**
   * Calls `listener` after each `event` of the model's objects (and its subclasses'), right after the
   * object's own hook of that name: `User.on('afterCommit', (user, operation) => …)`. Returns the function
   * that removes it. Errors are handled as the hook's would be (see docs/hooks.md).
   */
  static on<M, E extends ModelEvent>(
    this: new (attrs?: object) => M,
    event: E,
    listener: ModelListener<M, E>,
  ): () => void {
    return addModelListener(this, event, listener);
  }

  /** Removes the validations added to this class (its parents' stay). */
  static clearValidations(): void {
    clearValidatorsOf(this);
  }
}
