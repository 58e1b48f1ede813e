import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { connect, type ConnectionPool } from '../../src/index.js';
import { buildCli, ROOT, run, STRICT_TSCONFIG, TSC, twistar } from '../support/cli-runner.js';
import { describeEachBackend, it, type DialectName } from '../support/backends.js';

/**
 * End to end: the real `twistar` binary (dist/cli/main.js, built here) in a scratch project, against each
 * database: migrations up, status, concurrent runs from two processes, rollback, model generation then a
 * type-check of what it wrote, check finding drift, the console driven through its standard input, diagrams.
 */

const TEAMS_AND_USERS = `import type { MigrationDb } from 'twistar';

export async function up(db: MigrationDb): Promise<void> {
  await db.createTable('teams', (t) => {
    t.id();
    t.string('name').notNull().unique();
    t.timestamps();
  });
  await db.createTable('users', (t) => {
    t.id();
    t.string('first_name').notNull();
    t.integer('age');
    t.references('team_id', 'teams');
    t.timestamps();
  });
}

export async function down(db: MigrationDb): Promise<void> {
  await db.dropTable('users');
  await db.dropTable('teams');
}
`;

const PICTURES = `import type { MigrationDb } from 'twistar';

export async function up(db: MigrationDb): Promise<void> {
  await db.createTable('pictures', (t) => {
    t.id();
    t.string('name');
    t.references('user_id', 'users');
  });
}

export async function down(db: MigrationDb): Promise<void> {
  await db.dropTable('pictures');
}
`;

/**
 * A database of its own for the CLI (it sees every table), emptied first; its URL and how to drop it. It is named
 * after the test database (`<name>_cli`), so that suites run at once against different databases of one server stay
 * apart.
 */
async function scratchDatabase(
  name: DialectName,
  url: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const parsed = new URL(url);
  const scratch = `${decodeURIComponent(parsed.pathname.slice(1)) || 'twistar'}_cli`;
  assert.match(scratch, /^\w+$/, 'a plain database name');
  const onServer = async (work: (admin: ConnectionPool) => Promise<void>) => {
    const admin = connect(url);
    try {
      await work(admin);
    } finally {
      await admin.close();
    }
  };
  const drop = () =>
    onServer(async (admin) => {
      if (name === 'postgres') {
        const found = await admin.runQuery('SELECT 1 FROM pg_database WHERE datname = ?', [scratch]);
        if (found.length > 0) await admin.runOperation(`DROP DATABASE ${scratch} WITH (FORCE)`);
      } else {
        await admin.runOperation(`DROP DATABASE IF EXISTS ${scratch}`);
      }
    });
  await drop();
  await onServer(async (admin) => {
    await admin.runOperation(
      `CREATE DATABASE ${scratch}${name === 'postgres' ? '' : ' CHARACTER SET utf8mb4'}`,
    );
  });
  parsed.pathname = `/${scratch}`;
  return { url: parsed.toString(), drop };
}

// The binary under test is the built one.
before(buildCli);

