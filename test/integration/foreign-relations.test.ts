import assert from 'node:assert/strict';
import { afterEach, before } from 'node:test';
import {
  connect,
  DBObject,
  ReferenceNotSavedError,
  Registry,
  StrictLoadingError,
  type BelongsTo,
  type ConnectionPool,
  type HABTM,
  type HasMany,
} from '../../src/index.js';
import { it } from '../support/backends.js';
import { describeMusicStore, type MusicStoreContext } from '../support/music-store.js';
import { statementsOf } from '../support/relationship-models.js';

/** Models of the music store's tables, in the suite's naming style, registered for its relationships. */
function musicModels(n: MusicStoreContext['n']) {
  class Artist extends DBObject {
    static override TABLENAME = n('Artist');
    static override PRIMARY_KEY = n('ArtistId');
    static override HASMANY = [{ name: 'albums', className: 'Album', foreignKey: n('ArtistId') }];
    declare albums: HasMany<Album>;
  }
  class Album extends DBObject {
    static override TABLENAME = n('Album');
    static override PRIMARY_KEY = n('AlbumId');
    static override BELONGSTO = [{ name: 'artist', className: 'Artist', foreignKey: n('ArtistId') }];
    static override HASMANY = [{ name: 'tracks', className: 'Track', foreignKey: n('AlbumId') }];
    declare artist: BelongsTo<Artist>;
    declare tracks: HasMany<Track>;
  }
  class Track extends DBObject {
    static override TABLENAME = n('Track');
    static override PRIMARY_KEY = n('TrackId');
    static override BELONGSTO = [{ name: 'album', className: 'Album', foreignKey: n('AlbumId') }];
    declare album: BelongsTo<Album>;
  }
  const join = { className: 'Track', foreignKey: n('PlaylistId'), associationForeignKey: n('TrackId') };
  class Playlist extends DBObject {
    static override TABLENAME = n('Playlist');
    static override PRIMARY_KEY = n('PlaylistId');
    static override HABTM = [
      { name: 'tracks', joinTable: n('PlaylistTrack'), ...join },
      // A join table another tool made without any key: no unique pair to lean on.
      { name: 'loose', joinTable: n('PlaylistTrackLoose'), ...join },
    ];
    declare tracks: HABTM<Track>;
    declare loose: HABTM<Track>;
  }
  Registry.register(Artist, Album, Track, Playlist);
  return { Artist, Album, Track, Playlist };
}

/** A column's value of a model object, by its name in the table. */
function col(obj: object, column: string): unknown {
  return (obj as Record<string, unknown>)[column];
}

