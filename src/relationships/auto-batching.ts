import { StrictLoadingError } from '../errors.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import { STATE } from '../model/object-state.js';
import { Registry } from '../registry.js';
import { preload, type Owner } from './eager-loading.js';

/*
 * Automatic batching of relations, the answer to N+1 queries in a plain loop:
 * - objects loaded by one query know each other, their siblings (model/hydration.ts's makeSiblings records them,
 *   unless the query said `batch: false` or Registry.AUTO_BATCH is off);
 * - the first `get()` of a relation on one of them loads it for every sibling in one query (loadOnFirstUse below),
 *   once however many siblings ask at the same time;
 * - the objects such a load finds are siblings in turn (eager-loading.ts's `finish`), and so are those a single
 *   owner's relation finds (Playlist.find(1) → tracks → each track's album), as the owner's query said;
 * - Registry.STRICT_LOADING refuses a relation loaded for one object alone, to find N+1 queries in development.
 * Merging of `find(id)` calls made in the same tick is another thing: model/find-merging.ts.
 */

/** Loads relation `name` of `owner` on its first use: for every sibling at once, else for the owner alone. */
export async function loadOnFirstUse(owner: Owner, name: string, config: InteractionBase): Promise<void> {
  const state = owner[STATE];
  const siblings = state.siblings;
  if (siblings !== null && siblings.length > 1) return batchLoad(siblings as Owner[], name, config);
  if (Registry.STRICT_LOADING) {
    throw new StrictLoadingError(
      `${owner.constructor.name}.${name} was loaded for one object alone (Registry.STRICT_LOADING is on): ` +
        `load it with include: ['${name}'] on the query that found the object.`,
    );
  }
  await preload([owner], [name], config, state.batch ?? Registry.AUTO_BATCH);
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
