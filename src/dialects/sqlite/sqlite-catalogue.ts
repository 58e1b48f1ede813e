import type { ColumnInfo, ColumnKind, ConstraintCatalogue } from '../dialect.js';
import { splitTableName } from '../dialect-kit.js';
import { decimalType, sizedType } from '../catalogue-rows.js';
import type { CatalogueQuery } from '../driver.js';
import type { PortableType } from '../table-schema.js';

/** SQLite keeps a declared type as text; its affinity rules decide storage, ours decide conversion. */
export function sqliteKind(declared: string): ColumnKind {
  const type = declared.toUpperCase();
  if (decimalOf(declared) !== undefined) return 'decimal';
  if (type.includes('BOOL')) return 'boolean';
  if (type.includes('DATETIME') || type.includes('TIMESTAMP')) return 'datetime';
  if (type === 'DATE') return 'date';
  if (type.includes('INT')) return 'integer';
  if (type.includes('JSON')) return 'json';
  // SQLite's TEXT affinity.
  if (type.includes('CHAR') || type.includes('CLOB') || type.includes('TEXT')) return 'text';
  return 'other';
}

/**
 * The n of a declared `VARCHAR(n)`, `CHARACTER(n)`, `NCHAR(n)`, `VARYING CHARACTER(n)`…: SQLite ignores it,
 * Twistar's save() enforces it as the servers do.
 */
function maxLengthOf(declared: string): number | undefined {
  const n = /CHAR[A-Z ]*\(\s*(\d+)\s*\)/i.exec(declared)?.[1];
  return n === undefined ? undefined : Number(n);
}

/**
 * The precision and scale of a declared `NUMERIC(p,s)` / `DECIMAL(p,s)`: SQLite stores any number (or text) in
 * it, Twistar's save() enforces them and reads the values back as the servers give them (text, `s` places).
 * A plain `NUMERIC` without digits is not read as a decimal: SQLite tools use it for dates and booleans too.
 */
function decimalOf(declared: string): { precision: number; scale: number; exactDigits?: number } | undefined {
  const match = /^\s*(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)\s*$/i.exec(declared);
  if (match === null) return undefined;
  const [precision, scale] = [Number(match[1]), Number(match[2] ?? 0)];
  // NUMERIC affinity stores a number of more digits as a double: exact to 15 significant digits.
  return precision > DOUBLE_DIGITS ? { precision, scale, exactDigits: DOUBLE_DIGITS } : { precision, scale };
}

/** The significant decimal digits a 64-bit float keeps exactly. */
const DOUBLE_DIGITS = 15;

// A null schema looks in every attached database, main first, as an unqualified name does.
/** The statement that lists a table's columns (a `schema.table` in that attached database). */
export function sqliteColumnsQuery(table: string): CatalogueQuery {
  const [schema, name] = splitTableName(table);
  return ['SELECT name, type, "notnull", pk FROM pragma_table_info(?, ?)', [name, schema]];
}

/** Columns from the rows of sqliteColumnsQuery. */
export function sqliteColumns(rows: readonly Record<string, unknown>[]): ColumnInfo[] {
  return rows.map((row) => ({
    name: String(row.name),
    type: String(row.type).toLowerCase(),
    kind: sqliteKind(String(row.type)),
    nullable: Number(row.notnull) === 0,
    primaryKey: Number(row.pk) > 0,
    maxLength: maxLengthOf(String(row.type)),
    ...decimalOf(String(row.type)),
  }));
}

/**
 * SQLite keeps a declared type as written and gives it an affinity by substrings; the portable kind follows the
 * same spirit, with the names the other databases use recognised first.
 */
export function sqliteType(declared: string): PortableType {
  const type = declared.trim().toUpperCase();
  if (type.includes('BOOL')) return { kind: 'boolean' };
  if (type.includes('DATETIME') || type.includes('TIMESTAMP')) return { kind: 'datetime' };
  if (type === 'DATE') return { kind: 'date' };
  if (type === 'UUID') return { kind: 'uuid' };
  if (type.includes('JSON')) return { kind: 'json' };
  if (type.includes('BIGINT') || type === 'INT8' || type === 'UNSIGNED BIG INT') return { kind: 'bigint' };
  if (type.includes('INT')) return { kind: 'integer' };
  const chars = /CHAR[A-Z ]*(?:\(\s*(\d+)\s*\))?/.exec(type);
  if (chars) return sizedType('string', chars[1]);
  if (type.includes('CLOB') || type.includes('TEXT')) return { kind: 'text' };
  if (type.includes('BLOB')) return { kind: 'binary' };
  if (type.includes('REAL') || type.includes('FLOA') || type.includes('DOUB')) return { kind: 'float' };
  const numeric = /^(?:DECIMAL|NUMERIC)(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/.exec(type);
  if (numeric) return decimalType(numeric[1], numeric[2]);
  return { kind: 'other' };
}

/** The catalogue reads that name a violation's columns: SQLite's foreign-key refusal names none. */
/**
 * The unique keys an upsert's ON CONFLICT can name: unique indexes that are not partial, the primary key's included
 * unless it is the rowid (an INTEGER PRIMARY KEY has no index; the columns' own flags name it).
 */
export function sqliteUniqueKeys(table: string): CatalogueQuery {
  const [schema, name] = splitTableName(table);
  return [
    'SELECT il.name AS index_name, ii.name AS column_name FROM pragma_index_list(?, ?) il, ' +
      'pragma_index_info(il.name, ?) ii WHERE il."unique" = 1 AND il.partial = 0 ORDER BY il.name, ii.seqno',
    [name, schema ?? 'main', schema ?? 'main'],
  ];
}

export const sqliteConstraintCatalogue: ConstraintCatalogue = {
  foreignKeys: (table) => {
    const [schema, name] = splitTableName(table);
    return [
      'SELECT id, "from" AS column_name FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq',
      [name, schema ?? 'main'],
    ];
  },
};
