import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import {
  DBObject,
  ImaginaryTableError,
  KeyNotUniqueError,
  Registry,
  TransactionError,
  transaction,
  type HABTM,
  type HasMany,
} from '../../src/index.js';
import { buildCli, ROOT, twistar } from '../support/cli-runner.js';
import { it } from '../support/backends.js';
import { describeMusicStore, MUSIC_ROWS } from '../support/music-store.js';

// `twistar check` is the built binary.
before(buildCli);

/**
 * Keys and foreign keys of a schema another tool wrote (the music store): an instance write through a key that
 * is not unique touches no row at all, verify() reports such a key, a missing table is ImaginaryTableError for
 * every read, and a foreign-key refusal lands on the record under the column's own name.
 */
describeMusicStore('keys and foreign keys of a schema written by another tool', (db) => {
  const Pk = (name: string) => db.n(name);

  /** The join table keyed on one column of its composite key: PlaylistId is not unique. */
  class PlaylistEntry extends DBObject {
    static override TABLENAME = db.n('PlaylistTrack');
    static override PRIMARY_KEY = db.n('PlaylistId');
  }

  /** Tracks keyed on their album: six tracks share each AlbumId. */
  class TrackByAlbum extends DBObject {
    static override TABLENAME = db.n('Track');
    static override PRIMARY_KEY = db.n('AlbumId');
  }

  class Album extends DBObject {
    static override TABLENAME = db.n('Album');
    static override PRIMARY_KEY = db.n('AlbumId');
  }

  /** The same table with its belongs-to declared. */
  class AlbumOfArtist extends DBObject {
    static override TABLENAME = db.n('Album');
    static override PRIMARY_KEY = db.n('AlbumId');
    static override BELONGSTO = [{ name: 'artist', className: 'Artist', foreignKey: db.n('ArtistId') }];
  }

  class Artist extends DBObject {
    static override TABLENAME = db.n('Artist');
    static override PRIMARY_KEY = db.n('ArtistId');
    static override HASMANY = [{ name: 'ghosts', className: 'Ghost', foreignKey: db.n('ArtistId') }];
    static override HABTM = [
      {
        name: 'lost_albums',
        className: 'AlbumOfArtist',
        joinTable: db.n('NoSuchJoinTable'),
        foreignKey: db.n('ArtistId'),
        associationForeignKey: db.n('AlbumId'),
      },
    ];
    declare ghosts: HasMany<Ghost>;
    declare lost_albums: HABTM<AlbumOfArtist>;
  }

  class Ghost extends DBObject {
    static override TABLENAME = db.n('NoSuchTable');
    static override PRIMARY_KEY = db.n('GhostId');
  }

  /** Customers keyed on Email, which a unique index (made below) covers. */
  class CustomerByEmail extends DBObject {
    static override TABLENAME = db.n('Customer');
    static override PRIMARY_KEY = db.n('Email');
  }

  /** Customers keyed on a column nothing makes unique. */
  class CustomerByLastName extends DBObject {
    static override TABLENAME = db.n('Customer');
    static override PRIMARY_KEY = db.n('LastName');
  }

  /** A table whose foreign key clause spells its column in another case (MySQL and SQLite take it as the same). */
  class Review extends DBObject {
    static override TABLENAME = db.n('Review');
    static override PRIMARY_KEY = db.n('ReviewId');
  }

  before(async () => {
    Registry.register(Artist, Ghost, AlbumOfArtist);
    const q = (name: string) => db.pool.dialect.quoteIdentifier(db.n(name));
    await db.pool.execute(`CREATE UNIQUE INDEX ${q('IX_CustomerEmail')} ON ${q('Customer')} (${q('Email')})`);
    const albumId = db.n('AlbumId');
    // PostgreSQL's quoted names are case-sensitive: there the clause spells it as the column does.
    const other =
      db.name === 'postgres'
        ? q('AlbumId')
        : albumId === albumId.toLowerCase()
          ? albumId.toUpperCase()
          : albumId.toLowerCase();
    await db.pool.execute(
      `CREATE TABLE ${q('Review')} (${q('ReviewId')} INTEGER NOT NULL PRIMARY KEY, ${q('AlbumId')} INTEGER, ` +
        `FOREIGN KEY (${other}) REFERENCES ${q('Album')} (${q('AlbumId')}))`,
    );
  });

  const playlistRows = (playlist: number) =>
    Registry.getConfig().count(db.n('PlaylistTrack'), [`${q(db, 'PlaylistId')} = ?`, playlist]);
  const trackIds = async (playlist: number) =>
    (
      await Registry.getConfig().select(db.n('PlaylistTrack'), {
        where: [`${q(db, 'PlaylistId')} = ?`, playlist],
        orderBy: db.n('TrackId'),
      })
    ).map((row) => Number(row[db.n('TrackId')]));
  const first = async () => {
    const entry = await PlaylistEntry.find(1);
    assert.ok(entry !== null);
    return entry;
  };

  it('delete() through a key that is not unique throws KeyNotUniqueError and deletes nothing', async () => {
    const entry = await first();
    await assert.rejects(entry.delete(), (error: unknown) => {
      assert.ok(error instanceof KeyNotUniqueError);
      assert.match(error.message, /PRIMARY_KEY/);
      assert.match(error.message, /unique/);
      return true;
    });
    assert.equal(await playlistRows(1), 25);
    // The object is still the saved record it was.
    await assert.rejects(entry.delete(), KeyNotUniqueError);
    assert.equal(await playlistRows(1), 25);
  });

  it('save() of a loaded record through a key that is not unique changes no row', async () => {
    const track = await TrackByAlbum.find(1);
    assert.ok(track !== null);
    (track as unknown as Record<string, unknown>)[Pk('Name')] = 'Renamed';
    await assert.rejects(track.save(), KeyNotUniqueError);
    assert.equal(await TrackByAlbum.count({ [db.n('Name')]: 'Renamed' }), 0);
    // The join table: its other column is part of the primary key, which the database refuses to repeat.
    const entry = await first();
    (entry as unknown as Record<string, unknown>)[Pk('TrackId')] = 60;
    await entry.save().catch(() => undefined);
    assert.deepEqual(
      await trackIds(1),
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
  });

  it('save() through a key that is not unique inside a transaction changes no row either', async () => {
    const track = await TrackByAlbum.find(2);
    assert.ok(track !== null);
    (track as unknown as Record<string, unknown>)[Pk('Name')] = 'Renamed';
    await transaction(async () => {
      await assert.rejects(track.save(), KeyNotUniqueError);
      assert.equal(await TrackByAlbum.count({ [db.n('Name')]: 'Renamed' }), 0);
    });
    assert.equal(await TrackByAlbum.count({ [db.n('Name')]: 'Renamed' }), 0);
  });

  it('refresh() that reads more than one row throws KeyNotUniqueError and leaves the object as it was', async () => {
    const entry = await first();
    const record = entry as unknown as Record<string, unknown>;
    record[Pk('TrackId')] = 'unchanged';
    await assert.rejects(entry.refresh(), KeyNotUniqueError);
    assert.equal(record[Pk('TrackId')], 'unchanged');
  });

  it('inside a transaction the refused write is undone alone and the transaction goes on', async () => {
    const entry = await first();
    await transaction(async () => {
      await assert.rejects(entry.delete(), KeyNotUniqueError);
      assert.equal(await playlistRows(1), 25);
      await Registry.getConfig().update(db.n('Playlist'), { [db.n('Name')]: 'Kept' }, [
        `${q(db, 'PlaylistId')} = ?`,
        3,
      ]);
    });
    assert.equal(await playlistRows(1), 25);
    const renamed = await Registry.getConfig().select(db.n('Playlist'), {
      where: [`${q(db, 'PlaylistId')} = ?`, 3],
    });
    assert.equal(renamed[0]?.[db.n('Name')], 'Kept');
  });

  it('a key the table makes unique writes and deletes one row as before', async () => {
    const customer = await CustomerByEmail.find('c1@example.com');
    assert.ok(customer !== null);
    (customer as unknown as Record<string, unknown>)[Pk('FirstName')] = 'Renamed';
    await customer.save();
    await customer.refresh();
    assert.equal((customer as unknown as Record<string, unknown>)[Pk('FirstName')], 'Renamed');
    const album = await Album.create({
      [db.n('AlbumId')]: 400,
      [db.n('Title')]: 'New',
      [db.n('ArtistId')]: 1,
    });
    await album.delete();
    assert.equal(await Album.count(), MUSIC_ROWS.albums);
  });

  it('an UPDATE that changes nothing still counts its row (MySQL: CLIENT_FOUND_ROWS)', async () => {
    const where = [`${q(db, 'PlaylistId')} = ?`, 1] as const;
    const config = Registry.getConfig();
    await config.update(db.n('Playlist'), { [db.n('Name')]: 'Same' }, [...where]);
    assert.equal(await config.update(db.n('Playlist'), { [db.n('Name')]: 'Same' }, [...where]), 1);
  });

  it('verify() reports a PRIMARY_KEY that is neither the primary key nor a unique index', async () => {
    const problems = await Registry.verify({
      models: [PlaylistEntry, Album, CustomerByEmail, CustomerByLastName],
    });
    const notUnique = problems.filter((problem) => problem.kind === 'key-not-unique');
    assert.deepEqual(notUnique.map((problem) => problem.model).sort(), [
      'CustomerByLastName',
      'PlaylistEntry',
    ]);
    const entry = notUnique.find((problem) => problem.model === 'PlaylistEntry');
    assert.match(entry?.message ?? '', /PRIMARY_KEY "\w+" is not unique/);
    assert.equal(entry?.column, db.n('PlaylistId'));
  });

  it('twistar check reports that key and exits 3', async () => {
    const project = mkdtempSync(join(tmpdir(), 'twistar-keys-'));
    after(() => rmSync(project, { recursive: true, force: true }));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ type: 'module', private: true }));
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(ROOT, join(project, 'node_modules/twistar'), 'dir');
    mkdirSync(join(project, 'models'));
    writeFileSync(
      join(project, 'models/playlist-entry.js'),
      "import { DBObject, Registry } from 'twistar';\n" +
        'export class PlaylistEntry extends DBObject {\n' +
        `  static TABLENAME = '${db.n('PlaylistTrack')}';\n  static PRIMARY_KEY = '${db.n('PlaylistId')}';\n}\n` +
        'Registry.register(PlaylistEntry);\n',
    );
    const checked = await twistar(project, db.url, ['--models', 'models', 'check']);
    const result = { code: checked.code, output: `${checked.stdout}${checked.stderr}` };
    assert.equal(result.code, 3, result.output);
    assert.match(result.output, new RegExp(`PRIMARY_KEY "${db.n('PlaylistId')}" is not unique`));
  });

  it('every read of a missing table is ImaginaryTableError', async () => {
    await assert.rejects(Ghost.find(1), ImaginaryTableError);
    await assert.rejects(Ghost.find({ limit: 1 }), ImaginaryTableError);
    await assert.rejects(Ghost.find(), ImaginaryTableError);
    await assert.rejects(Ghost.findBy({ [db.n('Name')]: 'x' }), ImaginaryTableError);
    await assert.rejects(Ghost.all(), ImaginaryTableError);
    await assert.rejects(Ghost.count(), ImaginaryTableError);
    await assert.rejects(Ghost.exists(), ImaginaryTableError);
    await assert.rejects(async () => {
      for await (const ghost of Ghost.each()) assert.fail(`read ${String(ghost.id)}`);
    }, ImaginaryTableError);
    const artist = await Artist.find(1);
    assert.ok(artist !== null);
    await assert.rejects(artist.ghosts.get(), (error: unknown) => {
      assert.ok(error instanceof ImaginaryTableError);
      assert.match(error.message, /NoSuchTable|no_such_table/);
      return true;
    });
    await assert.rejects(artist.ghosts.count(), ImaginaryTableError);
    // A missing join table, read alone and eagerly.
    await assert.rejects(artist.lost_albums.get(), (error: unknown) => {
      assert.ok(error instanceof ImaginaryTableError, String(error));
      assert.match(error.message, /NoSuchJoinTable|no_such_join_table/);
      return true;
    });
    await assert.rejects(artist.lost_albums.count(), ImaginaryTableError);
    await assert.rejects(Artist.find({ include: ['lost_albums'] }), ImaginaryTableError);
  });

  it('a missing table inside a transaction is ImaginaryTableError too', async () => {
    await assert.rejects(
      transaction(() => Ghost.find(1)),
      (error: unknown) => error instanceof TransactionError && error.cause instanceof ImaginaryTableError,
    );
  });

  for (const [label, model] of [
    ['without a belongs-to', () => Album],
    ['with its belongs-to', () => AlbumOfArtist],
  ] as const) {
    it(`a foreign-key refusal is reported under the column's name (${label})`, async () => {
      const album = new (model())({
        [db.n('AlbumId')]: 500,
        [db.n('Title')]: 'Lost',
        [db.n('ArtistId')]: 999,
      });
      await album.save();
      assert.deepEqual(album.errors.properties(), [db.n('ArtistId')]);
      assert.match(album.errors.errorsFor(db.n('ArtistId')).join(), /must refer to an existing row/);
      assert.equal(await Album.count(), MUSIC_ROWS.albums);
    });
  }

  it('a foreign key whose clause spells the column in another case reports it as the table spells it', async () => {
    const review = await Review.create({ [db.n('ReviewId')]: 1, [db.n('AlbumId')]: 999 });
    assert.deepEqual(review.errors.properties(), [db.n('AlbumId')]);
    assert.equal(await Review.count(), 0);
    // Changing the key of a saved record: the UPDATE's refusal goes under the column too.
    const saved = await Review.create({ [db.n('ReviewId')]: 2, [db.n('AlbumId')]: 1 });
    assert.deepEqual(saved.errors.properties(), []);
    (saved as unknown as Record<string, unknown>)[db.n('AlbumId')] = 999;
    await saved.save();
    assert.deepEqual(saved.errors.properties(), [db.n('AlbumId')]);
  });
});

function q(
  db: { n(name: string): string; pool: { dialect: { quoteIdentifier(n: string): string } } },
  name: string,
) {
  return db.pool.dialect.quoteIdentifier(db.n(name));
}
