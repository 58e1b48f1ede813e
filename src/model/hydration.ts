import type { Row } from '../connection/driver.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import { Registry } from '../registry.js';
import { readRow } from './attributes.js';
import { hasHook, runHook } from './lifecycle.js';
import { knownModelSchema, modelSchema, type ModelDefinition } from './model-schema.js';
import { STATE, type ObjectState } from './object-state.js';

/** A model class that objects can be built from. */
export interface Loadable<M> extends ModelDefinition {
  new (): M;
}

/** A model object, as far as loading is concerned. */
export type Loaded = { [STATE]: ObjectState };

/**
 * Model objects from rows, with afterInit run on each. Unless `batch` is false, objects loaded together
 * know each other (see Registry.AUTO_BATCH).
 */
export async function fromRows<M extends Loaded>(
  model: Loadable<M>,
  rows: readonly Row[],
  config: InteractionBase,
  batch: boolean = Registry.AUTO_BATCH,
): Promise<M[]> {
  if (rows.length === 0) return [];
  const schema = knownModelSchema(config, model) ?? (await modelSchema(config, model));
  const objects = rows.map((row) => {
    const obj = new model();
    readRow(obj, row, schema);
    return obj;
  });
  if (batch && objects.length > 1) makeSiblings(objects);
  if (hasHook(model.prototype, 'afterInit'))
    await Promise.all(objects.map((obj) => runHook(obj, 'afterInit')));
  return objects;
}

/** Lets each of `objects` load a relation for all of them at once. */
export function makeSiblings(objects: readonly Loaded[]): void {
  for (const obj of objects) obj[STATE].siblings = objects;
}
