import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import Database from 'better-sqlite3';
import { connect, ConnectionError } from '../../src/index.js';
import { it } from '../support/backends.js';
import { describeMusicStore } from '../support/music-store.js';
import { buildCli, ROOT, run, STRICT_TSCONFIG, TSC, twistar } from '../support/cli-runner.js';

/**
 * The `twistar` binary on a schema another tool designed (the music store, PascalCase and snake_case):
 * generated models read naturally, compile under --strict and work; check and diagram refuse a models folder
 * that holds no model; the commands that only read never create nor change an SQLite file.
 */

/** A scratch project that imports twistar (this checkout, built). */
function scratchProject(): string {
  const project = mkdtempSync(join(tmpdir(), 'twistar-foreign-cli-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  writeFileSync(join(project, 'tsconfig.json'), STRICT_TSCONFIG);
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(ROOT, join(project, 'node_modules/twistar'), 'dir');
  return project;
}

/** The journal mode of an SQLite file, read without changing it. */
function journalModeOf(file: string): unknown {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('journal_mode', { simple: true });
  } finally {
    db.close();
  }
}

// The binary under test is the built one.
before(buildCli);

describeMusicStore('twistar on a schema another tool designed', (db) => {
  let project: string;
  const base = (file: string) =>
    readFileSync(join(project, 'src/models/generated', `${file}-base.ts`), 'utf8');

  before(() => {
    project = scratchProject();
  });
  after(() => rmSync(project, { recursive: true, force: true }));

  it('refuses check and diagram on a missing or empty models folder (exit 1)', async () => {
    for (const command of ['check', 'diagram']) {
      const missing = await twistar(project, db.url, [command]);
      assert.equal(missing.code, 1, `${command}: ${missing.stdout}`);
      assert.match(missing.stderr, /ConfigError: The models folder \S*src\/models .*does not exist/);
      mkdirSync(join(project, 'empty'), { recursive: true });
      const empty = await twistar(project, db.url, ['--models', 'empty', command]);
      assert.equal(empty.code, 1, `${command}: ${empty.stdout}`);
      assert.match(empty.stderr, /ConfigError: The models folder \S*empty .*holds no model files/);
      assert.doesNotMatch(empty.stdout, /✓|erDiagram/);
    }
  });

  it('generates relations named as a person would, each model declaring its key', async () => {
    const generated = await twistar(project, db.url, ['generate', 'models']);
    assert.equal(generated.code, 0, generated.stderr);
    const n = db.n;
    const relation = (kind: string, name: string, className: string, foreignKey: string) =>
      new RegExp(
        `${kind}[^]*\\{ name: '${name}', className: '${className}', foreignKey: '${foreignKey}' \\}`,
      );
    assert.match(base('artist'), relation('HASMANY', 'albums', 'Album', n('ArtistId')));
    assert.match(base('album'), relation('BELONGSTO', 'artist', 'Artist', n('ArtistId')));
    assert.match(base('album'), relation('HASMANY', 'tracks', 'Track', n('AlbumId')));
    assert.match(base('employee'), relation('BELONGSTO', 'manager', 'Employee', n('ReportsTo')));
    assert.match(base('employee'), relation('HASMANY', 'reports', 'Employee', n('ReportsTo')));
    assert.match(base('employee'), relation('HASMANY', 'customers', 'Customer', n('SupportRepId')));
    assert.match(base('customer'), relation('BELONGSTO', 'support_rep', 'Employee', n('SupportRepId')));
    assert.match(base('invoice'), relation('HASMANY', 'invoice_lines', 'InvoiceLine', n('InvoiceId')));
    // The composite-key join table is read through HABTM on both sides, and gets no model of its own.
    assert.match(
      base('playlist'),
      new RegExp(`HABTM[^]*name: 'tracks', className: 'Track', joinTable: '${n('PlaylistTrack')}'`),
    );
    assert.match(base('track'), new RegExp(`HABTM[^]*name: 'playlists', className: 'Playlist'`));
    const index = readFileSync(join(project, 'src/models/generated/index.ts'), 'utf8');
    assert.match(index, new RegExp(`No model for ${n('PlaylistTrack')}: a join table`));
    for (const model of [
      'artist',
      'album',
      'genre',
      'track',
      'playlist',
      'employee',
      'customer',
      'invoice',
      'invoice-line',
    ]) {
      const text = base(model);
      assert.doesNotMatch(text, /_ref'/, model);
      const key = n(
        `${model === 'invoice-line' ? 'InvoiceLine' : model[0]?.toUpperCase() + model.slice(1)}Id`,
      );
      assert.match(text, new RegExp(`static override PRIMARY_KEY = '${key}';`), model);
      assert.match(text, /^ {2}declare id: number;$/m, model);
      assert.match(text, new RegExp(`^ {2}declare ${key}: number;$`, 'm'), model);
    }
  });

  it('writes models that compile under --strict, keys and relations typed', async () => {
    const n = db.n;
    writeFileSync(
      join(project, 'src/use.ts'),
      `import { Album, Artist, Employee, Invoice, InvoiceLine, Playlist, Track } from './models/generated/index.js';

export async function use(): Promise<void> {
  const invoice = await Invoice.find(1);
  if (invoice === null) return;
  const line: InvoiceLine = await InvoiceLine.create({
    ${n('InvoiceId')}: invoice.id, ${n('TrackId')}: 1, ${n('UnitPrice')}: '0.99', ${n('Quantity')}: 1,
  });
  const id: number = line.${n('InvoiceId')};
  const album = await Album.find(id);
  const artist: Artist | null = (await album?.artist.get()) ?? null;
  const albums: Album[] = (await artist?.albums.get()) ?? [];
  const employee = await Employee.find(4);
  const manager: Employee | null = (await employee?.manager.get()) ?? null;
  const reports: Employee[] = (await manager?.reports.get()) ?? [];
  const tracks: Track[] = (await (await Playlist.find(1))?.tracks.get()) ?? [];
  console.log(albums.length, reports.length, tracks.length);
}
`,
    );
    await run(process.execPath, [TSC, '-p', join(project, 'tsconfig.json')], { cwd: project });
  });

  it('runs the generated relations in the console, and check agrees with the database', async () => {
    const session = await twistar(
      project,
      db.url,
      ['console'],
      [
        `(await (await Album.find(6)).artist.get()).id`,
        `(await (await Artist.find(1)).albums.get()).map((album) => album.id).join()`,
        `(await (await Employee.find(4)).manager.get()).id`,
        `(await (await Employee.find(1)).reports.get()).length`,
        `(await (await Customer.find(1)).support_rep.get()).id`,
        `(await (await Playlist.find(1)).tracks.get()).length`,
        `(await (await Track.find(1)).playlists.get()).length`,
        '.exit',
      ].join('\n'),
    );
    assert.equal(session.code, 0, `${session.stdout}${session.stderr}`);
    // The first prompt is printed before the line saying where the console is connected.
    const output = session.stdout.replace(/connected to .*\n/, '');
    const answers = [...output.matchAll(/twistar> (\S+)\n/g)].map((match) => match[1]);
    assert.deepEqual(answers, ['1', "'1,6'", '2', '2', '5', '25', '2']);
    const check = await twistar(project, db.url, ['check']);
    assert.equal(check.code, 0, `${check.stdout}${check.stderr}`);
    assert.match(check.stdout, /✓ 9 model\(s\)/);
  });
});

describe('SQLite files the commands only read', () => {
  let dir: string;
  let file: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'twistar-foreign-sqlite-'));
    file = join(dir, 'theirs.db');
    // A file another tool made: the default rollback journal, not WAL.
    const db = new Database(file);
    db.exec('CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT)');
    db.exec("INSERT INTO things (name) VALUES ('one')");
    db.close();
    mkdirSync(join(dir, 'src/models'), { recursive: true });
    writeFileSync(
      join(dir, 'src/models/thing.ts'),
      "import { DBObject, Registry } from 'twistar';\nexport class Thing extends DBObject {\n" +
        "  static override TABLENAME = 'things';\n}\nRegistry.register(Thing);\n",
    );
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules/twistar'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('never creates a file for a mistyped path: a ConnectionError says it does not exist', async () => {
    const typo = join(dir, 'theirs-typo.db');
    for (const args of [['check'], ['diagram'], ['generate', 'models', '--out', 'out'], ['console']]) {
      const result = await twistar(dir, `sqlite:${typo}`, args, '1 + 1\n');
      assert.equal(result.code, 1, `${args.join(' ')}: ${result.stdout}`);
      assert.match(
        result.stderr,
        /ConnectionError: .*The SQLite database file .*theirs-typo\.db does not exist/,
      );
      assert.equal(existsSync(typo), false, args.join(' '));
    }
    assert.equal(existsSync(join(dir, 'out')), false);
  });

  it("leaves an existing file's journal mode alone, in the CLI and the library", async () => {
    for (const args of [['check'], ['diagram'], ['generate', 'models', '--out', 'gen'], ['console']]) {
      const result = await twistar(dir, `sqlite:${file}`, args, 'await Thing.count()\n');
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
    }
    assert.equal(journalModeOf(file), 'delete');
    for (const options of [{}, { workers: 2 }]) {
      const pool = connect(`sqlite:${file}`, options);
      try {
        await pool.runOperation("INSERT INTO things (name) VALUES ('two')");
        assert.deepEqual(await pool.runQuery('PRAGMA journal_mode'), [{ journal_mode: 'delete' }]);
      } finally {
        await pool.close();
      }
    }
    assert.equal(journalModeOf(file), 'delete');
  });

  it("uses WAL for a file Twistar creates, or when asked with journalMode: 'wal'", async () => {
    const fresh = join(dir, 'fresh.db');
    const created = connect(`sqlite:${fresh}`, { workers: 2 });
    try {
      await created.runOperation('CREATE TABLE t (n INTEGER)');
    } finally {
      await created.close();
    }
    assert.equal(journalModeOf(fresh), 'wal');
    const asked = connect(`sqlite:${file}`, { journalMode: 'wal' });
    try {
      assert.deepEqual(await asked.runQuery('PRAGMA journal_mode'), [{ journal_mode: 'wal' }]);
    } finally {
      await asked.close();
    }
    assert.equal(journalModeOf(file), 'wal');
    assert.throws(
      () => connect('postgres://nobody@127.0.0.1:1/none', { journalMode: 'wal' }),
      ConnectionError,
    );
    assert.throws(() => connect('sqlite::memory:', { journalMode: 'delete' as 'wal' }), ConnectionError);
  });
});