describeEachBackend('the twistar command', (db) => {
  let project: string;
  let url: string;
  let scratch: { url: string; drop(): Promise<void> } | undefined;

  before(async () => {
    project = mkdtempSync(join(tmpdir(), 'twistar-cli-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    writeFileSync(join(project, 'tsconfig.json'), STRICT_TSCONFIG);
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(ROOT, join(project, 'node_modules/twistar'), 'dir');
    // SQLite: a file of the project, named as a user would; a server: a scratch database beside the test one.
    if (db.name === 'sqlite') url = 'sqlite:app.db';
    else {
      scratch = await scratchDatabase(db.name, db.url);
      url = scratch.url;
    }
  });

  after(async () => {
    rmSync(project, { recursive: true, force: true });
    await scratch?.drop();
  });

  it('creates, applies, lists and reverts migrations, once each under concurrent runs', async () => {
    const created = await twistar(project, url, ['migrate:new', 'create teams and users', '--format', 'ts']);
    assert.equal(created.code, 0, created.stderr);
    const [first] = readdirSync(join(project, 'migrations'));
    assert.match(first ?? '', /^\d{14}_create_teams_and_users\.ts$/);
    writeFileSync(join(project, 'migrations', first ?? ''), TEAMS_AND_USERS);
    writeFileSync(join(project, 'migrations', '29990101000000_pictures.ts'), PICTURES);

    const dry = await twistar(project, url, ['migrate', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /CREATE TABLE .?teams/);
    const pending = await twistar(project, url, ['migrate:status']);
    assert.equal((pending.stdout.match(/^pending/gm) ?? []).length, 2, pending.stdout);

    // Two processes at once: each migration is applied exactly once.
    const [one, two] = await Promise.all([
      twistar(project, url, ['migrate']),
      twistar(project, url, ['migrate']),
    ]);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(two.code, 0, two.stderr);
    const applied = `${one.stdout}${two.stdout}`.match(/✓ \d{14}_\w+/g) ?? [];
    assert.equal(applied.length, 2, `${one.stdout}\n${two.stdout}`);
    const status = await twistar(project, url, ['migrate:status']);
    assert.equal((status.stdout.match(/^applied/gm) ?? []).length, 2, status.stdout);

    const back = await twistar(project, url, ['migrate:rollback']);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /reverted 2 migration/);
    const again = await twistar(project, url, ['migrate']);
    assert.equal(again.code, 0, again.stderr);
  });

  it('generates typed models that type-check, and check agrees with the database', async () => {
    const generated = await twistar(project, url, ['generate', 'models']);
    assert.equal(generated.code, 0, generated.stderr);
    assert.match(generated.stdout, /created src\/models\/user\.ts/);
    await run(process.execPath, [TSC, '-p', join(project, 'tsconfig.json')], { cwd: project });
    // Regenerating rewrites the bases and leaves the user's classes alone.
    writeFileSync(
      join(project, 'src/models/user.ts'),
      "import { Registry } from 'twistar';\nimport { UserBase } from './generated/user-base.js';\n\n" +
        'export class User extends UserBase {\n  greeting(): string {\n    return `Hi ${this.first_name}`;\n  }\n}\n\n' +
        'Registry.register(User);\n',
    );
    const regenerated = await twistar(project, url, ['generate', 'models']);
    assert.doesNotMatch(regenerated.stdout, /user\.ts/);
    await run(process.execPath, [TSC, '-p', join(project, 'tsconfig.json')], { cwd: project });

    const check = await twistar(project, url, ['check']);
    assert.equal(check.code, 0, `${check.stdout}${check.stderr}`);
  });

  it('drives the console through its standard input', async () => {
    const session = await twistar(
      project,
      url,
      ['console'],
      [
        "const team = await Team.create({ name: 'red' })",
        "await User.create({ first_name: 'Ann', team_id: team.id })",
        '(await team.users.get()).map((user) => user.greeting()).join()',
        '.log',
        'await User.count()',
        '.exit',
      ].join('\n'),
    );
    assert.equal(session.code, 0, session.stderr);
    assert.match(session.stdout, /'Hi Ann'/);
    assert.match(session.stdout, /query logging on/);
    assert.match(session.stdout, /twistar> 1\n/);
  });

  it('runs every piped console line after one fails, and exits 1 when any failed', async () => {
    const session = await twistar(
      project,
      url,
      ['console'],
      [
        'noSuchThing()',
        "await pool.runQuery('SELECT * FROM no_such_table')",
        "'still ' + 'here'",
        'await User.count()',
      ].join('\n'),
    );
    assert.equal(session.code, 1, `${session.stdout}${session.stderr}`);
    assert.match(session.stdout, /ReferenceError: noSuchThing is not defined/);
    assert.match(session.stdout, /no_such_table/);
    assert.match(session.stdout, /'still here'/);
    assert.match(session.stdout, /twistar> 1\n/);
    assert.match(session.stderr, /2 of 4 input line\(s\) failed; the first: line 1: noSuchThing\(\)/);
  });

  it('prints diagrams, and check finds drift with exit code 3', async () => {
    const mermaid = await twistar(project, url, ['diagram']);
    assert.equal(mermaid.code, 0, mermaid.stderr);
    assert.match(mermaid.stdout, /^erDiagram/);
    assert.match(mermaid.stdout, /"teams" \|\|--o\{ "users"/);
    const dot = await twistar(project, url, ['diagram', '--format', 'dot']);
    assert.match(dot.stdout, /digraph/);

    const pool = connect(db.name === 'sqlite' ? `sqlite:${join(project, 'app.db')}` : url);
    try {
      await pool.runOperation('DROP TABLE pictures');
      // A column the generated User declares, dropped: a value set on it would not be saved.
      await pool.runOperation('ALTER TABLE users DROP COLUMN age');
    } finally {
      await pool.close();
    }
    const drift = await twistar(project, url, ['check']);
    assert.equal(drift.code, 3, drift.stdout);
    assert.match(drift.stdout, /pictures/);
    assert.match(drift.stdout, /^✗ User: table "users" has no column "age", which User\.COLUMNS names/m);
  });

  it('exits 1 with a message when the command fails, and 2 on a wrong command line', async () => {
    const failed = await twistar(project, 'postgres://nobody@127.0.0.1:1/none', ['migrate:status']);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /ConnectionError/);
    const usage = await twistar(project, url, ['no-such-command']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /unknown command/);
    const steps = await twistar(project, url, ['migrate:rollback', '--steps', '0']);
    assert.equal(steps.code, 2);
    assert.match(steps.stderr, /--steps .* expected a positive whole number/);

    // A bug in a migration is reported with its stack, which points into the file.
    mkdirSync(join(project, 'broken'));
    writeFileSync(
      join(project, 'broken', '20240101000000_broken.ts'),
      'export async function up(): Promise<void> {\n  const missing = undefined as unknown as { x: number };\n' +
        '  console.log(missing.x);\n}\nexport async function down(): Promise<void> {}\n',
    );
    const broken = await twistar(project, url, ['--migrations', 'broken', 'migrate']);
    assert.equal(broken.code, 1, broken.stdout);
    assert.match(broken.stderr, /MigrationError: Migration 20240101000000_broken \(up\) failed: Cannot read/);
    assert.match(broken.stderr, /at up \(.*20240101000000_broken\.ts:3:\d+\)/);
  });
});

describe('the twistar command: progress of a long migration run, without a terminal', () => {
  let project: string;

  before(() => {
    project = mkdtempSync(join(tmpdir(), 'twistar-cli-progress-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    mkdirSync(join(project, 'migrations'));
    writeFileSync(
      join(project, 'migrations', '20240101000000_slow.js'),
      'export async function up(db) {\n' +
        "  await db.runOperation('CREATE TABLE slow_a (id INTEGER)');\n" +
        '  await new Promise((resolve) => setTimeout(resolve, 1200));\n' +
        "  await db.runOperation('CREATE TABLE slow_b (id INTEGER)');\n" +
        '}\n' +
        "export async function down(db) {\n  await db.runOperation('DROP TABLE slow_b');\n" +
        "  await db.runOperation('DROP TABLE slow_a');\n}\n",
    );
    writeFileSync(
      join(project, 'migrations', '20240102000000_quick.sql'),
      '-- up\nCREATE TABLE quick (id INTEGER);\n-- down\nDROP TABLE quick;\n',
    );
  });

  after(() => rmSync(project, { recursive: true, force: true }));

  it('prints each migration with its time, and "still running" lines at the interval, without control characters', async () => {
    const run = await twistar(project, 'sqlite:app.db', ['migrate'], '', {
      TWISTAR_PROGRESS_INTERVAL_MS: '300',
    });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^\[1\/2\] migrating 20240101000000_slow$/m);
    assert.match(run.stdout, /^✓ 20240101000000_slow \(1\.\d s\)$/m);
    assert.match(run.stdout, /^✓ 20240102000000_quick \(\d+ ms\)$/m);
    const still = run.stderr.match(/^still running 20240101000000_slow \(.*\)$/gm) ?? [];
    assert.ok(still.length >= 2, run.stderr);
    assert.match(still[0] ?? '', /^still running 20240101000000_slow \(\d+ ms, statement 1\)$/);
    assert.doesNotMatch(run.stderr, /quick/, 'a quick migration prints no "still running" line');
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(`${run.stdout}${run.stderr}`, /[\u0000-\u0009\u000b-\u001f\u007f]/);

    const rollback = await twistar(project, 'sqlite:app.db', ['migrate:rollback'], '', {
      TWISTAR_PROGRESS_INTERVAL_MS: '300',
    });
    assert.equal(rollback.code, 0, rollback.stderr);
    assert.match(rollback.stdout, /reverted 2 migration/);
  });

  it('refuses a TWISTAR_PROGRESS_INTERVAL_MS that is not a number, before running anything', async () => {
    const run = await twistar(project, 'sqlite:app.db', ['migrate'], '', {
      TWISTAR_PROGRESS_INTERVAL_MS: 'often',
    });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /ConfigError: TWISTAR_PROGRESS_INTERVAL_MS must be a number of milliseconds/);
    const status = await twistar(project, 'sqlite:app.db', ['migrate:status']);
    assert.equal((status.stdout.match(/^pending/gm) ?? []).length, 2, status.stdout);
  });
});

describe('the twistar command: edited and unfilled migrations', () => {
  let project: string;

  before(() => {
    project = mkdtempSync(join(tmpdir(), 'twistar-cli-edited-'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    mkdirSync(join(project, 'migrations'));
    writeFileSync(
      join(project, 'migrations', '20240101000000_create_things.sql'),
      '-- up\nCREATE TABLE things (id INTEGER);\n-- down\nDROP TABLE things;\n',
    );
  });

  after(() => rmSync(project, { recursive: true, force: true }));

  it('warns about a migration that ran no statement, and names --allow-changed, which rollback takes too', async () => {
    const url = 'sqlite:app.db';
    const created = await twistar(project, url, ['migrate:new', 'add nickname', '--format', 'ts']);
    assert.equal(created.code, 0, created.stderr);
    const migrated = await twistar(project, url, ['migrate']);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /applied 2 migration/);
    const warnings = migrated.stderr.match(/^warning .*$/gm) ?? [];
    assert.equal(warnings.length, 1, migrated.stderr);
    assert.match(
      warnings[0] ?? '',
      /^warning \d{14}_add_nickname was applied without a statement: is it a template still to fill in\?/,
    );

    writeFileSync(
      join(project, 'migrations', '20240101000000_create_things.sql'),
      '-- up\n-- the things\nCREATE TABLE things (id INTEGER);\n-- down\nDROP TABLE things;\n',
    );
    const refused = await twistar(project, url, ['migrate']);
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(
      refused.stderr,
      /MigrationChangedError: Applied migration was edited after running: 20240101000000_create_things\. .* run the command again with --allow-changed/,
    );
    assert.doesNotMatch(refused.stderr, /allowChanged/);
    const back = await twistar(project, url, ['migrate:rollback']);
    assert.equal(back.code, 1, back.stdout);
    assert.match(back.stderr, /MigrationChangedError: .*--allow-changed/);
    const allowed = await twistar(project, url, ['migrate:rollback', '--allow-changed']);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stdout, /reverted 2 migration/);
    assert.match(allowed.stderr, /^warning \d{14}_add_nickname was reverted without a statement/m);
  });
});
