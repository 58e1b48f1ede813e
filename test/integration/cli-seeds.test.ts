import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import { connect, type ConnectionPool } from '../../src/index.js';
import { buildCli, ROOT, twistar } from '../support/cli-runner.js';
import { describeEachBackend, it } from '../support/backends.js';
import { createTable, dropTable } from '../support/schema.js';

/*
 * `twistar seed` end to end (issue 15): the built binary in a scratch project runs its seed files (TypeScript
 * through tsx, JavaScript as it is) in name order, each in a transaction of its own, against each database.
 */

const PERSON = `import { DBObject, Registry } from 'twistar';

export class Person extends DBObject {
  static override TABLENAME = 'seed_people';
  declare id: number;
  declare name: string;
  declare team: string | null;
}
Registry.register(Person);
`;

/** Models and factories in a seed: twistar/testing resolves through the package's exports. */
const PEOPLE = `import { defineSeed } from 'twistar';
import { defineFactory } from 'twistar/testing';
import { Person } from './_person.js';

const people = defineFactory(Person, (seq) => ({ name: \`Person \${seq}\`, team: 'seeded' }));

export default defineSeed(async ({ pool }) => {
  if (!pool.inTransaction) throw new Error('a seed runs in a transaction');
  await people.create(3);
});
`;

const ADMIN = `export async function run({ pool }) {
  await pool.runOperation("INSERT INTO seed_people (name, team) VALUES ('Admin', 'staff')");
}
`;

const FAILING = `import { Person } from './_person.js';

export default async function () {
  await Person.create({ name: 'Half written' });
  throw new TypeError('the seed has a bug');
}
`;

// The binary under test is the built one.
before(buildCli);

describeEachBackend('twistar seed', (db) => {
  let project: string;
  let url: string;
  let pool: ConnectionPool;

  /** The names in seed_people, in order. */
  const names = async () =>
    (await pool.runQuery('SELECT name FROM seed_people ORDER BY name')).map((row) => row.name);

  const seed = (...args: string[]) => twistar(project, url, ['seed', ...args]);

  before(async () => {
    project = mkdtempSync(join(tmpdir(), 'twistar-seeds-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(ROOT, join(project, 'node_modules/twistar'), 'dir');
    mkdirSync(join(project, 'seeds'));
    writeFileSync(join(project, 'seeds/_person.ts'), PERSON);
    writeFileSync(join(project, 'seeds/10_people.ts'), PEOPLE);
    writeFileSync(join(project, 'seeds/20_admin.mjs'), ADMIN);
    writeFileSync(join(project, 'seeds/notes.txt'), 'not a seed');
    // A database other processes reach (an in-memory SQLite database is a file here).
    url = db.sharedUrl;
    pool = connect(url);
    await createTable(pool, 'seed_people', { id: 'pk', name: 'string not null unique', team: 'string' });
  });

  beforeEach(() => pool.runOperation('DELETE FROM seed_people'));

  after(async () => {
    await dropTable(pool, 'seed_people');
    await pool.close();
    rmSync(project, { recursive: true, force: true });
  });

  it('runs the seed files in name order, TypeScript and JavaScript, default export or run', async () => {
    const ran = await seed();
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(
      ran.stdout,
      /seeded 10_people\.ts \(\d+ ms\)\nseeded 20_admin\.mjs \(\d+ ms\)\nran 2 seed file\(s\)\./,
    );
    assert.deepEqual(await names(), ['Admin', 'Person 1', 'Person 2', 'Person 3']);
  });

  it('--file runs one seed file, named with or without its extension; an unknown name lists the files', async () => {
    const one = await seed('--file', '20_admin');
    assert.equal(one.code, 0, one.stderr);
    assert.doesNotMatch(one.stdout, /10_people/);
    assert.deepEqual(await names(), ['Admin']);
    const again = await seed('--file', '10_people.ts');
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await names()).length, 4);
    const unknown = await seed('--file', '30_nothing');
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stderr,
      /ConfigError: No seed file "30_nothing" in .*: 10_people\.ts, 20_admin\.mjs\./,
    );
  });

  it('a seed that throws stops the run, exit code 1, naming the file; its writes are rolled back', async () => {
    writeFileSync(join(project, 'seeds/15_failing.ts'), FAILING);
    try {
      const failed = await seed();
      assert.equal(failed.code, 1);
      assert.match(failed.stdout, /seeded 10_people\.ts/);
      assert.doesNotMatch(failed.stdout, /20_admin/);
      assert.match(
        failed.stderr,
        /SeedError: The seed file 15_failing\.ts failed: the seed has a bug\. Its writes were rolled back; 1 seed file\(s\) before it stay written, and the 1 after it did not run\./,
      );
      // The bug's stack says where it is.
      assert.match(failed.stderr, /TypeError: the seed has a bug\n\s+at .*15_failing\.ts/);
      assert.deepEqual(await names(), ['Person 1', 'Person 2', 'Person 3']);
    } finally {
      rmSync(join(project, 'seeds/15_failing.ts'));
    }
  });

  it('a missing seeds folder is a ConfigError, an empty one runs nothing; --seeds and the config file choose the folder', async () => {
    const missing = await seed('--seeds', 'db/seeds');
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /ConfigError: The seeds folder .*db\/seeds \(set by --seeds or the config's seeds\) does not exist/,
    );
    mkdirSync(join(project, 'db/seeds'), { recursive: true });
    const empty = await seed('--seeds', 'db/seeds');
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal(empty.stdout, 'No seed files in db/seeds.\n');
    writeFileSync(join(project, 'db/seeds/1_admin.mjs'), ADMIN);
    writeFileSync(join(project, 'twistar.config.json'), JSON.stringify({ seeds: 'db/seeds' }));
    try {
      const configured = await seed();
      assert.equal(configured.code, 0, configured.stderr);
      assert.match(configured.stdout, /seeded 1_admin\.mjs/);
      assert.deepEqual(await names(), ['Admin']);
    } finally {
      rmSync(join(project, 'twistar.config.json'));
      rmSync(join(project, 'db'), { recursive: true });
    }
  });

  it('a seed file that exports no function is a SeedError naming it', async () => {
    writeFileSync(join(project, 'seeds/05_empty.mjs'), 'export const nothing = 1;\n');
    try {
      const failed = await seed();
      assert.equal(failed.code, 1);
      assert.match(failed.stderr, /SeedError: The seed file 05_empty\.mjs exports no function to run/);
      assert.deepEqual(await names(), []);
    } finally {
      rmSync(join(project, 'seeds/05_empty.mjs'));
    }
  });
});
