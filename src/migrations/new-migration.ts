import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrationFileError } from '../tooling-errors.js';
import { MIGRATION_NAME, readMigrationFiles } from './migration-files.js';

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

/**
 * Writes `<UTC timestamp>_<name>.<format>` into `folder` (created if need be) from the template, never over an
 * existing file; resolves to its path.
 */
export async function createMigrationFile(
  folder: string,
  name: string,
  format: MigrationFormat,
): Promise<string> {
  if (!['sql', 'ts', 'js'].includes(format)) {
    throw new MigrationFileError(`A migration is a sql, ts or js file, not ${String(format)}.`);
  }
  if (typeof name !== 'string') {
    throw new MigrationFileError(`A migration's name is text, such as 'create users'; got ${String(name)}.`);
  }
  const slug = name
    .trim()
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  if (slug.length === 0) throw new MigrationFileError(`"${name}" gives no name for a migration file.`);
  await mkdir(folder, { recursive: true });
  // Later than every existing migration, so that the new one applies last even if two are made in a second.
  const latest = (await readMigrationFiles(folder)).at(-1)?.name.slice(0, 14);
  let time = Math.floor(Date.now() / 1000) * 1000;
  if (latest !== undefined) time = Math.max(time, parseStamp(latest) + 1000);
  const stamp = new Date(time).toISOString().replace(/\D/g, '').slice(0, 14);
  const file = `${stamp}_${slug}`;
  if (!MIGRATION_NAME.test(file)) throw new MigrationFileError(`"${name}" gives no valid migration name.`);
  const path = join(folder, `${file}.${format}`);
  await writeFile(path, migrationTemplate(slug, format), { flag: 'wx' });
  return path;
}

function parseStamp(stamp: string): number {
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((at, i) =>
    Number(stamp.slice(at, at + (i === 0 ? 4 : 2))),
  );
  return Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, s);
}
