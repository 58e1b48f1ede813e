import { ReferenceNotSavedError } from '../errors.js';
import type { Id, InteractionBase } from '../crud/interaction-base.js';
import type { Loadable } from '../model/hydration.js';
import { STATE } from '../model/object-state.js';
import { Registry } from '../registry.js';
import { quoteColumn } from '../sql/fragments.js';
import { joinMultipleWheres, type Where, type WhereInput } from '../sql/where.js';
import { ownOptions } from '../options.js';
import { rowFilter } from '../query/related-rows.js';
import { Query } from '../query/query.js';
import type { QueryModel } from '../query/query-state.js';
import { targetOf, type RelatedModel, type RelationSpec } from '../model/relation-declarations.js';
import { loadOnFirstUse } from './auto-batching.js';
import { remember, type Owner } from './eager-loading.js';
import type { RELATED, RelationTo } from '../model/relation-type.js';

/** A model object that relations read and write. */
export type Related = Owner & { save(): Promise<unknown> };

/** Options of `count()` on has-many and HABTM relations. */
export interface CountOptions {
  where?: WhereInput | undefined;
}

/** What every relation kind shares: its owner, its declaration, and the value loaded for it. */
export abstract class Relation<T> implements RelationTo<T> {
  /** The related model, for the types (no value at run time). */
  declare readonly [RELATED]: T;
  readonly #owner: Related;
  readonly #spec: RelationSpec;

  constructor(owner: Related, spec: RelationSpec) {
    this.#owner = owner;
    this.#spec = spec;
  }

  protected get owner(): Related {
    return this.#owner;
  }

  protected get spec(): RelationSpec {
    return this.#spec;
  }

  /** The owner's key; the owner must be saved (and not deleted). */
  get ownerId(): Id {
    const id = this.#owner.id;
    const name = this.#owner.constructor.name;
    if (this.#owner[STATE].deleted) {
      throw new ReferenceNotSavedError(`${name}.${this.#spec.name}: the ${name} was deleted.`);
    }
    if (id === null || id === undefined) {
      throw new ReferenceNotSavedError(`${name}.${this.#spec.name}: save the ${name} first.`);
    }
    return id;
  }

  protected config(): InteractionBase {
    return Registry.getConfig();
  }

  protected target(): Loadable<T> & RelatedModel {
    return targetOf<Loadable<T> & RelatedModel>(this.#spec);
  }

  protected quote(column: string): string {
    return quoteColumn(this.config().pool.dialect, column);
  }

  /**
   * The loaded value; when there is none, loads it — for every sibling of the owner at once when they
   * were loaded together (Registry.AUTO_BATCH), else for the owner alone (refused under STRICT_LOADING); the
   * objects found batch their own relations unless the owner's query said `batch: false`.
   */
  protected async loadedValue(): Promise<unknown> {
    const state = this.#owner[STATE];
    const name = this.#spec.name;
    if (state.loaded?.has(name)) return state.loaded.get(name);
    await loadOnFirstUse(this.#owner, name, this.config());
    return state.loaded?.get(name);
  }

  /** Records a value as the relation's current one (a count read with the owner no longer holds). */
  protected remember(value: unknown): void {
    remember(this.#owner, this.#spec.name, value);
    this.forgetCount();
  }

  /** Forgets the count `withCount` read with the owner, after a change of the relation. */
  protected forgetCount(): void {
    this.#owner[STATE].counts?.delete(this.#spec.name);
  }

  /**
   * count() of a relation of many: the count `withCount` read with the owner when asked for every related row,
   * else a COUNT(*) of the related rows (matching `where`), the related model's DEFAULT_SCOPE applied.
   */
  protected async countRows(options: CountOptions | undefined): Promise<number> {
    const { where } = ownOptions(options, ['where'], `${this.#spec.name}.count()`);
    const known = where === undefined ? this.#owner[STATE].counts?.get(this.#spec.name) : undefined;
    if (known !== undefined) return known;
    const config = this.config();
    const target = this.target();
    const scope = await rowFilter(config, target as unknown as QueryModel);
    return config.count(target.tablename(), joinMultipleWheres([this.rowsCondition(), scope.where, where]));
  }

  /** The related rows of this owner, as a condition on the related table. */
  protected abstract rowsCondition(): Where;

  /**
   * A query of the related rows, to chain like any other (`user.pictures.query().where({ size: gt(100) })
   * .orderBy('id')`); the related model's DEFAULT_SCOPE applies.
   */
  query(): Query<T> {
    return Query.within<T>(this.target() as unknown as QueryModel, this.rowsCondition());
  }

  /** Forgets what was loaded, so that the next `get()` reads the database again. */
  reload(): this {
    this.#owner[STATE].loaded?.delete(this.#spec.name);
    this.forgetCount();
    return this;
  }

  /** True when the relation's value is loaded (by get, include or a batch) and `get()` needs no query. */
  isLoaded(): boolean {
    return this.#owner[STATE].loaded?.has(this.#spec.name) === true;
  }
}

/** The keys of saved objects; ReferenceNotSavedError for one without. */
export function savedIds(objects: readonly { id: Id | null }[], relation: string): Id[] {
  return objects.map((obj) => {
    if (obj.id === null || obj.id === undefined) {
      throw new ReferenceNotSavedError(`${relation}: save each ${obj.constructor.name} before linking it.`);
    }
    return obj.id;
  });
}

/** True when a get() call asks for nothing but the relation itself. */
export function isPlain(options: object | undefined): boolean {
  return options === undefined || Object.values(options).every((value) => value === undefined);
}
