import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

it('the quick start (npm run demo) runs on a fresh SQLite file and reports what it did', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'twistar-demo-'));
  try {
    const { stdout } = await run(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), join(root, 'examples/quick-start.ts')],
      // tsx reads the tsconfig paths (which map 'twistar' to src/) from the project folder.
      { cwd, env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') } },
    );
    assert.match(stdout, /^Applied 20250101120000_create_users_and_pictures: tables users and pictures/m);
    assert.match(stdout, /Saved Ann Smith with id 1/);
    assert.match(stdout, /Older than 30: Cid, Ann/);
    assert.match(stdout, /errors: First name cannot be blank\./);
    assert.match(stdout, /Pictures of Ann: beach\.jpg, hills\.jpg/);
    assert.match(stdout, /Loaded 3 users with their pictures in 2 statements/);
    assert.match(stdout, /A failed transaction rolled back/);
    assert.match(stdout, /Users: 3, older than 30: 2/);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

it('the migrations example shows a dry run, applies, lists and rolls back examples/migrations', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'twistar-migrations-example-'));
  try {
    const { stdout } = await run(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), join(root, 'examples/migrations.ts')],
      { cwd, env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') } },
    );
    assert.match(stdout, /^ {2}CREATE UNIQUE INDEX "users_email_unique" ON "users" \("email"\);$/m);
    assert.match(
      stdout,
      /Applied: 20240501120000_create_teams, 20240501120100_create_users, 20240502090000_add/,
    );
    assert.match(stdout, /applied 20240502090000_add_nickname_to_users batch 1/);
    assert.match(stdout, /Rolled back: 20240502090000_add_nickname_to_users, 20240501120100_create_users/);
    assert.match(stdout, /Pending again: 3/);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

it('the query layer example (docs/queries.md) runs and reads what the page says', async () => {
  const { stdout } = await run(
    process.execPath,
    ['--import', import.meta.resolve('tsx'), join(root, 'examples/queries.ts')],
    { cwd: root, env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') } },
  );
  assert.match(stdout, /^Adult Smiths: Ann$/m);
  assert.match(stdout, /^Without an age: Cid$/m);
  assert.match(stdout, /^Ann or C…: Ann, Cid$/m);
  assert.match(stdout, /^Likes in all: 157, prices: 1\.30$/m);
  assert.match(stdout, /^Families: Smith × 2$/m);
  assert.match(stdout, /^Page 2 of 2: Bikes \(3 posts\)$/m);
  assert.match(stdout, /^By likes, two at a time: Arrays, Async, Bikes$/m);
  assert.match(stdout, /^Authors of a popular post: Ann$/m);
  assert.match(stdout, /^Posts each \(no more statements\): 2, 1, 0$/m);
  assert.match(stdout, /^Ann's liked posts: Arrays, Async$/m);
  assert.match(stdout, /^Visible posts: 3, with hidden ones: 4$/m);
  assert.match(stdout, /^Posts by Smiths: 3$/m);
  assert.match(stdout, /^SQL: SELECT \* FROM "users" WHERE "age" >= \? ORDER BY "id" ASC \[18\]$/m);
});
