/**
 * Migrations: the folder examples/migrations applied to a fresh SQLite file (or to the database the first
 * argument names), shown first as a dry run, then applied, listed, and rolled back a batch at a time.
 * Run it with `npx tsx examples/migrations.ts [url]`.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Migrator, connect, type MigrationProgress } from 'twistar';

const folder = fileURLToPath(new URL('./migrations', import.meta.url));
const file = 'migrations-example.db';
const url = process.argv[2] ?? `sqlite:${file}`;
if (process.argv[2] === undefined) rmSync(file, { force: true });
const pool = connect(url);
const migrator = new Migrator(pool, { folder });

const show = (event: MigrationProgress) => {
  if (event.type === 'migrating')
    console.log(`${event.direction} ${event.migration} (${event.index}/${event.total})`);
  if (event.type === 'statement' && event.dryRun) console.log(`  ${event.sql};`);
};

console.log('-- dry run: the SQL, nothing sent');
await migrator.latest({ dryRun: true, onProgress: show });

console.log('-- latest');
console.log('Applied:', (await migrator.latest()).join(', '));
await pool.runOperation(
  "INSERT INTO users (first_name, email, team_id) VALUES ('Ann', 'ann@example.com', 1)",
);
console.log('Users:', (await pool.runQuery('SELECT first_name, nickname FROM users')).length);

for (const entry of await migrator.status()) console.log(`${entry.state} ${entry.name} batch ${entry.batch}`);

console.log('Rolled back:', (await migrator.rollback()).join(', '));
console.log('Pending again:', (await migrator.status()).filter((entry) => entry.state === 'pending').length);
await pool.close();
if (process.argv[2] === undefined) rmSync(file, { force: true });
