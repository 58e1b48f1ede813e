import type { ColumnInfo, ColumnKind, ConstraintCatalogue } from '../dialect.js';
import { splitTableName } from '../dialect-kit.js';
import { decimalType, sizedType } from '../catalogue-rows.js';
import type { CatalogueQuery } from '../driver.js';
import type { PortableType } from '../table-schema.js';

/** The kind of a column from its `column_type`. */
export function mysqlKind(columnType: string): ColumnKind {
  // MySQL's BOOLEAN is an alias of TINYINT(1).
  if (columnType === 'tinyint(1)' || columnType === 'boolean') return 'boolean';
  if (columnType === 'date') return 'date';
  if (columnType.startsWith('datetime') || columnType.startsWith('timestamp')) return 'datetime';
  if (/^(tiny|small|medium|big)?int\b/.test(columnType)) return 'integer';
  if (/^(?:decimal|numeric)\b/.test(columnType)) return 'decimal';
  if (columnType === 'json') return 'json';
  if (/^(?:var)?char\(|^(?:tiny|medium|long)?text$/.test(columnType)) return 'text';
  return 'other';
}

/** The n of `char(n)` / `varchar(n)`, in characters (not bytes). */
function maxLengthOf(columnType: string): number | undefined {
  const n = /^(?:var)?char\((\d+)\)/.exec(columnType)?.[1];
  return n === undefined ? undefined : Number(n);
}

/** The statement that lists a table's columns (in its database, or the connection's). */
export function mysqlColumnsQuery(table: string): CatalogueQuery {
  return [
    // MariaDB's JSON is LONGTEXT with a json_valid() CHECK constraint; MySQL reports json itself. The column is
    // found in the clause as text (LOCATE: a LIKE pattern would take a `_` in its name for any character).
    `SELECT c.column_name AS name, c.column_type AS type, c.is_nullable AS nullable, c.column_key AS pk,
            c.numeric_precision AS num_precision, c.numeric_scale AS num_scale,
            c.datetime_precision AS fraction_digits, c.character_set_name AS charset,
            EXISTS (SELECT 1 FROM information_schema.table_constraints tc
                      JOIN information_schema.check_constraints cc
                        ON cc.constraint_schema = tc.constraint_schema AND cc.constraint_name = tc.constraint_name
                     WHERE tc.table_schema = c.table_schema AND tc.table_name = c.table_name
                       AND tc.constraint_type = 'CHECK'
                       AND LOCATE(CONCAT('json_valid(\`', REPLACE(c.column_name, '\`', '\`\`'), '\`)'),
                                  cc.check_clause) > 0) AS is_json
       FROM information_schema.columns c
      WHERE c.table_schema = COALESCE(?, DATABASE()) AND c.table_name = ?
      ORDER BY c.ordinal_position`,
    splitTableName(table),
  ];
}

/** Columns from the rows of mysqlColumnsQuery. */
export function mysqlColumns(rows: readonly Record<string, unknown>[]): ColumnInfo[] {
  return rows.map((row) => {
    const type = String(row.type).toLowerCase();
    const kind = Number(row.is_json) === 1 ? 'json' : mysqlKind(type);
    return {
      name: String(row.name),
      type,
      kind,
      nullable: row.nullable === 'YES',
      primaryKey: row.pk === 'PRI',
      maxLength: maxLengthOf(type),
      ...(kind === 'decimal' && row.num_precision != null
        ? { precision: Number(row.num_precision), scale: Number(row.num_scale ?? 0) }
        : {}),
      ...(kind === 'datetime' && row.fraction_digits != null
        ? { fractionDigits: Number(row.fraction_digits) }
        : {}),
      ...(row.charset != null ? { charset: String(row.charset).toLowerCase() } : {}),
    };
  });
}

/** MySQL and MariaDB, from `column_type`: `int(11)`, `int(10) unsigned`, `varchar(255)`, `decimal(10,2)`. */
export function mysqlType(type: string): PortableType {
  if (type === 'tinyint(1)' || type === 'boolean') return { kind: 'boolean' };
  const int = /^(tiny|small|medium|big)?int\b(?:\(\d+\))?( unsigned)?/.exec(type);
  // An unsigned INT holds values up to 2^32 - 1, past a 32-bit integer: only a bigint holds them all.
  if (int) return { kind: int[1] === 'big' || (int[1] === undefined && int[2]) ? 'bigint' : 'integer' };
  const chars = /^(?:var)?char\((\d+)\)/.exec(type);
  if (chars) return sizedType('string', chars[1]);
  if (/^(?:tiny|medium|long)?text\b/.test(type)) return { kind: 'text' };
  if (type === 'date') return { kind: 'date' };
  if (type.startsWith('datetime') || type.startsWith('timestamp')) return { kind: 'datetime' };
  const numeric = /^(?:decimal|numeric)(?:\((\d+)(?:,(\d+))?\))?/.exec(type);
  if (numeric) return decimalType(numeric[1], numeric[2]);
  if (/^(?:float|double|real)\b/.test(type)) return { kind: 'float' };
  if (type === 'json') return { kind: 'json' };
  if (/^(?:(?:var)?binary\(\d+\)|(?:tiny|medium|long)?blob)$/.test(type)) return { kind: 'binary' };
  if (type === 'uuid') return { kind: 'uuid' };
  return { kind: 'other' };
}

/** The table's AUTO_INCREMENT column, if it has one. */
export function mysqlGeneratedKey(table: string): CatalogueQuery {
  return [
    'SELECT COLUMN_NAME AS column_name FROM information_schema.COLUMNS ' +
      "WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND EXTRA LIKE '%auto_increment%'",
    splitTableName(table),
  ];
}

/** The table's unique indexes (the primary key's too), one row per column in index order. */
export function mysqlUniqueIndexes(table: string): CatalogueQuery {
  return [
    'SELECT INDEX_NAME AS index_name, COLUMN_NAME AS column_name FROM information_schema.STATISTICS ' +
      'WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND NON_UNIQUE = 0 ' +
      'ORDER BY INDEX_NAME, SEQ_IN_INDEX',
    splitTableName(table),
  ];
}

/** The catalogue reads that name a violation's columns: the unique indexes a duplicate names, a CHECK's definition. */
export const mysqlConstraintCatalogue: ConstraintCatalogue = {
  uniqueIndexes: (table) => mysqlUniqueIndexes(table),
  // MySQL 8's CHECK_CONSTRAINTS has no TABLE_NAME (its check names are unique per database).
  checkDefinition: (name, table) => [
    'SELECT CHECK_CLAUSE AS definition FROM information_schema.CHECK_CONSTRAINTS ' +
      'WHERE CONSTRAINT_SCHEMA = COALESCE(?, DATABASE()) AND CONSTRAINT_NAME = ?',
    [splitTableName(table)[0], name],
  ],
};
