import type { ColumnInfo, ColumnKind, ConstraintCatalogue } from '../dialect.js';
import { splitTableName } from '../dialect-kit.js';
import { decimalType, sizedType } from '../catalogue-rows.js';
import type { CatalogueQuery } from '../driver.js';
import type { PortableType } from '../table-schema.js';

/** The kind of a column from its `information_schema` data type. */
export function postgresKind(dataType: string): ColumnKind {
  if (dataType === 'boolean') return 'boolean';
  if (dataType === 'date') return 'date';
  if (dataType.startsWith('timestamp')) return 'datetime';
  if (dataType === 'integer' || dataType === 'bigint' || dataType === 'smallint') return 'integer';
  if (dataType === 'numeric') return 'decimal';
  if (dataType === 'json' || dataType === 'jsonb') return 'json';
  if (dataType === 'text' || dataType === 'character varying' || dataType === 'character') return 'text';
  return 'other';
}

/** The statement that lists a table's columns (a schema-qualified table in its schema, else in the search path's). */
export function postgresColumnsQuery(table: string): CatalogueQuery {
  return [
    `SELECT c.column_name AS name, c.data_type AS type, c.is_nullable AS nullable,
            c.character_maximum_length AS max_length, c.numeric_precision AS num_precision,
            c.numeric_scale AS num_scale, c.datetime_precision AS fraction_digits,
            EXISTS (SELECT 1 FROM information_schema.table_constraints tc
                      JOIN information_schema.key_column_usage k
                        ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema
                     WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = c.table_schema
                       AND tc.table_name = c.table_name AND k.column_name = c.column_name) AS pk
       FROM information_schema.columns c
      WHERE c.table_schema = COALESCE(CAST(? AS text), current_schema()) AND c.table_name = ?
      ORDER BY c.ordinal_position`,
    splitTableName(table),
  ];
}

/** Columns from the rows of postgresColumnsQuery. */
export function postgresColumns(rows: readonly Record<string, unknown>[]): ColumnInfo[] {
  return rows.map((row) => {
    const kind = postgresKind(String(row.type).toLowerCase());
    return {
      name: String(row.name),
      type: String(row.type).toLowerCase(),
      kind,
      nullable: row.nullable === 'YES',
      primaryKey: row.pk === true,
      // Only for text: information_schema gives bit(n) and bit varying(n) a length too.
      maxLength:
        row.max_length != null && String(row.type).startsWith('character')
          ? Number(row.max_length)
          : undefined,
      // An unconstrained NUMERIC has no precision: it holds any decimal.
      ...(kind === 'decimal' && row.num_precision != null
        ? { precision: Number(row.num_precision), scale: Number(row.num_scale ?? 0) }
        : {}),
      ...(kind === 'datetime' && row.fraction_digits != null
        ? { fractionDigits: Number(row.fraction_digits) }
        : {}),
    };
  });
}

/** PostgreSQL, from `format_type()`: `character varying(255)`, `timestamp(3) without time zone`, `integer[]`. */
export function postgresType(type: string): PortableType {
  if (type.endsWith(']')) return { kind: 'other' };
  if (type === 'smallint' || type === 'integer') return { kind: 'integer' };
  if (type === 'bigint') return { kind: 'bigint' };
  const chars = /^(?:character varying|character|varchar|char)(?:\((\d+)\))?$/.exec(type);
  if (chars) return sizedType('string', chars[1]);
  if (type === 'text') return { kind: 'text' };
  if (type === 'boolean') return { kind: 'boolean' };
  if (type === 'date') return { kind: 'date' };
  if (type.startsWith('timestamp')) return { kind: 'datetime' };
  const numeric = /^(?:numeric|decimal)(?:\((\d+)(?:,\s*(\d+))?\))?$/.exec(type);
  if (numeric) return decimalType(numeric[1], numeric[2]);
  if (type === 'real' || type === 'double precision') return { kind: 'float' };
  if (type === 'json' || type === 'jsonb') return { kind: 'json' };
  if (type === 'bytea') return { kind: 'binary' };
  if (type === 'uuid') return { kind: 'uuid' };
  return { kind: 'other' };
}

/**
 * The unique keys an upsert's ON CONFLICT can name: unique indexes (the primary key's too) that are neither partial
 * nor deferrable, one row per key column; a schema-qualified table is looked for in its schema.
 */
export function postgresUniqueKeys(table: string): CatalogueQuery {
  const [schema, relation] = splitTableName(table);
  return [
    'SELECT ic.relname AS index_name, a.attname AS column_name FROM pg_index i ' +
      'JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace ' +
      'JOIN pg_class ic ON ic.oid = i.indexrelid ' +
      'CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) ' +
      'LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ' +
      'WHERE i.indisunique AND i.indimmediate AND i.indpred IS NULL AND k.ord <= i.indnkeyatts ' +
      'AND t.relname = ? AND COALESCE(n.nspname = CAST(? AS text), pg_table_is_visible(t.oid)) ' +
      'ORDER BY ic.relname, k.ord',
    [relation, schema],
  ];
}

/** The catalogue reads that name a violation's columns: a named CHECK's definition. */
export const postgresConstraintCatalogue: ConstraintCatalogue = {
  // A schema-qualified table (billing.invoices) is looked for in its schema, a plain one where the search path finds it.
  checkDefinition: (name, table) => {
    const [schema, relation] = splitTableName(table);
    return [
      'SELECT pg_get_constraintdef(c.oid) AS definition FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid ' +
        'JOIN pg_namespace n ON n.oid = t.relnamespace WHERE c.conname = ? AND t.relname = ? AND ' +
        'COALESCE(n.nspname = CAST(? AS text), pg_table_is_visible(t.oid))',
      [name, relation, schema],
    ];
  },
};
