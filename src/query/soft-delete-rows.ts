import { SoftDeleteError } from '../errors.js';
import { SQL_NAME } from '../sql/fragments.js';
import { ne } from '../sql/operators.js';
import type { ModelSchema } from '../model/model-schema.js';
import type { DeletedRows, QueryModel, Term } from './query-state.js';

/*
 * Soft deletes in the query layer: the condition on a model's SOFT_DELETE column that every query, finder,
 * relation and eager load adds (the live rows unless told otherwise), the way DEFAULT_SCOPE rides along.
 */

/** The SOFT_DELETE column of `model`, or null for a model that deletes its rows; SoftDeleteError for a bad one. */
export function softDeleteColumn(model: QueryModel): string | null {
  const column = model.SOFT_DELETE;
  if (column === undefined || column === null) return null;
  if (typeof column !== 'string' || !SQL_NAME.test(column)) {
    throw new SoftDeleteError(
      `${model.name}.SOFT_DELETE must be the name of a nullable date-time column (such as 'deleted_at'), got ` +
        `${typeof column === 'string' ? JSON.stringify(column) : typeof column}.`,
    );
  }
  return column;
}

/** The SOFT_DELETE column of `model`, refusing a model without one: `what` names the call. */
export function requiredSoftDeleteColumn(model: QueryModel, what: string): string {
  const column = softDeleteColumn(model);
  if (column === null) {
    throw new SoftDeleteError(
      `${what}: ${model.name} has no soft deletes; declare static SOFT_DELETE = 'deleted_at' (a nullable ` +
        'date-time column) on it to use them.',
    );
  }
  return column;
}

/** Refuses, when the columns of the model are known, a SOFT_DELETE that names none of them. */
export function checkSoftDeleteColumn(
  model: QueryModel,
  column: string,
  schema: ModelSchema | undefined,
): void {
  if (schema === undefined || schema.byName.has(column)) return;
  throw new SoftDeleteError(
    `${model.name}.SOFT_DELETE is "${column}", which table "${schema.table}" does not have (it has ` +
      `${schema.columns.map((c) => c.name).join(', ')}). Add the column (t.softDeletes() in a migration) or ` +
      'correct SOFT_DELETE.',
  );
}

/** The condition that keeps the rows `deleted` asks for, or null for every row (or a model without soft deletes). */
export function softDeleteTerm(model: QueryModel, deleted: DeletedRows): Term | null {
  if (deleted === 'with') return null;
  const column = softDeleteColumn(model);
  if (column === null) return null;
  return { kind: 'columns', values: { [column]: deleted === 'only' ? ne(null) : null } };
}
