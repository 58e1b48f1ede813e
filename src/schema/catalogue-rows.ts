import type { Row } from '../connection/driver.js';
import type { ForeignKeySchema, IndexSchema } from './database-schema.js';
import { referentialAction } from './portable-kind.js';

/** A catalogue value as text. */
export const text = (value: unknown): string => String(value);

/** Rows grouped by a key, groups and rows in the order first seen. */
export function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const name = key(row);
    const group = groups.get(name);
    if (group === undefined) groups.set(name, [row]);
    else group.push(row);
  }
  return groups;
}

/**
 * A foreign key from its catalogue rows, one per column in key order, each with `column_name`,
 * `referenced_table`, `referenced_column` (null when the key names no columns: SQLite's reference to the
 * primary key), `on_delete` and `on_update`.
 */
export function foreignKeyFromRows(name: string | null, parts: readonly Row[]): ForeignKeySchema {
  const first = parts[0] ?? {};
  return {
    name,
    columns: parts.map((part) => text(part.column_name)),
    referencedTable: text(first.referenced_table),
    referencedColumns: parts.some((part) => part.referenced_column == null)
      ? []
      : parts.map((part) => text(part.referenced_column)),
    onDelete: referentialAction(first.on_delete),
    onUpdate: referentialAction(first.on_update),
  };
}

/** An index from its catalogue rows, one per key column (`column_name`) in index order. */
export function indexFromRows(
  name: string,
  parts: readonly Row[],
  flags: { readonly unique: boolean; readonly partial: boolean },
): IndexSchema {
  return { name, columns: parts.map((part) => text(part.column_name)), ...flags };
}
