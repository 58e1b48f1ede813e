import type { Id } from '../crud/interaction-base.js';
import { STATE, type ObjectState } from './object-state.js';

/** A model object as the key accessor sees it. */
interface Keyed {
  [STATE]: ObjectState;
}

/** The key column of the object's class (`id` unless the class sets PRIMARY_KEY). */
function keyOf(obj: Keyed): string {
  return (obj.constructor as unknown as { PRIMARY_KEY: string }).PRIMARY_KEY;
}

/**
 * Defines `id` on the model prototype: it reads and writes the key whatever its column is called (an `id` key is
 * kept in the object's state, so that it is never mistaken for a value to save).
 */
export function installKeyAccessor(prototype: object): void {
  Object.defineProperty(prototype, 'id', {
    configurable: true,
    enumerable: false,
    get(this: Keyed): Id | null {
      const key = keyOf(this);
      if (key === 'id') return this[STATE].id;
      return ((this as unknown as Record<string, unknown>)[key] as Id | null | undefined) ?? null;
    },
    set(this: Keyed, value: Id | null) {
      const key = keyOf(this);
      if (key === 'id') this[STATE].id = value;
      else (this as unknown as Record<string, unknown>)[key] = value;
    },
  });
}
