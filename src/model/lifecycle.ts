import { runAsHookOf } from '../connection/context.js';

/**
 * The hooks of each operation, in the order they run (Rails' CALLBACKS): the before-hooks, then the statement,
 * then the after-hooks. Saving validates first (a new object is a `create`, a loaded one an `update`, whose
 * UPDATE is sent only if a column changed); objects built from query results run `load`'s; an upsert runs
 * `beforeSave`, then create's or update's after-hooks by what the database did. A before-hook that
 * returns (or resolves to) `false` cancels the rest. This table is the one place the order is decided.
 */
export const CALLBACKS = {
  create: { before: ['beforeCreate', 'beforeSave'], after: ['afterCreate', 'afterSave'] },
  update: { before: ['beforeUpdate', 'beforeSave'], after: ['afterUpdate', 'afterSave'] },
  delete: { before: ['beforeDelete'], after: ['afterDelete'] },
  // Whether it inserts or updates is known only once it ran: its after-hooks are then create's or update's.
  upsert: { before: ['beforeSave'], after: [] },
  restore: { before: ['beforeRestore'], after: ['afterRestore'] },
  load: { before: [], after: ['afterInit'] },
} as const;

/** An operation that runs hooks. */
export type Operation = keyof typeof CALLBACKS;

/** The name of a hook: `beforeCreate`, `afterSave`, `afterInit`… (see CALLBACKS for their order). */
export type HookName = (typeof CALLBACKS)[Operation][keyof (typeof CALLBACKS)[Operation]][number];

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

/** True when the class with this prototype defines a hook `operation` runs `when`. */
export function hasHooks(prototype: object, operation: Operation, when: 'before' | 'after'): boolean {
  return CALLBACKS[operation][when].some((name) => hasHook(prototype, name));
}

/**
 * Runs the before-hooks of `operation` that `obj` defines, in order, until one cancels; true when none did. Without
 * such hooks it answers at once (no promise): most classes define none, and each await costs.
 */
export function runBefore(obj: object, operation: Operation): true | Promise<boolean> {
  const prototype = Object.getPrototypeOf(obj) as object;
  if (!hasHooks(prototype, operation, 'before')) return true;
  return (async () => {
    for (const name of CALLBACKS[operation].before) if (!(await runHook(obj, name))) return false;
    return true;
  })();
}

/** Runs the after-hooks of `operation` that `obj` defines, in order; nothing to wait for when there are none. */
export function runAfter(obj: object, operation: Operation): Promise<void> | undefined {
  const prototype = Object.getPrototypeOf(obj) as object;
  if (!hasHooks(prototype, operation, 'after')) return undefined;
  return (async () => {
    for (const name of CALLBACKS[operation].after) await runHook(obj, name);
  })();
}
