import type { Row } from '../dialects/driver.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import { Registry } from '../registry.js';
import { readRow } from './attributes.js';
import { hasHooks, runAfter } from './lifecycle.js';
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
  makeSiblings(objects, batch);
  if (hasHooks(model.prototype, 'load', 'after'))
    await Promise.all(objects.map((obj) => runAfter(obj, 'load')));
  return objects;
}

/**
 * With `batch`, lets each of `objects` load a relation for all of them at once, and the objects those loads
 * find do the same; without, neither.
 */
export function makeSiblings(objects: readonly Loaded[], batch: boolean): void {
  for (const obj of objects) {
    const state = obj[STATE];
    state.batch = batch;
    state.siblings = batch && objects.length > 1 ? objects : null;
  }
}
