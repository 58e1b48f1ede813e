import type { DialectSession } from '../driver.js';
import { detectMysqlServer } from './mysql-server.js';
import type { ColumnSchema, PortableKind, TableSchema } from '../table-schema.js';
import { foreignKeyFromRows, groupBy, indexFromRows, text } from '../catalogue-rows.js';
import { mysqlType } from './mysql-catalogue.js';

const COLUMNS = `SELECT c.table_name AS table_name, c.column_name AS name, c.column_type AS type,
       c.is_nullable AS nullable, c.column_default AS default_value, c.extra AS extra
  FROM information_schema.columns c
  JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
 WHERE c.table_schema = DATABASE() AND t.table_type = 'BASE TABLE'
 ORDER BY c.table_name, c.ordinal_position`;

// MariaDB's JSON is LONGTEXT with a json_valid() CHECK constraint (MySQL reports json itself). Check names are
// unique per table only, so the checks are read with their table, and matched to columns here, exactly.
const MARIADB_CHECKS = `SELECT cc.table_name AS table_name, cc.check_clause AS check_clause
  FROM information_schema.check_constraints cc
 WHERE cc.constraint_schema = DATABASE()`;

// A table of another database is named database.table, so that it never passes for a table of this one.
const KEYS = `SELECT k.table_name AS table_name, k.constraint_name AS name, k.column_name AS column_name,
       CASE WHEN k.referenced_table_schema = k.table_schema THEN k.referenced_table_name
            ELSE CONCAT(k.referenced_table_schema, '.', k.referenced_table_name) END AS referenced_table,
       k.referenced_column_name AS referenced_column, r.delete_rule AS on_delete, r.update_rule AS on_update
  FROM information_schema.key_column_usage k
  LEFT JOIN information_schema.referential_constraints r
    ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name
   AND r.table_name = k.table_name
 WHERE k.table_schema = DATABASE() AND (k.constraint_name = ? OR k.referenced_table_name IS NOT NULL)
 ORDER BY k.table_name, k.constraint_name, k.ordinal_position`;

const INDEXES = `SELECT s.table_name AS table_name, s.index_name AS name, s.non_unique AS non_unique,
       s.column_name AS column_name
  FROM information_schema.statistics s
 WHERE s.table_schema = DATABASE() AND s.index_name <> ?
 ORDER BY s.table_name, s.index_name, s.seq_in_index`;

const UNQUOTED: ReadonlySet<PortableKind> = new Set(['integer', 'bigint', 'decimal', 'float', 'boolean']);

/**
 * The default as SQL. MariaDB reports it so already (`'active'`, `NULL` for a null default); MySQL reports a
 * literal's bare value and marks expressions DEFAULT_GENERATED.
 */
export function mysqlDefault(
  value: unknown,
  extra: string,
  kind: PortableKind,
  mariadb: boolean,
): string | null {
  if (value == null) return null;
  const literal = String(value);
  if (mariadb) return literal === 'NULL' ? null : literal;
  if (/DEFAULT_GENERATED/i.test(extra) || UNQUOTED.has(kind)) return literal;
  return `'${literal.replaceAll("'", "''")}'`;
}

/** The tables of the current MySQL/MariaDB database (`DATABASE()`), from information_schema. */
export async function introspectMysql(pool: DialectSession): Promise<TableSchema[]> {
  const mariadb = (await detectMysqlServer(pool)) === 'mariadb';
  const columnRows = await pool.runQuery(COLUMNS);
  const checks = groupBy(mariadb ? await pool.runQuery(MARIADB_CHECKS) : [], (row) => text(row.table_name));
  const keys = groupBy(await pool.runQuery(KEYS, ['PRIMARY']), (row) => text(row.table_name));
  const indexes = groupBy(await pool.runQuery(INDEXES, ['PRIMARY']), (row) => text(row.table_name));
  return [...groupBy(columnRows, (row) => text(row.table_name))].map(([table, rows]) => {
    const own = groupBy(keys.get(table) ?? [], (row) => text(row.name));
    const primaryKey = (own.get('PRIMARY') ?? []).map((part) => text(part.column_name));
    own.delete('PRIMARY');
    const clauses = (checks.get(table) ?? []).map((row) => text(row.check_clause));
    const columns = rows.map((row): ColumnSchema => {
      const name = text(row.name);
      const type = text(row.type);
      // As MariaDB writes the column in the clause (not quoteIdentifier, which splits a dotted name).
      const validated = `json_valid(\`${name.replaceAll('`', '``')}\`)`;
      const portable = clauses.some((clause) => clause.includes(validated))
        ? { kind: 'json' as const }
        : mysqlType(type.toLowerCase());
      const extra = text(row.extra ?? '');
      return {
        name,
        type,
        ...portable,
        nullable: row.nullable === 'YES',
        default: mysqlDefault(row.default_value, extra, portable.kind, mariadb),
        primaryKey: primaryKey.includes(name),
        autoIncrement: /auto_increment/i.test(extra),
      };
    });
    return {
      name: table,
      columns,
      primaryKey,
      foreignKeys: [...own].map(([name, parts]) => foreignKeyFromRows(name, parts)),
      indexes: [...groupBy(indexes.get(table) ?? [], (row) => text(row.name))]
        // A functional index (MySQL 8) has no column name.
        .filter(([, parts]) => parts.every((part) => part.column_name != null))
        .map(([name, parts]) =>
          indexFromRows(name, parts, { unique: Number(parts[0]?.non_unique) === 0, partial: false }),
        ),
    };
  });
}
