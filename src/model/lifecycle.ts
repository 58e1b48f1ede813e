import { runAsHookOf } from '../connection/context.js';
/**
 * Hooks, in the order they run. Saving a new object: validation, beforeCreate, beforeSave, INSERT,
 * afterCreate, afterSave. Saving a loaded one: validation, beforeUpdate, beforeSave, UPDATE (only if a
 * column changed), afterUpdate, afterSave. Deleting: beforeDelete, DELETE, afterDelete. Objects built
 * from query results: afterInit. A before-hook that returns (or resolves to) `false` cancels the rest.
 */
export type HookName =
  | 'beforeCreate'
  | 'beforeUpdate'
  | 'beforeSave'
  | 'beforeDelete'
  | 'afterCreate'
  | 'afterUpdate'
  | 'afterSave'
  | 'afterDelete'
  | 'afterInit';

/** What a hook returns: `false` from a before-hook cancels the operation. */
// A hook with no return statement returns void, so void belongs in the union.
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type
export type HookResult = boolean | void | Promise<boolean | void>;

/** Runs `name` on `obj` if it defines it; false when the hook cancelled. */
export async function runHook(obj: object, name: HookName): Promise<boolean> {
  const hook = (obj as Partial<Record<HookName, () => HookResult>>)[name];
  if (typeof hook !== 'function') return true;
  // Marked as the object's hook, so that a save() it starts on the object runs at once instead of waiting
  // for the save or delete that runs the hook (see persistence's inTurn).
  return (await runAsHookOf(obj, () => hook.call(obj))) !== false;
}

/** True when instances of the class with this prototype define `name`. */
export function hasHook(prototype: object, name: HookName): boolean {
  return typeof (prototype as Partial<Record<HookName, unknown>>)[name] === 'function';
}
