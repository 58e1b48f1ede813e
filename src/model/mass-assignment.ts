import { MassAssignmentError, TwistarError } from '../errors.js';

/*
 * Mass assignment: the columns a plain object (a request's body, say) may set through a constructor, `create`,
 * `build`, `createMany`, `findOrCreate` or a query's `updateAll`. A model's `static GUARDED` lists the columns it
 * may not set, or `static FILLABLE` the only ones it may; assigning the property in code is never refused.
 */

/** A model class as mass assignment sees it. */
export interface Guarded {
  readonly name: string;
  readonly GUARDED?: readonly string[];
  readonly FILLABLE?: readonly string[] | undefined;
}

/** Refuses, naming them, the keys of `values` that `model` does not let a plain object set. */
export function checkMassAssignment(model: Guarded, values: object, what: string): void {
  const { GUARDED: guarded = [], FILLABLE: fillable } = model;
  if (guarded.length === 0 && fillable === undefined) return;
  if (guarded.length > 0 && fillable !== undefined) {
    throw new TwistarError(`${model.name} sets both GUARDED and FILLABLE; keep one of them.`);
  }
  const refused = Object.keys(values).filter((key) =>
    fillable === undefined ? guarded.includes(key) : !fillable.includes(key),
  );
  if (refused.length > 0) {
    throw new MassAssignmentError(
      `${what} may not set ${refused.map((key) => `"${key}"`).join(', ')} from an object: ${model.name} ` +
        (fillable === undefined
          ? 'guards them (static GUARDED)'
          : `lets an object set only ${fillable.join(', ')} (static FILLABLE)`) +
        '. Assign the property in code to set it on purpose.',
      refused,
    );
  }
}
