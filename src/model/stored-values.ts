import type { Dialect } from '../dialects/dialect.js';
import { decimalParts, decimalText } from '../sql/decimals.js';
import { timeOf } from '../sql/values.js';
import { setOwnProperty } from '../own-property.js';
import { columnValue } from '../options.js';
import { markSaved } from './attributes.js';
import type { ModelSchema } from './model-schema.js';
import type { ModelColumn } from './model-casts.js';
import type { ObjectState } from './object-state.js';
import type { STATE } from './object-state.js';

type WithState = { [STATE]: ObjectState };

/**
 * What `column` stores for `value`, as the database reads it back, or undefined where that is `value` itself:
 * a decimal as text with the column's places (`'1.5'` in NUMERIC(10,2) is `'1.50'`), a Date brought to the
 * seconds' fraction its column keeps (the database's own rounding or cut: see Dialect.storedTime); for a cast
 * column, its cast's canonical form (`decimal({ scale: 2 })` makes `'1.5'` `'1.50'`), if any.
 */
export function storedValue(column: ModelColumn, value: unknown, dialect: Dialect): unknown {
  if (column.cast !== undefined) return column.cast.canonical?.(value);
  if (column.kind === 'decimal' && column.scale !== undefined) {
    const parts = decimalParts(value);
    if (parts === undefined) return undefined;
    const text = decimalText(parts, column.scale);
    return text === value ? undefined : text;
  }
  if (
    column.kind === 'datetime' &&
    value instanceof Date &&
    column.fractionDigits !== undefined &&
    column.fractionDigits < 3 &&
    dialect.storedTime !== undefined
  ) {
    const time = timeOf(value);
    if (Number.isNaN(time)) return undefined;
    const stored = dialect.storedTime(time, column.fractionDigits);
    return stored === time ? undefined : new Date(stored);
  }
  return undefined;
}

/** Replaces, in the values about to be sent, each by what its column will store (so every server stores it). */
export function sendStored(schema: ModelSchema, values: Record<string, unknown>, dialect: Dialect): void {
  for (const name of Object.keys(values)) {
    const column = schema.byName.get(name);
    if (!storesOtherForm(column)) continue;
    const stored = storedValue(column, values[name], dialect);
    if (stored !== undefined) setOwnProperty(values, name, stored);
  }
}

/** True when a column may store another form of the value sent (see storedValue). */
function storesOtherForm(column: ModelColumn | undefined): column is ModelColumn {
  if (column === undefined) return false;
  if (column.cast !== undefined) return column.cast.canonical !== undefined;
  return column.kind === 'decimal' || column.kind === 'datetime';
}

function equal(a: unknown, b: unknown): boolean {
  return a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : Object.is(a, b);
}

/**
 * After a write of `sent` (see sendStored) succeeded: the object takes what the database stored where it gave
 * another form of the same value (`'1.5'` becomes `'1.50'`, 10:00:00.123 becomes 10:00:00), so that it equals
 * the row as read back and finds it. A value changed while the statement was on its way is left alone.
 */
export function holdStored(
  obj: WithState,
  schema: ModelSchema,
  sent: Readonly<Record<string, unknown>>,
  dialect: Dialect,
): void {
  const taken: string[] = [];
  for (const name of Object.keys(sent)) {
    const column = schema.byName.get(name);
    if (!storesOtherForm(column)) continue;
    const current = columnValue(obj, name);
    const stored = storedValue(column, current, dialect);
    if (stored === undefined || !equal(stored, sent[name])) continue;
    setOwnProperty(obj as unknown as Record<string, unknown>, name, stored);
    taken.push(name);
  }
  if (taken.length > 0) markSaved(obj, taken);
}
