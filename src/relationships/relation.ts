import { ReferenceNotSavedError, StrictLoadingError } from '../errors.js';
import type { Id, InteractionBase } from '../crud/interaction-base.js';
import type { Loadable } from '../model/hydration.js';
import { STATE } from '../model/object-state.js';
import { Registry } from '../registry.js';
import { quoteColumn } from '../sql/fragments.js';
import type { WhereInput } from '../sql/where.js';
import { targetOf, type RelatedModel, type RelationSpec } from './declarations.js';
import { preload, remember, type Owner } from './eager-loading.js';

/** A model object that relations read and write. */
export type Related = Owner & { save(): Promise<unknown> };

/** Options of `count()` on has-many and HABTM relations. */
export interface CountOptions {
  where?: WhereInput;
}

/** What every relation kind shares: its owner, its declaration, and the value loaded for it. */
export abstract class Relation<T> {
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
    // Siblings exist only when the query that loaded the owner batched (Registry.AUTO_BATCH, or batch: true).
    const siblings = state.siblings;
    if (siblings !== null && siblings.length > 1) {
      await batchLoad(siblings as Owner[], name, this.config());
    } else {
      if (Registry.STRICT_LOADING) {
        throw new StrictLoadingError(
          `${this.#owner.constructor.name}.${name} was loaded for one object alone (Registry.STRICT_LOADING is on): ` +
            `load it with include: ['${name}'] on the query that found the object.`,
        );
      }
      // What it finds batches in turn (Playlist.find(1) → tracks → each track's album), as the owner's query said.
      await preload([this.#owner], [name], this.config(), state.batch ?? Registry.AUTO_BATCH);
    }
    return state.loaded?.get(name);
  }

  /** Records a value as the relation's current one. */
  protected remember(value: unknown): void {
    remember(this.#owner, this.#spec.name, value);
  }

  /** Forgets what was loaded, so that the next `get()` reads the database again. */
  reload(): this {
    this.#owner[STATE].loaded?.delete(this.#spec.name);
    return this;
  }

  /** True when the relation's value is loaded (by get, include or a batch) and `get()` needs no query. */
  isLoaded(): boolean {
    return this.#owner[STATE].loaded?.has(this.#spec.name) === true;
  }
}

/** Batch loads under way, per set of siblings and relation, so that concurrent get() calls share one. */
const inFlight = new WeakMap<readonly Owner[], Map<string, Promise<void>>>();

/** Loads `name` for every sibling that has not loaded it yet, once however many ask at the same time. */
function batchLoad(siblings: readonly Owner[], name: string, config: InteractionBase): Promise<void> {
  let loads = inFlight.get(siblings);
  if (loads === undefined) {
    loads = new Map();
    inFlight.set(siblings, loads);
  }
  let load = loads.get(name);
  if (load === undefined) {
    const pending = siblings.filter(
      (obj) => obj.id !== null && !obj[STATE].deleted && !obj[STATE].loaded?.has(name),
    );
    const started = preload(pending, [name], config, true);
    load = started.finally(() => loads.delete(name));
    loads.set(name, load);
  }
  return load;
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
