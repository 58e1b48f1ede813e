import assert from 'node:assert/strict';
import { after, before, beforeEach } from 'node:test';
import {
  DBObject,
  InvalidQueryError,
  ReferenceNotSavedError,
  Registry,
  SchemaBuilder,
  SoftDeleteError,
  UniqueViolationError,
  UnsupportedSchemaChangeError,
  connect,
  gte,
  ne,
  transaction,
  type BelongsTo,
  type ConnectionPool,
  type HABTM,
  type HasMany,
  type Query,
} from '../../src/index.js';
import { describeEachBackend, it, type BackendContext } from '../support/backends.js';
import { refused, statementsOf } from '../support/query-models.js';
import { createTable, dropTable } from '../support/schema.js';

/*
 * Soft deletes (issue 15): `static SOFT_DELETE = 'deleted_at'`. delete() sets the column, every read path leaves
 * such rows out, withDeleted()/onlyDeleted() read them, restore() and forceDelete() undo and finish a delete; a
 * partial unique index keeps a value unique among the live rows against concurrent writers.
 */

/** What the hooks of the models saw, in order. */
const calls: string[] = [];

class SoftAuthor extends DBObject {
  static override TABLENAME = 'soft_authors';
  static override SOFT_DELETE = 'deleted_at';
  static override HASMANY = [{ name: 'posts', className: 'SoftPost', foreignKey: 'author_id' }];
  static override HABTM = [
    {
      name: 'tags',
      className: 'SoftTag',
      joinTable: 'soft_authors_tags',
      foreignKey: 'author_id',
      associationForeignKey: 'tag_id',
    },
  ];
  static override SCOPES = { adults: (q: Query<SoftAuthor>) => q.where({ age: gte(18) }) };
  declare id: number;
  declare name: string;
  declare age: number | null;
  declare deleted_at: Date | null;
  declare created_at: Date | null;
  declare updated_at: Date | null;
  declare posts: HasMany<SoftPost>;
  declare tags: HABTM<SoftTag>;

  override beforeDelete(): boolean {
    calls.push(`beforeDelete ${this.name}`);
    return this.name !== 'Keep';
  }
  override afterDelete(): void {
    calls.push(`afterDelete ${this.name} ${this.deleted_at == null ? 'live' : 'deleted'}`);
  }
  override beforeRestore(): boolean {
    calls.push(`beforeRestore ${this.name}`);
    return this.name !== 'Stay';
  }
  override afterRestore(): void {
    calls.push(`afterRestore ${this.name} ${this.deleted_at == null ? 'live' : 'deleted'}`);
  }
}

class SoftPost extends DBObject {
  static override TABLENAME = 'soft_posts';
  static override SOFT_DELETE = 'deleted_at';
  static override BELONGSTO = [{ name: 'author', className: 'SoftAuthor', foreignKey: 'author_id' }];
  declare id: number;
  declare author_id: number | null;
  declare title: string;
  declare deleted_at: Date | null;
  declare author: BelongsTo<SoftAuthor>;
}

class SoftTag extends DBObject {
  static override TABLENAME = 'soft_tags';
  static override SOFT_DELETE = 'deleted_at';
  declare id: number;
  declare name: string;
  declare deleted_at: Date | null;
}

/** Accounts whose email is unique among the live rows: by validation, and by the partial unique index. */
class SoftAccount extends DBObject {
  static override TABLENAME = 'soft_accounts';
  static override SOFT_DELETE = 'deleted_at';
  declare id: number;
  declare email: string;
  declare deleted_at: Date | null;
}

class ValidatedAccount extends DBObject {
  static override TABLENAME = 'soft_accounts';
  static override SOFT_DELETE = 'deleted_at';
  declare id: number;
  declare email: string;
  declare deleted_at: Date | null;
}
ValidatedAccount.validatesUniquenessOf('email');

/** A model without soft deletes on the same table: it sees every row. */
class PlainAuthor extends DBObject {
  static override TABLENAME = 'soft_authors';
  declare id: number;
  declare name: string;
  declare deleted_at: Date | null;
}

