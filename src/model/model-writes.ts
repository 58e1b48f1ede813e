import type { ColumnName } from '../query/query-types.js';
import { Registry } from '../registry.js';
import type { AttributeValues } from './attribute-types.js';
import { InvalidQueryError, isRetryable } from '../errors.js';
import { ownOptions } from '../options.js';
import { createObjects, type CreateManyOptions, type Creatable } from './bulk-create.js';
import type { Loadable } from './hydration.js';
import { ModelQueries } from './model-queries.js';
import { STATE } from './object-state.js';
import {
  upsertManyObjects,
  upsertObject,
  type UpsertManyResult,
  type UpsertModel,
  type UpsertOptions,
  type UpsertResult,
  type Upsertable,
} from './upsert.js';

/** How often `createMany(…, { onConflict: 'ignore' })` outside a transaction runs again after a deadlock. */
const RETRIES = 8;

/** A model class whose instances are `M`. */
type Model<M> = new (attrs?: object) => M;

/** What `createMany(items, { onConflict: 'ignore' })` resolves to: how many rows were inserted, and their objects. */
export interface CreateManyIgnoringResult<M> {
  readonly created: number;
  readonly records: M[];
}

/**
 * The write statics every model inherits beside `create` and `createMany`: `User.upsert(…)`, `User.upsertMany(…)`.
 */
export abstract class ModelWrites extends ModelQueries {
  /**
   * Saves many new objects (or attribute objects) at once: validations and before-hooks for each, then
   * multi-row INSERTs under the parameter limit, all in one transaction, then the after-hooks. Resolves to the
   * objects with their keys. If any is not valid, nothing is written (DBObjectSaveError; see each `errors`);
   * an object whose before-hook returns false stays unsaved. With `{ onConflict: 'ignore' }`, a row a unique key
   * already holds is skipped (its object stays new, without after-hooks): resolves to how many were inserted and
   * their objects; each row is then its own INSERT, in the one transaction.
   */
  static async createMany<M extends object>(
    this: Model<M>,
    items: readonly (NoInfer<M> | AttributeValues<NoInfer<M>>)[],
    options: CreateManyOptions & { readonly onConflict: 'ignore' },
  ): Promise<CreateManyIgnoringResult<M>>;
  static async createMany<M extends object>(
    this: Model<M>,
    items: readonly (NoInfer<M> | AttributeValues<NoInfer<M>>)[],
    options?: CreateManyOptions,
  ): Promise<M[]>;
  static async createMany<M extends object>(
    this: Model<M>,
    items: readonly (NoInfer<M> | AttributeValues<NoInfer<M>>)[],
    options?: CreateManyOptions,
  ): Promise<M[] | CreateManyIgnoringResult<M>> {
    const model = this as unknown as Loadable<Creatable>;
    const { onConflict = 'error' } = ownOptions(options, ['onConflict'], `${this.name}.createMany(items, …)`);
    if (onConflict !== 'error' && onConflict !== 'ignore') {
      throw new InvalidQueryError(
        `${this.name}.createMany: onConflict is 'error' (the default) or 'ignore', got ${String(onConflict)}.`,
      );
    }
    const config = Registry.getConfig();
    if (onConflict === 'error') return (await createObjects(model, items as object[], config)) as M[];
    // Two calls inserting the same new keys in different orders may deadlock: outside a transaction, run again.
    for (let attempt = 1; ; attempt++) {
      try {
        const records = (await createObjects(model, items as object[], config, true)).filter(
          (obj) => obj[STATE].persisted,
        );
        return { created: records.length, records: records as unknown as M[] };
      } catch (error) {
        if (attempt >= RETRIES || config.pool.inTransaction || !isRetryable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * Math.random()));
      }
    }
  }

  /**
   * Inserts the values, or, where a row already holds their unique key (`uniqueBy`), updates that row, in one
   * atomic statement (`INSERT … ON CONFLICT … DO UPDATE`, `ON DUPLICATE KEY UPDATE`); resolves to the object
   * holding the row and whether it was created. Validations (but uniqueness on the key's columns) and
   * `beforeSave` run first; then `afterCreate` or `afterUpdate`, and `afterSave`. ValidationError when a
   * validation or a constraint refuses it; a deadlock between concurrent upserts is retried.
   */
  static async upsert<M extends object>(
    this: Model<M>,
    values: AttributeValues<M>,
    options: UpsertOptions<ColumnName<M>>,
  ): Promise<UpsertResult<M>> {
    const model = this as unknown as UpsertModel<Upsertable>;
    return upsertObject(model, Registry.getConfig(), values, options) as Promise<UpsertResult<never>>;
  }

  /**
   * upsert() for many rows: chunked multi-row statements in one transaction; resolves to how many rows were
   * inserted and updated and the objects, in order (those a `beforeSave` cancelled left out). If any is not
   * valid or a constraint refuses one, nothing is written.
   */
  static async upsertMany<M extends object>(
    this: Model<M>,
    rows: readonly AttributeValues<NoInfer<M>>[],
    options: UpsertOptions<ColumnName<M>>,
  ): Promise<UpsertManyResult<M>> {
    const model = this as unknown as UpsertModel<Upsertable>;
    return upsertManyObjects(model, Registry.getConfig(), rows, options) as Promise<UpsertManyResult<never>>;
  }
}