describeMusicStore('relationships on a schema another tool wrote', (db) => {
  let models!: ReturnType<typeof musicModels>;
  const q = (name: string) => db.pool.dialect.quoteIdentifier(db.n(name));

  before(async () => {
    models = musicModels(db.n);
    await db.pool.runOperation(
      `CREATE TABLE ${q('PlaylistTrackLoose')} (${q('PlaylistId')} INTEGER NOT NULL, ${q('TrackId')} INTEGER NOT NULL)`,
    );
    for (const model of Object.values(models)) await model.columns();
  });

  afterEach(() => {
    Registry.AUTO_BATCH = true;
    Registry.STRICT_LOADING = false;
  });

  /** Playlist 1's tracks with their album's title and artist's name, and the statements it took. */
  async function walkPlaylist(): Promise<{ rows: string[]; statements: string[] }> {
    const rows: string[] = [];
    const statements = await statementsOf(db.pool, async () => {
      const playlist = (await models.Playlist.find(1))!;
      for (const track of await playlist.tracks.get()) {
        const album = (await track.album.get())!;
        const artist = (await album.artist.get())!;
        rows.push(
          `${String(col(track, db.n('Name')))} / ${String(col(album, db.n('Title')))} / ${String(col(artist, db.n('Name')))}`,
        );
      }
    });
    return { rows, statements };
  }

  it("a loop over one owner's HABTM children and their parents costs a statement per level, not per row", async () => {
    const batched = await walkPlaylist();
    assert.equal(batched.rows.length, 25);
    // find, tracks, their albums, the albums' artists.
    assert.equal(batched.statements.length, 4, batched.statements.join('\n'));
    Registry.AUTO_BATCH = false;
    const unbatched = await walkPlaylist();
    assert.deepEqual(unbatched.rows, batched.rows);
    assert.equal(unbatched.statements.length, 2 + 2 * 25, 'AUTO_BATCH off: one statement per row');
  });

  it('has-many children of one owner batch their own relations too, and batch: false is honoured', async () => {
    const titles = async (batch?: boolean) => {
      const found: string[] = [];
      const statements = await statementsOf(db.pool, async () => {
        const artist = (await models.Artist.find({ where: [`${q('ArtistId')} = ?`, 1], limit: 1, batch }))!;
        for (const album of await artist.albums.get()) {
          for (const track of await album.tracks.get()) found.push(String(col(track, db.n('Name'))));
        }
      });
      return { found, statements };
    };
    const batched = await titles();
    assert.equal(batched.found.length, 12, 'artist 1 has albums 1 and 6, six tracks each');
    assert.equal(batched.statements.length, 3, batched.statements.join('\n'));
    const unbatched = await titles(false);
    assert.deepEqual(unbatched.found, batched.found);
    assert.equal(unbatched.statements.length, 4, 'batch: false on the owner reaches the objects it loads');
  });

  it("strict loading still refuses the owner's own load, and allows its children's batched ones", async () => {
    const playlist = (await models.Playlist.find(1))!;
    Registry.STRICT_LOADING = true;
    await assert.rejects(playlist.tracks.get(), StrictLoadingError);
    const included = (await models.Playlist.find(1, { include: ['tracks'] }))!;
    const tracks = await included.tracks.get();
    assert.equal(tracks.length, 25);
    assert.ok(await tracks[0]!.album.get());
  });

  it('add() knows a linked pair when the join keys are declared in another case', async () => {
    class ShoutedPlaylist extends DBObject {
      static override TABLENAME = db.n('Playlist');
      static override PRIMARY_KEY = db.n('PlaylistId');
      static override HABTM = [
        {
          name: 'loose',
          className: 'Track',
          joinTable: db.n('PlaylistTrackLoose'),
          foreignKey: db.n('PlaylistId').toUpperCase(),
          associationForeignKey: db.n('TrackId').toUpperCase(),
        },
      ];
      declare loose: HABTM<InstanceType<typeof models.Track>>;
    }
    Registry.register(ShoutedPlaylist);
    const playlist = (await ShoutedPlaylist.find(3))!;
    const track = (await models.Track.find(5))!;
    await playlist.loose.add(track);
    await playlist.loose.add(track);
    const rows = await db.pool.runQuery(
      `SELECT COUNT(*) AS n FROM ${q('PlaylistTrackLoose')} WHERE ${q('PlaylistId')} = 3 AND ${q('TrackId')} = 5`,
    );
    assert.equal(Number(rows[0]!.n), 1, 'the second add() found the pair');
    await playlist.loose.remove(track);
  });

  for (const relation of ['tracks', 'loose'] as const) {
    const what = relation === 'tracks' ? 'a composite-key join table' : 'a join table without a key';

    it(`add() inserts only the missing pairs and remove() deletes only the given ones (${what})`, async () => {
      const { Playlist, Track } = models;
      const playlist = (await Playlist.find(3))!;
      const [t1, t2, t3] = [(await Track.find(1))!, (await Track.find(2))!, (await Track.find(3))!];
      const adding = await statementsOf(db.pool, () => playlist[relation].add(t1, t2));
      assert.equal(adding.filter((sql) => /^\s*INSERT/i.test(sql)).length, 1, adding.join('\n'));
      assert.ok(!adding.some((sql) => /^\s*DELETE/i.test(sql)), 'add() rewrites nothing');
      await playlist[relation].add(t2, t3, t3);
      assert.equal(await playlist[relation].count(), 3);
      const rows = await db.pool.runQuery(
        `SELECT COUNT(*) AS n FROM ${q(relation === 'tracks' ? 'PlaylistTrack' : 'PlaylistTrackLoose')} WHERE ${q('PlaylistId')} = 3`,
      );
      assert.equal(Number(rows[0]!.n), 3, 'an existing pair is not inserted again');
      const removing = await statementsOf(db.pool, () => playlist[relation].remove(t1, t3));
      assert.equal(removing.filter((sql) => /^\s*DELETE/i.test(sql)).length, 1);
      assert.deepEqual(
        (await playlist[relation].reload().get()).map((t) => t.id),
        [2],
      );
      await playlist[relation].clear();
      // Playlist 1 was not touched.
      if (relation === 'tracks') assert.equal(await (await Playlist.find(1))!.tracks.count(), 25);
    });

    it(`add() and remove() keep a loaded value in step, and refuse unsaved objects (${what})`, async () => {
      const { Playlist, Track } = models;
      const playlist = (await Playlist.find(3))!;
      assert.deepEqual(await playlist[relation].get(), []);
      const t5 = (await Track.find(5))!;
      await playlist[relation].add(t5);
      assert.deepEqual(
        (await playlist[relation].get()).map((t) => t.id),
        [5],
      );
      await assert.rejects(playlist[relation].add(new Track()), ReferenceNotSavedError);
      await assert.rejects(playlist[relation].remove(new Track()), ReferenceNotSavedError);
      await playlist[relation].remove(t5);
      assert.deepEqual(await playlist[relation].get(), []);
      assert.equal(await playlist[relation].count(), 0);
    });

    it(`concurrent add() to one owner from two pools all land (${what})`, async () => {
      const { Playlist, Track } = models;
      // SQLite: each pool on a thread of its own, so that one waits for the other's write lock off the event
      // loop (two in-process pools on one file would block the loop that the other needs to commit).
      const options = db.name === 'sqlite' ? { workers: 1 } : {};
      const pools: ConnectionPool[] = [connect(db.url, options), connect(db.url, options)];
      const original = Registry.DBPOOL;
      try {
        const tracks = await Track.find({ where: [`${q('TrackId')} <= ?`, 20], orderBy: db.n('TrackId') });
        for (let round = 0; round < 3; round++) {
          const owners = await Promise.all(tracks.map(() => Playlist.find(3)));
          const adds: Promise<void>[] = [];
          for (const [i, track] of tracks.entries()) {
            // Each add() takes its pool when called; all are started before any is awaited.
            Registry.DBPOOL = pools[i % 2]!;
            adds.push(owners[i]![relation].add(track));
          }
          Registry.DBPOOL = original;
          await Promise.all(adds);
          const linked = await (await Playlist.find(3))![relation].get();
          assert.deepEqual(
            linked.map((t) => t.id),
            tracks.map((t) => t.id),
            `round ${round}`,
          );
          await (await Playlist.find(3))![relation].clear();
        }
      } finally {
        Registry.DBPOOL = original;
        for (const pool of pools) await pool.close();
      }
    });
  }
});
