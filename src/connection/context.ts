import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the running work is part of, innermost first: a transaction of a pool, work run outside one, the hooks
 * of a model object being saved. One AsyncLocalStorage carries all of it: on Node 20 each enabled one adds work
 * to every promise the process makes. It stays enabled once used, so that work started inside a transaction
 * and run after it has ended still sees that it belongs to a finished one.
 */
export interface ContextEntry {
  readonly outer: ContextEntry | undefined;
}

const storage = new AsyncLocalStorage<ContextEntry>();

/** The innermost entry of the running work's context, if any. */
export function currentContext(): ContextEntry | undefined {
  return storage.getStore();
}

/** Runs `work` with `entry` (whose `outer` should be `currentContext()`) as the innermost entry. */
export function runInContext<T>(entry: ContextEntry, work: () => T): T {
  return storage.run(entry, work);
}

/** A model object whose hooks the running work is part of. @internal */
interface HookEntry extends ContextEntry {
  readonly hooksOf: object;
}

/** Runs `work` (a hook of `obj`) marked as such, so that a save it starts on `obj` can tell. @internal */
export function runAsHookOf<T>(obj: object, work: () => T): T {
  const entry: HookEntry = { outer: currentContext(), hooksOf: obj };
  return storage.run(entry, work);
}

/** True when the running work is part of a hook of `obj`. @internal */
export function inHookOf(obj: object): boolean {
  for (let entry = currentContext(); entry !== undefined; entry = entry.outer) {
    if ((entry as Partial<HookEntry>).hooksOf === obj) return true;
  }
  return false;
}
