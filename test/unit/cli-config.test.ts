import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { resolveConfig } from '../../src/cli/config.js';
import { ConfigError } from '../../src/tooling-errors.js';

describe('resolveConfig', () => {
  let folder: string;
  let saved: string | undefined;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'twistar-config-'));
    saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
  });

  afterEach(() => {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
    rmSync(folder, { recursive: true, force: true });
  });

  it('uses an SQLite file in the folder, and the default folders and table, when nothing is configured', async () => {
    const config = await resolveConfig({}, folder);
    assert.deepEqual(config, {
      url: 'sqlite:twistar.db',
      urlFrom: 'default',
      migrations: join(folder, 'migrations'),
      models: join(folder, 'src/models'),
      migrationsTable: 'twistar_migrations',
      seeds: join(folder, 'seeds'),
      file: null,
    });
  });

  it('takes --url over DATABASE_URL over the config file', async () => {
    writeFileSync(join(folder, 'twistar.config.json'), JSON.stringify({ url: 'sqlite:file.db' }));
    assert.equal((await resolveConfig({}, folder)).urlFrom, 'config file');
    process.env.DATABASE_URL = 'postgres://env@localhost/app';
    assert.deepEqual(
      [(await resolveConfig({}, folder)).url, (await resolveConfig({}, folder)).urlFrom],
      ['postgres://env@localhost/app', 'DATABASE_URL'],
    );
    const flagged = await resolveConfig({ url: 'mysql://flag@localhost/app' }, folder);
    assert.deepEqual([flagged.url, flagged.urlFrom], ['mysql://flag@localhost/app', '--url']);
    // An empty DATABASE_URL counts as unset.
    process.env.DATABASE_URL = '';
    assert.equal((await resolveConfig({}, folder)).url, 'sqlite:file.db');
  });

  it('reads folders (migrations, models, seeds) and the migrations table from a TypeScript config, flags first', async () => {
    writeFileSync(
      join(folder, 'twistar.config.ts'),
      "const folder: string = 'db/migrations';\n" +
        "export default { migrations: folder, models: 'app/models', migrationsTable: 'schema_log', seeds: 'db/seeds' };\n",
    );
    const config = await resolveConfig({ models: 'other/models' }, folder);
    assert.equal(config.file, join(folder, 'twistar.config.ts'));
    assert.equal(config.migrations, join(folder, 'db/migrations'));
    assert.equal(config.models, join(folder, 'other/models'));
    assert.equal(config.migrationsTable, 'schema_log');
    assert.equal(config.seeds, join(folder, 'db/seeds'));
    assert.equal((await resolveConfig({ seeds: 'flag/seeds' }, folder)).seeds, join(folder, 'flag/seeds'));
    assert.equal((await resolveConfig({ migrationsTable: 'flag_log' }, folder)).migrationsTable, 'flag_log');
  });

  it('refuses a missing --config file, unknown settings, wrong types and unreadable files, naming the file', async () => {
    await assert.rejects(resolveConfig({ config: 'nope.json' }, folder), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /No config file at .*nope\.json/);
      return true;
    });
    const file = join(folder, 'twistar.config.json');
    const cases: [string, RegExp][] = [
      [JSON.stringify({ migration: 'db' }), /unknown setting "migration"; the settings are url, migrations/],
      [JSON.stringify({ url: 5 }), /"url" must be a string, got number/],
      [JSON.stringify(['sqlite:x.db']), /must export an object/],
      ['{ "url": ', /Could not load .*twistar\.config\.json/],
    ];
    for (const [text, message] of cases) {
      writeFileSync(file, text);
      await assert.rejects(resolveConfig({}, folder), (error: unknown) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.match(error.message, message);
        assert.ok(error.message.includes(file), error.message);
        return true;
      });
    }
  });
});
