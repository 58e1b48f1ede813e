import type { ConnectionPool } from '../connection/connection-pool.js';
import type { Row } from '../connection/driver.js';
import type {
  ColumnSchema,
  ForeignKeySchema,
  IndexSchema,
  PortableKind,
  TableSchema,
} from './database-schema.js';
import { groupBy } from './group-by.js';
import { portableType, referentialAction } from './portable-kind.js';

// MariaDB's JSON is LONGTEXT with a json_valid() CHECK constraint; MySQL reports json itself.
const COLUMNS = `SELECT c.table_name AS table_name, c.column_name AS name, c.column_type AS type,
       c.is_nullable AS nullable, c.column_default AS default_value, c.extra AS extra,
       EXISTS (SELECT 1 FROM information_schema.table_constraints tc
                 JOIN information_schema.check_constraints cc
                   ON cc.constraint_schema = tc.constraint_schema AND cc.constraint_name = tc.constraint_name
                WHERE tc.table_schema = c.table_schema AND tc.table_name = c.table_name
                  AND tc.constraint_type = 'CHECK'
                  AND cc.check_clause LIKE CONCAT('%json_valid(\`', c.column_name, '\`)%')) AS is_json
  FROM information_schema.columns c
  JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
 WHERE c.table_schema = DATABASE() AND t.table_type = 'BASE TABLE'
 ORDER BY c.table_name, c.ordinal_position`;

const KEYS = `SELECT k.table_name AS table_name, k.constraint_name AS name, k.column_name AS column_name,
       k.referenced_table_name AS referenced_table, k.referenced_column_name AS referenced_column,
       r.delete_rule AS on_delete, r.update_rule AS on_update
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
  const text = String(value);
  if (mariadb) return text === 'NULL' ? null : text;
  if (/DEFAULT_GENERATED/i.test(extra) || UNQUOTED.has(kind)) return text;
  return `'${text.replaceAll("'", "''")}'`;
}

const text = (value: unknown): string => String(value);

/** The tables of the current MySQL/MariaDB database (`DATABASE()`), from information_schema. */
export async function introspectMysql(pool: ConnectionPool): Promise<TableSchema[]> {
  const [version] = await pool.runQuery('SELECT VERSION() AS version');
  const mariadb = /mariadb/i.test(String(version?.version));
  const columnRows = await pool.runQuery(COLUMNS);
  const keys = groupBy(await pool.runQuery(KEYS, ['PRIMARY']), (row) => text(row.table_name));
  const indexes = groupBy(await pool.runQuery(INDEXES, ['PRIMARY']), (row) => text(row.table_name));
  return [...groupBy(columnRows, (row) => text(row.table_name))].map(([table, rows]) => {
    const own = groupBy(keys.get(table) ?? [], (row) => text(row.name));
    const primaryKey = (own.get('PRIMARY') ?? []).map((part) => text(part.column_name));
    own.delete('PRIMARY');
    const columns = rows.map((row): ColumnSchema => {
      const type = text(row.type);
      const portable = Number(row.is_json) === 1 ? { kind: 'json' as const } : portableType('mysql', type);
      const extra = text(row.extra ?? '');
      return {
        name: text(row.name),
        type,
        ...portable,
        nullable: row.nullable === 'YES',
        default: mysqlDefault(row.default_value, extra, portable.kind, mariadb),
        primaryKey: primaryKey.includes(text(row.name)),
        autoIncrement: /auto_increment/i.test(extra),
      };
    });
    const foreignKeys = [...own].map(([name, parts]): ForeignKeySchema => {
      const first = parts[0] as Row;
      return {
        name,
        columns: parts.map((part) => text(part.column_name)),
        referencedTable: text(first.referenced_table),
        referencedColumns: parts.map((part) => text(part.referenced_column)),
        onDelete: referentialAction(first.on_delete),
        onUpdate: referentialAction(first.on_update),
      };
    });
    const tableIndexes = [...groupBy(indexes.get(table) ?? [], (row) => text(row.name))]
      // A functional index (MySQL 8) has no column name.
      .filter(([, parts]) => parts.every((part) => part.column_name != null))
      .map(([name, parts]): IndexSchema => ({
        name,
        columns: parts.map((part) => text(part.column_name)),
        unique: Number(parts[0]?.non_unique) === 0,
        partial: false,
      }));
    return { name: table, columns, primaryKey, foreignKeys, indexes: tableIndexes };
  });
}
