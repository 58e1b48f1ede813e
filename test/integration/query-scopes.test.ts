import assert from 'node:assert/strict';
import { Registry, gte, ne, oneOf, type Row } from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import {
  Comment,
  User,
  namesOf,
  people,
  refused,
  seedRelations,
  useQueryTables,
} from '../support/query-models.js';

/*
 * Scopes (issue 14): named scopes (`static SCOPES`, `User.scope('adults')`, `q.scope('adults')`) and the default
 * scope (`static DEFAULT_SCOPE`), which applies to every query, finder, relation and eager load of its model
 * until `unscoped()` lifts it.
 *
 * User.SCOPES: adults (age >= 18), smiths, minorsOrSeniors (age < 18 OR age >= 60).
 * Comment.DEFAULT_SCOPE hides deleted comments: Ann 'hello' and Eve 'hi' are shown, Ann 'spam' and Bob 'gone'
 * deleted.
 */

describeEachBackend('query scopes', (db) => {
  useQueryTables(db, seedRelations);

  const bodies = (comments: readonly { body: string }[]) => comments.map((comment) => comment.body).sort();

  /** A comment's key, read around every scope (the low-level interface has none). */
  async function keyOf(body: string): Promise<number> {
    const row = (await Registry.getConfig().select('query_comments', {
      where: ['body = ?', body],
      limit: 1,
    })) as Row;
    return Number(row.id);
  }

  it('User.scope and q.scope apply named scopes, and scopes combine with each other and with where (AND)', async () => {
    assert.deepEqual(namesOf(await User.scope('adults')), ['Ann', 'Bob', 'Dee', 'Eve', 'Fay']);
    assert.deepEqual(namesOf(await User.scope('adults').scope('smiths')), ['Ann']);
    assert.deepEqual(namesOf(await User.where({ last_name: 'Jones' }).scope('adults')), ['Bob', 'Eve']);
    assert.deepEqual(
      namesOf(
        await User.query()
          .scope('smiths')
          .where({ age: ne(null) }),
      ),
      ['Abe', 'Ann'],
    );
    assert.equal(await User.scope('smiths').count(), 3);
    assert.deepEqual(await User.scope('smiths').orderBy('first_name').pluck('first_name'), [
      'Abe',
      'Ann',
      'Cid',
    ]);
    const adults = User.scope('adults');
    const adultSmiths = adults.scope('smiths');
    assert.deepEqual(namesOf(await adultSmiths), ['Ann']);
    assert.equal(await adults.count(), 5, 'a scope returns a new query: the base is unchanged');
  });

  it('a scope whose body uses orWhere stays ANDed with the query it is applied to', async () => {
    assert.deepEqual(namesOf(await User.scope('minorsOrSeniors')), ['Abe', 'Fay']);
    // Fay (60) is no Smith: the scope's OR must not reach past the where it was applied after.
    assert.deepEqual(namesOf(await User.where({ last_name: 'Smith' }).scope('minorsOrSeniors')), ['Abe']);
    assert.deepEqual(namesOf(await User.scope('minorsOrSeniors').where({ last_name: 'Smith' })), ['Abe']);
    assert.deepEqual(namesOf(await User.scope('smiths').scope('minorsOrSeniors')), ['Abe']);
  });

  it('a name that is not an own scope of the model is refused before sending', async () => {
    for (const name of ['nope', 'adultz', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '']) {
      await refused(db.pool, () => User.scope(name as never), undefined, `User.scope(${name})`);
      await refused(db.pool, () => User.query().scope(name as never), undefined, `q.scope(${name})`);
    }
    await refused(db.pool, () => Comment.scope('adults' as never), undefined, 'a scope of another model');
  });

  it('DEFAULT_SCOPE applies to find(id), findBy, all, count, exists, find(options) and each', async () => {
    const hidden = await keyOf('spam');
    const shown = await keyOf('hello');
    assert.equal(await Comment.find(hidden), null);
    assert.equal((await Comment.find(shown))?.body, 'hello');
    assert.deepEqual(bodies(await Comment.findBy({ user_id: people.Ann.id })), ['hello']);
    assert.equal(await Comment.findBy({ body: 'spam' }, { limit: 1 }), null);
    assert.deepEqual(bodies(await Comment.all()), ['hello', 'hi']);
    assert.deepEqual(bodies(await Comment.find({ where: ['body <> ?', 'hi'] })), ['hello']);
    assert.equal(await Comment.count(), 2);
    assert.equal(await Comment.count({ user_id: people.Bob.id }), 0);
    assert.equal(await Comment.exists({ body: 'spam' }), false);
    assert.equal(await Comment.exists(), true);
    const walked: Comment[] = [];
    for await (const comment of Comment.each({ batchSize: 1 })) if (walked.push(comment) > 4) break;
    assert.deepEqual(bodies(walked), ['hello', 'hi']);
  });

  it('DEFAULT_SCOPE applies to queries: where, count, pluck, paginate, cursorPage, each and subqueries', async () => {
    assert.deepEqual(bodies(await Comment.query()), ['hello', 'hi']);
    assert.deepEqual(bodies(await Comment.where({ body: oneOf(['spam', 'hi']) })), ['hi']);
    assert.equal(await Comment.query().count(), 2);
    assert.equal(await Comment.where({ user_id: people.Bob.id }).exists(), false);
    assert.deepEqual((await Comment.query().orderBy('body').pluck('body')).sort(), ['hello', 'hi']);
    const page = await Comment.query().orderBy('id').paginate({ page: 1, perPage: 10 });
    assert.deepEqual([page.total, page.lastPage, page.data.length], [2, 1, 2]);
    const keyset = await Comment.query().orderBy('id').cursorPage({ limit: 10 });
    assert.deepEqual(bodies(keyset.data), ['hello', 'hi']);
    const walked: Comment[] = [];
    for await (const comment of Comment.query().orderBy('id').each({ batchSize: 1 }))
      if (walked.push(comment) > 4) break;
    assert.deepEqual(bodies(walked), ['hello', 'hi']);
    assert.deepEqual(namesOf(await User.where({ id: oneOf(Comment.query().select('user_id')) })), [
      'Ann',
      'Eve',
    ]);
  });

  it("DEFAULT_SCOPE applies to the model's relations, eager loads, withCount and whereHas", async () => {
    const { Ann, Bob } = people;
    assert.deepEqual(bodies(await Ann.comments.get()), ['hello']);
    assert.deepEqual(bodies(await Ann.comments.get({ where: ['body = ?', 'spam'] })), []);
    assert.equal(await Ann.comments.count(), 1);
    assert.equal(await Bob.comments.count(), 0);
    assert.equal(await Ann.comments.query().count(), 1);
    assert.deepEqual(bodies(await Ann.comments.query().where({ body: 'x' }).orWhere({ body: 'spam' })), []);

    const loaded = await User.query().orderBy('id').include('comments');
    const byName = async (users: readonly User[]) =>
      Object.fromEntries(
        await Promise.all(users.map(async (user) => [user.first_name, bodies(await user.comments.get())])),
      );
    assert.deepEqual(await byName(loaded), {
      Ann: ['hello'],
      Abe: [],
      Bob: [],
      Cid: [],
      Dee: [],
      Eve: ['hi'],
      Fay: [],
    });
    const filtered = await User.query()
      .orderBy('id')
      .include({ comments: (q) => q.where({ body: ne('hello') }) });
    assert.deepEqual((await byName(filtered)).Ann, [], 'a query per relation keeps the default scope');

    const counted = await User.query().withCount('comments').orderBy('id');
    const counts = Object.fromEntries(
      await Promise.all(counted.map(async (user) => [user.first_name, await user.comments.count()])),
    );
    assert.deepEqual(counts, { Ann: 1, Abe: 0, Bob: 0, Cid: 0, Dee: 0, Eve: 1, Fay: 0 });

    assert.deepEqual(
      namesOf(await User.whereHas('comments')),
      ['Ann', 'Eve'],
      "Bob's only comment is deleted",
    );
    assert.deepEqual(namesOf(await User.whereHas('comments', { body: 'spam' })), []);
    assert.deepEqual(namesOf(await User.whereDoesntHave('comments')), ['Abe', 'Bob', 'Cid', 'Dee', 'Fay']);
    const hello = await Comment.where({ body: 'hello' }).firstOrFail();
    assert.equal((await hello.user.get())?.first_name, 'Ann', 'a belongs-to of a scoped model is not scoped');
  });

  it('orWhere never escapes the DEFAULT_SCOPE', async () => {
    assert.deepEqual(bodies(await Comment.where({ body: 'hello' }).orWhere({ body: 'spam' })), ['hello']);
    assert.equal(await Comment.where({ body: 'hello' }).orWhere({ body: 'spam' }).count(), 1);
    assert.deepEqual(bodies(await Comment.where(['body = ?', 'x']).orWhere(['body = ?', 'gone'])), []);
    assert.deepEqual(
      bodies(await Comment.whereHas('user', { first_name: 'Bob' }).orWhere({ body: 'spam' })),
      [],
    );
  });

  it('a record the default scope hides is still saved, refreshed and deleted by key (as Rails)', async () => {
    const spam = await Comment.unscoped().where({ body: 'spam' }).firstOrFail();
    spam.body = 'spam!';
    await spam.save();
    await spam.refresh();
    assert.equal(spam.body, 'spam!');
    assert.equal(spam.deleted_at?.getTime(), Date.UTC(2024, 0, 1));
    assert.equal(await spam.delete(), true);
    assert.equal(await Comment.unscoped().count(), 3);
    const created = await Comment.create({ body: 'new', deleted_at: new Date() });
    assert.ok(created.id !== null, 'created although the default scope hides it');
  });

  it('unscoped() lifts the default scope; named scopes still apply after it', async () => {
    assert.deepEqual(bodies(await Comment.unscoped()), ['gone', 'hello', 'hi', 'spam']);
    assert.deepEqual(bodies(await Comment.unscoped().where({ deleted_at: ne(null) })), ['gone', 'spam']);
    assert.equal(await Comment.unscoped().count(), 4);
    assert.equal((await Comment.unscoped().where({ body: 'spam' }).first())?.body, 'spam');
    const page = await Comment.unscoped().orderBy('id').paginate({ page: 1, perPage: 3 });
    assert.deepEqual([page.total, page.lastPage, page.data.length], [4, 2, 3]);
    assert.deepEqual(namesOf(await User.where({ id: oneOf(Comment.unscoped().select('user_id')) })), [
      'Ann',
      'Bob',
      'Eve',
    ]);
    assert.deepEqual(
      namesOf(
        await User.unscoped()
          .scope('adults')
          .where({ age: gte(45) }),
      ),
      ['Bob', 'Fay'],
    );
    assert.equal(await Comment.query().count(), 2, 'the default scope is back on the next query');
  });
});