/** SOFT_DELETE naming a column the table lacks. */
class Misnamed extends DBObject {
  static override TABLENAME = 'soft_tags';
  static override SOFT_DELETE = 'removed_at';
}

Registry.register(SoftAuthor, SoftPost, SoftTag, SoftAccount, ValidatedAccount, PlainAuthor, Misnamed);

const TABLES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  soft_authors: {
    id: 'pk',
    name: 'string',
    age: 'int',
    deleted_at: 'datetime',
    created_at: 'datetime',
    updated_at: 'datetime',
  },
  soft_posts: { id: 'pk', author_id: 'int', title: 'string', deleted_at: 'datetime' },
  soft_tags: { id: 'pk', name: 'string', deleted_at: 'datetime' },
  soft_authors_tags: { author_id: 'int', tag_id: 'int' },
};

/**
 * soft_accounts with email unique among the live rows: the schema builder's partial unique index where the
 * database has partial indexes; where it refuses one (MySQL, MariaDB), the alternative docs/migrations.md gives.
 */
async function createAccounts(pool: ConnectionPool): Promise<void> {
  await dropTable(pool, 'soft_accounts');
  const schema = new SchemaBuilder(pool);
  const build = (partial: boolean) =>
    schema.createTable('soft_accounts', (t) => {
      t.id();
      t.string('email').notNull();
      t.softDeletes();
      if (partial) t.unique(['email'], { whereNull: 'deleted_at' });
    });
  try {
    await build(true);
  } catch (error) {
    if (!(error instanceof UnsupportedSchemaChangeError)) throw error;
    await build(false);
    await pool.runOperation(
      'ALTER TABLE soft_accounts ADD COLUMN alive TINYINT AS (IF(deleted_at IS NULL, 1, NULL)) STORED, ' +
        'ADD UNIQUE INDEX soft_accounts_email_unique (email, alive)',
    );
  }
  Registry.getConfig(pool).forgetColumns('soft_accounts');
}

const people: Record<string, SoftAuthor> = {};
const DELETED = new Date(Date.UTC(2024, 0, 1, 12, 0, 0));

/**
 * Ann (live: posts a1, and a2 deleted; tags red, and blue deleted), Bob (deleted; post b1 live), Cy (live, no
 * posts; tag blue). Tags red (live) and blue (deleted).
 */
async function seed(): Promise<void> {
  const [ann, bob, cy] = await SoftAuthor.createMany([
    { name: 'Ann', age: 30 },
    { name: 'Bob', age: 40, deleted_at: DELETED },
    { name: 'Cy', age: 12 },
  ]);
  Object.assign(people, { Ann: ann, Bob: bob, Cy: cy });
  await SoftPost.createMany([
    { author_id: ann!.id, title: 'a1' },
    { author_id: ann!.id, title: 'a2', deleted_at: DELETED },
    { author_id: bob!.id, title: 'b1' },
  ]);
  const [red, blue] = await SoftTag.createMany([{ name: 'red' }, { name: 'blue', deleted_at: DELETED }]);
  await Registry.getConfig().insertMany('soft_authors_tags', [
    { author_id: ann!.id, tag_id: red!.id },
    { author_id: ann!.id, tag_id: blue!.id },
    { author_id: cy!.id, tag_id: blue!.id },
  ]);
  calls.length = 0;
}

function useSoftTables(db: BackendContext): void {
  before(async () => {
    for (const [table, columns] of Object.entries(TABLES)) await createTable(db.pool, table, columns);
    await createAccounts(db.pool);
  });
  beforeEach(async () => {
    for (const table of [...Object.keys(TABLES), 'soft_accounts'])
      await db.pool.runOperation(`DELETE FROM ${table}`);
    await seed();
  });
  after(async () => {
    if (db.url === 'pglite:' || db.url.includes(':memory:')) return;
    const pool = connect(db.url);
    try {
      for (const table of [...Object.keys(TABLES), 'soft_accounts']) await dropTable(pool, table);
    } finally {
      await pool.close();
    }
  });
}

const names = (rows: readonly { name: string }[]) => rows.map((row) => row.name).sort();
const titles = (rows: readonly { title: string }[]) => rows.map((row) => row.title).sort();

