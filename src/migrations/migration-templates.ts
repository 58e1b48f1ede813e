/** The kinds of file `Migrator.create()` writes. */
export type MigrationFormat = 'sql' | 'ts' | 'js';

/** The text of a new migration named `name` (`create_users` starts a createTable of `users`). */
export function migrationTemplate(name: string, format: MigrationFormat): string {
  const table = /^create_([a-z0-9_]+)$/.exec(name)?.[1];
  if (format === 'sql') {
    return table === undefined
      ? '-- up\n\n\n-- down\n\n'
      : `-- up\nCREATE TABLE ${table} (\n  id INTEGER PRIMARY KEY\n);\n\n-- down\nDROP TABLE ${table};\n`;
  }
  const typed = format === 'ts';
  const signature = (direction: string) =>
    typed
      ? `export async function ${direction}(db: MigrationDb): Promise<void> {`
      : `/** @param {import('twistar').MigrationDb} db */\nexport async function ${direction}(db) {`;
  const up =
    table === undefined
      ? "  // await db.alterTable('users', (t) => {\n  //   t.string('nickname');\n  // });"
      : `  await db.createTable('${table}', (t) => {\n    t.id();\n    t.timestamps();\n  });`;
  const down =
    table === undefined
      ? "  // await db.alterTable('users', (t) => {\n  //   t.dropColumn('nickname');\n  // });"
      : `  await db.dropTable('${table}');`;
  return (
    (typed ? "import type { MigrationDb } from 'twistar';\n\n" : '') +
    `${signature('up')}\n${up}\n}\n\n${signature('down')}\n${down}\n}\n`
  );
}
