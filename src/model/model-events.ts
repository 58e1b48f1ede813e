/*
 * The listeners of model events (`User.on('afterCommit', …)`), kept per class: a listener registered on a class
 * hears its objects and its subclasses' objects, never another model's. Which events there are and when they
 * fire is lifecycle.ts's; this file only keeps the listeners.
 */

/** A listener as kept: called with the object and, for afterCommit/afterRollback, the operation. */
export type StoredListener = (obj: never, ...rest: never[]) => unknown;

/** By class prototype, then by event: the listeners in the order registered. */
const listeners = new WeakMap<object, Map<string, StoredListener[]>>();
/** How many listeners exist on any class: while none do, nothing is looked up. */
let count = 0;

/** Registers `listener` for `event` on the class with this prototype; the function removes it again. */
export function addListener(prototype: object, event: string, listener: StoredListener): () => void {
  let byEvent = listeners.get(prototype);
  if (byEvent === undefined) listeners.set(prototype, (byEvent = new Map()));
  const list = byEvent.get(event) ?? [];
  // Copied on each change, so that an emit under way goes on with the list it started with.
  byEvent.set(event, [...list, listener]);
  count++;
  let registered = true;
  return () => {
    if (!registered) return;
    registered = false;
    count--;
    const now = byEvent.get(event) ?? [];
    const at = now.indexOf(listener);
    if (at >= 0) byEvent.set(event, [...now.slice(0, at), ...now.slice(at + 1)]);
  };
}

/**
 * The listeners of `event` for an object with this prototype: its class's, then its parent classes', each in
 * the order registered. Empty (and no walk) while no class has a listener.
 */
export function listenersOf(prototype: object, event: string): readonly StoredListener[] {
  if (count === 0) return NONE;
  let found: StoredListener[] | undefined;
  for (
    let proto: object | null = prototype;
    proto !== null;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    const list = listeners.get(proto)?.get(event);
    if (list !== undefined && list.length > 0) found = found === undefined ? [...list] : [...found, ...list];
  }
  return found ?? NONE;
}

/** True when an object with this prototype has a listener of one of `events`. */
export function observed(prototype: object, events: readonly string[]): boolean {
  return count > 0 && events.some((event) => listenersOf(prototype, event).length > 0);
}

const NONE: readonly StoredListener[] = [];
