import type { CatalogueQuery, DialectSession } from '../driver.js';

/** The two servers behind the `mysql` dialect, whose DDL differs in places. */
export type MysqlServer = 'mysql' | 'mariadb';

/** The server a `SELECT VERSION()` answer names: MariaDB says so in it (`10.11.6-MariaDB-1`), MySQL does not. */
export function mysqlServerOf(version: string): MysqlServer {
  return /mariadb/i.test(version) ? 'mariadb' : 'mysql';
}

const servers = new WeakMap<DialectSession, Promise<MysqlServer>>();

/** The server behind a MySQL pool, asked once per pool (again after a failed attempt). */
export function detectMysqlServer(pool: DialectSession): Promise<MysqlServer> {
  let server = servers.get(pool);
  if (server === undefined) {
    server = pool
      .primary(() => pool.runQuery('SELECT VERSION() AS version'))
      .then(([row]) => mysqlServerOf(String(row?.version ?? '')));
    servers.set(pool, server);
    server.catch(() => servers.delete(pool));
  }
  return server;
}

/** Whether the server takes CREATE INDEX IF NOT EXISTS: MariaDB does, MySQL (8.x, 9.x) does not. */
export function takesCreateIndexIfNotExists(server: MysqlServer): boolean {
  return server === 'mariadb';
}

/** The query that finds index `name` of `table` in the current database, from information_schema. */
export function mysqlIndexExistsQuery(table: string, name: string): CatalogueQuery {
  return [
    'SELECT 1 AS found FROM information_schema.statistics ' +
      'WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ? LIMIT 1',
    [table, name],
  ];
}
