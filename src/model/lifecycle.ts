import { runAsHookOf } from '../connection/context.js';
import { TwistarError } from '../errors.js';
import { addListener, listenersOf, observed, type StoredListener } from './model-events.js';

/**
 * The hooks of each operation, in the order they run (Rails' CALLBACKS): the before-hooks, then the statement,
 * then the after-hooks. Saving validates first (a new object is a `create`, a loaded one an `update`, whose
 * UPDATE is sent only if a column changed); objects built from query results run `load`'s; an upsert runs
 * `beforeSave`, then create's or update's after-hooks by what the database did. A before-hook that
 * returns (or resolves to) `false` cancels the rest. Each after-hook but afterInit is also a model event: the
 * class's listeners (`User.on(…)`) run right after the object's own hook of that name.
 *
 * `commit` and `rollback` run once the outermost transaction of a write has committed or rolled back (outside
 * a transaction the write commits at once: after its after-hooks), once per object written in it, whatever
 * the number of writes; a write undone by a savepoint that rolled back counts as rolled back. This table is
 * the one place the order is decided.
 */
export const CALLBACKS = {
  create: { before: ['beforeCreate', 'beforeSave'], after: ['afterCreate', 'afterSave'] },
  update: { before: ['beforeUpdate', 'beforeSave'], after: ['afterUpdate', 'afterSave'] },
  delete: { before: ['beforeDelete'], after: ['afterDelete'] },
  // Whether it inserts or updates is known only once it ran: its after-hooks are then create's or update's.
  upsert: { before: ['beforeSave'], after: [] },
  restore: { before: ['beforeRestore'], after: ['afterRestore'] },
  load: { before: [], after: ['afterInit'] },
  commit: { before: [], after: ['afterCommit'] },
  rollback: { before: [], after: ['afterRollback'] },
} as const;

/** A write: what afterCommit and afterRollback are told the object went through. */
export type WriteOperation = 'create' | 'update' | 'delete';

/** What a model class can be observed for: the after-hooks of writes and of their transaction's outcome. */
export type ModelEvent = (typeof CALLBACKS)[WriteOperation | 'commit' | 'rollback']['after'][number];

const MODEL_EVENTS: readonly string[] = (
  ['create', 'update', 'delete', 'commit', 'rollback'] as const
).flatMap((operation) => CALLBACKS[operation].after);

/** What a listener of `E` receives: the object, and for afterCommit/afterRollback what was written. */
export type ModelEventArguments<M, E extends ModelEvent> = E extends 'afterCommit' | 'afterRollback'
  ? [record: M, operation: WriteOperation]
  : [record: M];

/** A listener of model event `E` for objects of type `M`; what it returns (or resolves to) is ignored. */
export type ModelListener<M, E extends ModelEvent> = (...args: ModelEventArguments<M, E>) => unknown;

/** An operation that runs hooks. */
export type Operation = keyof typeof CALLBACKS;

/** The name of a hook: `beforeCreate`, `afterSave`, `afterInit`… (see CALLBACKS for their order). */
export type HookName = (typeof CALLBACKS)[Operation][keyof (typeof CALLBACKS)[Operation]][number];

/** What a hook returns: `false` from a before-hook cancels the operation. */
// A hook with no return statement returns void, so void belongs in the union.
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type
export type HookResult = boolean | void | Promise<boolean | void>;

/** Runs `name` on `obj` if it defines it (with `args`); false when the hook cancelled. */
export async function runHook(obj: object, name: HookName, ...args: unknown[]): Promise<boolean> {
  const hook = (obj as Partial<Record<HookName, (...args: unknown[]) => HookResult>>)[name];
  if (typeof hook !== 'function') return true;
  // Marked as the object's hook, so that a save() it starts on the object runs at once instead of waiting
  // for the save or delete that runs the hook (see persistence's inTurn).
  return (await runAsHookOf(obj, () => hook.call(obj, ...args))) !== false;
}

/**
 * What `name` runs on `obj`, in order: its own hook, then the listeners of that event its class and parent
 * classes have (marked as the object's hooks too).
 */
function callsOf(obj: object, name: HookName, args: readonly unknown[]): (() => unknown)[] {
  const listeners = listenersOf(Object.getPrototypeOf(obj) as object, name);
  return [
    () => runHook(obj, name, ...args),
    ...listeners.map((listener) => () => {
      const call = listener as (obj: object, ...args: readonly unknown[]) => unknown;
      return runAsHookOf(obj, () => call(obj, ...args));
    }),
  ];
}

/**
 * Registers `listener` for `event` on `model` (its objects and its subclasses'); the function returned
 * removes it.
 */
export function addModelListener(
  model: { readonly prototype: object; readonly name: string },
  event: string,
  listener: unknown,
): () => void {
  if (!MODEL_EVENTS.includes(event))
    throw new TwistarError(
      `${model.name}.on(${JSON.stringify(event)}, …): there is no such event; the events are ${MODEL_EVENTS.join(', ')}.`,
    );
  if (typeof listener !== 'function')
    throw new TwistarError(`${model.name}.on('${event}', listener): the listener must be a function.`);
  return addListener(model.prototype, event, listener as StoredListener);
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

/**
 * Runs the after-hooks of `operation` that `obj` defines and their listeners, in order; nothing to wait for
 * when there are none.
 */
export function runAfter(obj: object, operation: Operation): Promise<void> | undefined {
  const prototype = Object.getPrototypeOf(obj) as object;
  const names = CALLBACKS[operation].after;
  if (!hasHooks(prototype, operation, 'after') && !observed(prototype, names)) return undefined;
  return (async () => {
    for (const name of names) for (const call of callsOf(obj, name, [])) await call();
  })();
}

/** True when `obj` has an afterCommit or afterRollback hook or listener: its writes must be followed. */
export function followsOutcome(obj: object): boolean {
  const prototype = Object.getPrototypeOf(obj) as object;
  return (
    hasHooks(prototype, 'commit', 'after') ||
    hasHooks(prototype, 'rollback', 'after') ||
    observed(prototype, OUTCOME_EVENTS)
  );
}

const OUTCOME_EVENTS = [...CALLBACKS.commit.after, ...CALLBACKS.rollback.after];

/**
 * Runs the hooks and listeners of a transaction's outcome (`commit` or `rollback`) on `obj`, told `operation`:
 * every one, even after one threw; resolves to what they threw.
 */
export async function runOutcome(
  obj: object,
  outcome: 'commit' | 'rollback',
  operation: WriteOperation,
): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (const name of CALLBACKS[outcome].after) {
    for (const call of callsOf(obj, name, [operation])) {
      try {
        await call();
      } catch (error) {
        errors.push(error);
      }
    }
  }
  return errors;
}
