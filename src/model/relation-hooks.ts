import { TwistarError } from '../errors.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import type { RelatedModel } from './relation-declarations.js';
import type { Refinement } from '../query/query-state.js';

/**
 * What the model layer asks of relationships, which sit a layer above it (they load model objects): defining a
 * class's relation accessors, and eager loading for `include`. relationships/model-hooks.ts provides them when
 * Twistar loads, as the schema tools provide `Registry.verify()`.
 */
export interface RelationHooks {
  /** Defines `obj.<relation>` on the class's prototype, once per class (relationships/accessors.ts). */
  install(model: RelatedModel): void;
  /** Refuses an `include` path that names no relation, before any query (relationships/eager-loading.ts). */
  checkInclude(model: RelatedModel, paths: readonly string[]): void;
  /** Loads the relations of `paths` for every object, one query per relation and level. */
  preload(
    objects: readonly object[],
    paths: readonly string[],
    config: InteractionBase,
    batch?: boolean,
    refinements?: ReadonlyMap<string, Refinement>,
  ): Promise<void>;
}

let hooks: RelationHooks | undefined;

/** Called once by relationships/model-hooks.ts when it loads. */
export function provideRelationHooks(provided: RelationHooks): void {
  hooks = provided;
}

/** The relationship hooks; a TwistarError when the relationships were not loaded (Twistar imported in part). */
export function relationHooks(): RelationHooks {
  if (hooks === undefined)
    throw new TwistarError("Relationships need Twistar's entry point: import from 'twistar'.");
  return hooks;
}