describeEachBackend('soft deletes', (db) => {
  useSoftTables(db);

  it('the finders leave deleted rows out: find, findBy, all, find(options), count, exists, each', async () => {
    const { Ann, Bob } = people as { Ann: SoftAuthor; Bob: SoftAuthor };
    assert.equal(await SoftAuthor.find(Bob.id), null);
    assert.equal((await SoftAuthor.find(Ann.id))?.name, 'Ann');
    assert.equal(await SoftAuthor.findBy({ name: 'Bob' }, { limit: 1 }), null);
    assert.deepEqual(names(await SoftAuthor.findBy({})), ['Ann', 'Cy']);
    assert.deepEqual(names(await SoftAuthor.all()), ['Ann', 'Cy']);
    assert.deepEqual(names(await SoftAuthor.find({ where: ['age > ?', 20] })), ['Ann']);
    assert.equal(await SoftAuthor.count(), 2);
    assert.equal(await SoftAuthor.count({ name: 'Bob' }), 0);
    assert.equal(await SoftAuthor.exists({ name: 'Bob' }), false);
    const walked: SoftAuthor[] = [];
    for await (const author of SoftAuthor.each({ batchSize: 1 })) walked.push(author);
    assert.deepEqual(names(walked), ['Ann', 'Cy']);
    // Twice the same find(id) in one tick (merged finds) leaves it out as well.
    assert.deepEqual(await Promise.all([SoftAuthor.find(Bob.id), SoftAuthor.find(Bob.id)]), [null, null]);
    assert.equal(await PlainAuthor.count(), 3, 'a model without SOFT_DELETE sees every row');
  });

  it('queries leave them out: where, orWhere, first, pluck, aggregates, paginate, cursorPage, each, subqueries', async () => {
    assert.deepEqual(names(await SoftAuthor.query()), ['Ann', 'Cy']);
    assert.deepEqual(names(await SoftAuthor.where({ name: 'Ann' }).orWhere({ name: 'Bob' })), ['Ann']);
    assert.equal(await SoftAuthor.where({ name: 'Bob' }).first(), null);
    assert.deepEqual((await SoftAuthor.query().pluck('name')).sort(), ['Ann', 'Cy']);
    assert.equal(await SoftAuthor.query().count(), 2);
    assert.equal(await SoftAuthor.where({ name: 'Bob' }).exists(), false);
    assert.equal(await SoftAuthor.max('age'), 30);
    assert.equal(await SoftAuthor.sum('age'), 42);
    const groups = await SoftAuthor.query().group('name').count();
    assert.deepEqual(groups.map((row) => row.name).sort(), ['Ann', 'Cy']);
    const page = await SoftAuthor.query().orderBy('id').paginate({ page: 1, perPage: 10 });
    assert.deepEqual([page.total, names(page.data)], [2, ['Ann', 'Cy']]);
    const keyset = await SoftAuthor.query().orderBy('id').cursorPage({ limit: 1 });
    assert.equal(keyset.data[0]?.name, 'Ann');
    const walked: SoftAuthor[] = [];
    for await (const author of SoftAuthor.query().each({ batchSize: 1 })) walked.push(author);
    assert.deepEqual(names(walked), ['Ann', 'Cy']);
    assert.deepEqual(names(await SoftAuthor.scope('adults')), ['Ann']);
    // unscoped() lifts DEFAULT_SCOPE only: deleted rows stay hidden.
    assert.deepEqual(names(await SoftAuthor.unscoped()), ['Ann', 'Cy']);
    // The same query shape twice: the statement kept for it keeps the condition.
    assert.equal(await SoftAuthor.where({ name: 'Bob' }).first(), null);
    assert.deepEqual(titles(await SoftPost.where({ author_id: people.Bob!.id })), ['b1']);
  });

  it('relations leave them out: has-many get/count/query, HABTM, belongs-to, include, withCount, whereHas', async () => {
    const { Ann, Bob, Cy } = people as Record<string, SoftAuthor>;
    assert.deepEqual(titles(await Ann!.posts.get()), ['a1']);
    assert.equal(await Ann!.posts.count(), 1);
    assert.deepEqual(titles(await Ann!.posts.query()), ['a1']);
    assert.deepEqual(titles(await Ann!.posts.get({ where: ['title <> ?', 'zz'] })), ['a1']);
    assert.deepEqual(names(await Ann!.tags.get()), ['red']);
    assert.equal(await Ann!.tags.count(), 1);
    assert.deepEqual(names(await Cy!.tags.get({ orderBy: 'name' })), []);
    // Belongs-to a deleted author: none, loaded alone or for several posts at once.
    const b1 = await SoftPost.where({ title: 'b1' }).firstOrFail();
    assert.equal(await b1.author.get(), null);
    const posts = await SoftPost.query().orderBy('id').include('author');
    assert.deepEqual(await Promise.all(posts.map(async (post) => (await post.author.get())?.name ?? null)), [
      'Ann',
      null,
    ]);
    const loaded = await SoftAuthor.query().orderBy('id').include('posts', 'tags');
    assert.deepEqual(
      await Promise.all(
        loaded.map(async (a) => [a.name, titles(await a.posts.get()), names(await a.tags.get())]),
      ),
      [
        ['Ann', ['a1'], ['red']],
        ['Cy', [], []],
      ],
    );
    const counted = await SoftAuthor.query().withCount('posts', 'tags').orderBy('id');
    assert.deepEqual(
      await Promise.all(counted.map(async (a) => [await a.posts.count(), await a.tags.count()])),
      [
        [1, 1],
        [0, 0],
      ],
    );
    assert.deepEqual(names(await SoftAuthor.whereHas('posts', { title: 'a2' })), []);
    assert.deepEqual(names(await SoftAuthor.whereHas('tags')), ['Ann']);
    assert.deepEqual(names(await SoftAuthor.whereDoesntHave('tags')), ['Cy']);
    assert.deepEqual(titles(await SoftPost.whereHas('author')), ['a1'], "b1's author is deleted");
    // The owner of a relation may itself be deleted: its live posts are still its.
    assert.deepEqual(titles(await Bob!.posts.get()), ['b1']);
  });

  it('withDeleted() and onlyDeleted(): as statics, on queries, in include and whereHas; unscoped() apart', async () => {
    assert.deepEqual(names(await SoftAuthor.withDeleted()), ['Ann', 'Bob', 'Cy']);
    assert.deepEqual(names(await SoftAuthor.onlyDeleted()), ['Bob']);
    assert.deepEqual(names(await SoftAuthor.where({ age: gte(18) }).withDeleted()), ['Ann', 'Bob']);
    assert.equal(await SoftAuthor.query().onlyDeleted().count(), 1);
    assert.deepEqual(names(await SoftAuthor.unscoped().withDeleted()), ['Ann', 'Bob', 'Cy']);
    assert.deepEqual(
      names(await SoftAuthor.onlyDeleted().withDeleted()),
      ['Ann', 'Bob', 'Cy'],
      'the last wins',
    );
    assert.deepEqual(names(await SoftAuthor.withDeleted().scope('adults')), ['Ann', 'Bob']);
    const bob = await SoftAuthor.withDeleted().where({ name: 'Bob' }).firstOrFail();
    assert.equal(bob.deleted_at?.getTime(), DELETED.getTime());
    assert.equal(bob.isDeleted(), true);
    const [ann] = await SoftAuthor.where({ name: 'Ann' }).include({
      posts: (q) => q.withDeleted(),
      tags: (q) => q.onlyDeleted(),
    });
    assert.deepEqual(titles(await ann!.posts.get()), ['a1', 'a2']);
    assert.deepEqual(names(await ann!.tags.get()), ['blue']);
    assert.deepEqual(names(await SoftAuthor.whereHas('posts', (q) => q.onlyDeleted())), ['Ann']);
    assert.deepEqual(names(await SoftAuthor.whereHas('tags', (q) => q.withDeleted())), ['Ann', 'Cy']);
    assert.deepEqual(titles(await ann!.posts.query().withDeleted()), ['a1', 'a2']);
    await refused(
      db.pool,
      () => PlainAuthor.withDeleted(),
      SoftDeleteError,
      'withDeleted without SOFT_DELETE',
    );
    await refused(db.pool, () => PlainAuthor.query().onlyDeleted(), SoftDeleteError, 'onlyDeleted');
    await refused(db.pool, () => Misnamed.query().first(), SoftDeleteError, 'SOFT_DELETE names no column');
  });

  it('delete() sets the column to the time, with updated_at, keeps the row and its links, and runs the hooks', async () => {
    const ann = people.Ann!;
    const before = Date.now();
    const sent = await statementsOf(db.pool, async () => assert.equal(await ann.delete(), true));
    assert.equal(sent.filter((text) => /^\s*DELETE/i.test(text)).length, 0, sent.join('\n'));
    assert.ok(ann.deleted_at instanceof Date && ann.deleted_at.getTime() >= before - 1000, 'the client time');
    assert.equal(ann.updated_at?.getTime(), ann.deleted_at.getTime());
    assert.equal(ann.isDeleted(), true);
    assert.equal(ann.isNewRecord(), false, 'the row is still there');
    assert.deepEqual(calls, ['beforeDelete Ann', 'afterDelete Ann deleted']);
    const row = await SoftAuthor.withDeleted().where({ id: ann.id }).firstOrFail();
    assert.equal(row.deleted_at?.getTime(), ann.deleted_at.getTime(), 'the object holds what the row holds');
    assert.equal(await SoftAuthor.find(ann.id), null);
    const links = await Registry.getConfig().count('soft_authors_tags', ['author_id = ?', ann.id]);
    assert.equal(links, 2, 'join rows stay, for restore()');
    // Saving a deleted object updates its row, which stays deleted.
    ann.age = 31;
    await ann.save();
    assert.equal((await SoftAuthor.withDeleted().where({ id: ann.id }).firstOrFail()).age, 31);
    assert.equal(await SoftAuthor.find(ann.id), null);
  });

  it('a before-hook cancels a soft delete; a second delete() of a deleted object is refused', async () => {
    const keep = await SoftAuthor.create({ name: 'Keep' });
    assert.equal(await keep.delete(), false);
    assert.equal(keep.deleted_at ?? null, null);
    assert.equal((await SoftAuthor.find(keep.id))?.name, 'Keep');
    const bob = await SoftAuthor.onlyDeleted().firstOrFail();
    await refused(db.pool, () => bob.delete(), ReferenceNotSavedError, 'delete of a soft-deleted object');
    assert.equal(bob.deleted_at?.getTime(), DELETED.getTime());
  });

  it('restore() brings a record back with its relations; a live record is left alone (false, nothing sent)', async () => {
    const bob = await SoftAuthor.onlyDeleted().firstOrFail();
    assert.equal(await bob.restore(), true);
    assert.equal(bob.deleted_at, null);
    assert.equal(bob.isDeleted(), false);
    assert.deepEqual(calls, ['beforeRestore Bob', 'afterRestore Bob live']);
    assert.equal((await SoftAuthor.find(bob.id))?.name, 'Bob');
    assert.equal((await (await SoftPost.where({ title: 'b1' }).firstOrFail()).author.get())?.name, 'Bob');
    // Deleted and restored again: the tags it had come back with it.
    const ann = people.Ann!;
    await ann.delete();
    await ann.restore();
    assert.deepEqual(names(await ann.tags.reload().get()), ['red']);
    calls.length = 0;
    const sent = await statementsOf(db.pool, async () => assert.equal(await ann.restore(), false));
    assert.deepEqual([sent, calls], [[], []]);
    const stay = await SoftAuthor.create({ name: 'Stay', deleted_at: DELETED });
    assert.equal(await stay.restore(), false, 'beforeRestore cancelled');
    assert.equal(await SoftAuthor.find(stay.id), null);
    const plain = (await PlainAuthor.all())[0]!;
    await refused(db.pool, () => plain.restore(), SoftDeleteError, 'restore without SOFT_DELETE');
    await refused(
      db.pool,
      () => new SoftAuthor({ name: 'New' }).restore(),
      ReferenceNotSavedError,
      'unsaved',
    );
  });

  it('forceDelete() removes the row and its links, soft-deleted or not, running the delete hooks', async () => {
    const ann = people.Ann!;
    assert.equal(await ann.forceDelete(), true);
    assert.deepEqual(calls, ['beforeDelete Ann', 'afterDelete Ann live']);
    assert.equal(ann.isDeleted(), true);
    assert.equal(await SoftAuthor.withDeleted().where({ id: ann.id }).first(), null);
    assert.equal(await Registry.getConfig().count('soft_authors_tags', ['author_id = ?', ann.id]), 0);
    const bob = await SoftAuthor.onlyDeleted().firstOrFail();
    assert.equal(await bob.forceDelete(), true);
    assert.equal(await SoftAuthor.withDeleted().count(), 1);
    await refused(db.pool, () => bob.forceDelete(), ReferenceNotSavedError, 'forceDelete twice');
    await refused(db.pool, () => bob.restore(), ReferenceNotSavedError, 'restore of a removed row');
    const plain = await PlainAuthor.create({ name: 'Plain' });
    assert.equal(await plain.forceDelete(), true, 'on a model without SOFT_DELETE, as delete()');
  });

  it("a query's deleteAll soft-deletes the live rows it matches; forceDeleteAll removes; updateAll skips deleted", async () => {
    const before = Date.now();
    assert.equal(await SoftAuthor.where({ age: gte(18) }).deleteAll(), 1, 'Ann; Bob was deleted already');
    assert.equal(await SoftAuthor.count(), 1);
    const ann = await SoftAuthor.withDeleted().where({ name: 'Ann' }).firstOrFail();
    assert.ok((ann.deleted_at?.getTime() ?? 0) >= before - 1000);
    assert.equal(ann.updated_at?.getTime(), ann.deleted_at?.getTime());
    const bob = await SoftAuthor.withDeleted().where({ name: 'Bob' }).firstOrFail();
    assert.equal(bob.deleted_at?.getTime(), DELETED.getTime(), "an earlier delete's time is kept");
    assert.equal(
      await SoftPost.withDeleted()
        .where({ title: ne('zz') })
        .updateAll({ title: 'x' }),
      3,
    );
    assert.equal(await SoftPost.where({ title: 'x' }).updateAll({ title: 'y' }), 2, 'the live ones only');
    // Emptying the trash: onlyDeleted() is condition enough; a bare query is refused as before.
    assert.equal(await SoftAuthor.onlyDeleted().forceDeleteAll(), 2);
    assert.equal(await PlainAuthor.count(), 1);
    await refused(
      db.pool,
      () => SoftAuthor.query().deleteAll(),
      InvalidQueryError,
      'deleteAll without a condition',
    );
    await refused(
      db.pool,
      () => SoftAuthor.query().forceDeleteAll(),
      InvalidQueryError,
      'forceDeleteAll bare',
    );
    assert.equal(await SoftPost.where({ title: 'y' }).forceDeleteAll(), 2, 'the live rows the query matches');
    assert.equal(await SoftPost.withDeleted().count(), 1);
  });

  it("the model's deleteAll soft-deletes the live rows; forceDeleteAll removes every row matching", async () => {
    assert.equal(await SoftAuthor.deleteAll(['age < ?', 35]), 2, 'Ann and Cy; Bob was deleted already');
    assert.equal(await SoftAuthor.count(), 0);
    assert.equal(await SoftAuthor.withDeleted().count(), 3);
    assert.equal(await SoftTag.deleteAll(), 1, 'every live row');
    assert.equal(await SoftTag.onlyDeleted().count(), 2);
    assert.equal(await SoftAuthor.forceDeleteAll(['age > ?', 35]), 1, 'Bob, deleted or not');
    assert.equal(await SoftTag.forceDeleteAll(), 2);
    assert.equal(await SoftTag.withDeleted().count(), 0);
    await refused(db.pool, () => SoftAuthor.deleteAll(undefined), InvalidQueryError, 'an empty condition');
    await refused(db.pool, () => SoftAuthor.forceDeleteAll([]), InvalidQueryError, 'an empty condition');
  });

  it('a soft delete in a transaction that rolls back leaves the row live', async () => {
    const ann = (await SoftAuthor.find(people.Ann!.id))!;
    await assert.rejects(
      transaction(async () => {
        await ann.delete();
        assert.equal(await SoftAuthor.count(), 1);
        throw new Error('undo');
      }),
    );
    assert.equal(await SoftAuthor.count(), 2);
  });

  it('two copies of one record deleted at once: both resolve, one UPDATE wins and both hold its time', async () => {
    const id = people.Ann!.id;
    const [a, b] = [(await SoftAuthor.find(id))!, (await SoftAuthor.find(id))!];
    assert.deepEqual(await Promise.all([a.delete(), b.delete()]), [true, true]);
    const row = await SoftAuthor.withDeleted().where({ id }).firstOrFail();
    assert.ok(row.deleted_at instanceof Date);
    assert.equal(a.deleted_at?.getTime(), row.deleted_at.getTime());
    assert.equal(b.deleted_at?.getTime(), row.deleted_at.getTime());
    assert.equal(a.isDeleted() && b.isDeleted(), true);
  });

  it('the same object deleted twice at once: the first deletes, the second is refused', async () => {
    const ann = people.Ann!;
    const outcomes = await Promise.allSettled([ann.delete(), ann.delete()]);
    assert.equal(outcomes[0].status, 'fulfilled');
    assert.ok(outcomes[1].status === 'rejected' && outcomes[1].reason instanceof ReferenceNotSavedError);
    assert.deepEqual(calls, ['beforeDelete Ann', 'afterDelete Ann deleted']);
  });

  it('validatesUniquenessOf ignores soft-deleted rows', async () => {
    const first = await ValidatedAccount.create({ email: 'a@example.com' });
    const twin = await ValidatedAccount.create({ email: 'a@example.com' });
    assert.deepEqual(twin.errors.errorsFor('email'), ['Email is not unique.']);
    await first.delete();
    const second = await ValidatedAccount.create({ email: 'a@example.com' });
    assert.ok(second.errors.isEmpty(), second.errors.toString());
    assert.equal(await ValidatedAccount.withDeleted().where({ email: 'a@example.com' }).count(), 2);
    // Restoring the first now would make two live rows: the unique index over the live rows refuses it.
    await assert.rejects(first.restore(), UniqueViolationError);
  });

  it('the unique index over live rows: two concurrent inserts of a deleted email, one lands, one is refused', async () => {
    const gone = await SoftAccount.create({ email: 'race@example.com' });
    await gone.delete();
    const config = Registry.getConfig();
    const outcomes = await Promise.allSettled([
      config.insert('soft_accounts', { email: 'race@example.com' }),
      config.insert('soft_accounts', { email: 'race@example.com' }),
    ]);
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    const failed = outcomes.find((o) => o.status === 'rejected');
    assert.ok(failed?.status === 'rejected' && failed.reason instanceof UniqueViolationError, String(failed));
    assert.equal(await SoftAccount.count({ email: 'race@example.com' }), 1);
    // Through models, with their own pools' connections: one saved, the other refused with an error on email.
    const created = await Promise.all([
      SoftAccount.create({ email: 'pair@example.com' }),
      SoftAccount.create({ email: 'pair@example.com' }),
    ]);
    assert.deepEqual(created.map((account) => account.errors.isEmpty()).sort(), [false, true]);
  });

  it('concurrent soft delete and insert of the same email never leave two live rows', async () => {
    for (let round = 0; round < 5; round++) {
      const email = `swap${round}@example.com`;
      const old = await SoftAccount.create({ email });
      const [, inserted] = await Promise.allSettled([
        old.delete(),
        Registry.getConfig().insert('soft_accounts', { email }),
      ]);
      assert.ok(
        inserted.status === 'fulfilled' || inserted.reason instanceof UniqueViolationError,
        String(inserted.status === 'rejected' ? inserted.reason : ''),
      );
      assert.equal(await SoftAccount.count({ email }), inserted.status === 'fulfilled' ? 1 : 0);
      assert.equal(
        await SoftAccount.withDeleted().where({ email }).count(),
        inserted.status === 'fulfilled' ? 2 : 1,
      );
    }
  });
});
