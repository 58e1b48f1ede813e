import type { Row } from './driver.js';
import type {
  ForeignKeySchema,
  IndexSchema,
  PortableKind,
  PortableType,
  ReferentialAction,
} from './table-schema.js';

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

/** A character type: `kind` with its length, or unbounded text when it has none. */
export const sizedType = (kind: PortableKind, length: string | undefined): PortableType =>
  length === undefined ? { kind: 'text' } : { kind, length: Number(length) };

/** A decimal type, with its precision and scale where declared. */
export function decimalType(precision: string | undefined, scale: string | undefined): PortableType {
  if (precision === undefined) return { kind: 'decimal' };
  return { kind: 'decimal', precision: Number(precision), scale: Number(scale ?? 0) };
}

const ACTIONS: Record<string, ReferentialAction> = {
  // PostgreSQL's pg_constraint codes, then the words the others use.
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
  'no action': 'no action',
  restrict: 'restrict',
  cascade: 'cascade',
  'set null': 'set null',
  'set default': 'set default',
};

/** A foreign key's ON DELETE / ON UPDATE rule as a catalogue spells it; 'no action' when unknown. */
export function referentialAction(text: unknown): ReferentialAction {
  return ACTIONS[String(text ?? '').toLowerCase()] ?? 'no action';
}
