import type { Dialect } from '../dialects/dialect.js';
import { setOwnProperty } from '../own-property.js';
import { writeValue } from './attributes.js';
import type { ModelSchema } from './model-schema.js';
import { sendStored } from './stored-values.js';

/**
 * The columns a soft delete (`deletedAt` a time) or a restore (`deletedAt` null) sets: the SOFT_DELETE column,
 * and `updated_at` at `now` where the model keeps timestamps. Times are the client's (a Date, as `updated_at`
 * is written on save), each brought to what its column stores.
 */
export function softDeleteValues(
  schema: ModelSchema,
  column: string,
  deletedAt: Date | null,
  now: Date,
  dialect: Dialect,
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const info = schema.byName.get(column);
  setOwnProperty(
    values,
    column,
    deletedAt === null || info === undefined ? null : writeValue(info, deletedAt),
  );
  const updated = schema.updatedAt && column !== 'updated_at' ? schema.byName.get('updated_at') : undefined;
  if (updated !== undefined) values.updated_at = writeValue(updated, now);
  sendStored(schema, values, dialect);
  return values;
}
