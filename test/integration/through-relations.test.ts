import assert from 'node:assert/strict';
import { ReadOnlyRelationError, ReferenceNotSavedError, like, transaction } from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { refused, statementsOf } from '../support/query-models.js';
import {
  Member,
  Post,
  PostComment,
  Tagging,
  labelsOf,
  seeded,
  useThroughTables,
} from '../support/through-models.js';

/*
 * Through relations (issue 15): `{ name: 'comments', through: 'posts' }` and the like, read along has-many,
 * has-one and belongs-to steps. Seeded (test/support/through-models.ts): ann's live posts a1 (comments a1-x,
 * a1-y, a deleted a1-gone; tags red twice and blue) and a2 (a2-x; red), her deleted post aGone (gone-x); bob's b1
 * (b1-x; green); cid and dee have none; the post "orphan" (orphan-x) belongs to nobody.
 */

const names = (objects: readonly { name: string }[]) => objects.map((object) => object.name);
const bodies = (objects: readonly PostComment[]) => labelsOf(objects);

describeEachBackend('through relations', (db) => {
  useThroughTables(db);

  it("has many through has many: get, count and query read the live posts' live comments, each once", async () => {
    const { ann, bob, cid } = seeded.members;
    assert.deepEqual(bodies(await ann.comments.get()), ['a1-x', 'a1-y', 'a2-x']);
    assert.deepEqual(bodies(await bob.comments.get()), ['b1-x']);
    assert.deepEqual(await cid.comments.get(), []);
    assert.equal(await ann.comments.count(), 3);
    assert.equal(await ann.comments.count({ where: ['body LIKE ?', 'a1%'] }), 2);
    assert.deepEqual(bodies(await ann.comments.query().orderBy('body', 'desc')), ['a2-x', 'a1-y', 'a1-x']);
    assert.equal(
      await ann.comments
        .query()
        .where({ body: like('a1%') })
        .count(),
      2,
    );
    // The query's own columns name the related table's, though the intermediate table has `id` and `deleted_at`.
    const a1x = seeded.comments['a1-x']!;
    assert.deepEqual(bodies(await ann.comments.query().where({ id: a1x.id })), ['a1-x']);
    const sent = await statementsOf(db.pool, () => ann.comments.query().count());
    assert.equal(sent.length, 1, sent.join('\n'));
  });

  it('get(options) is a query of its own: where, orderBy, limit', async () => {
    const { ann } = seeded.members;
    const first = await ann.comments.get({ where: ['body LIKE ?', 'a1%'], orderBy: 'body DESC', limit: 1 });
    assert.equal(first?.body, 'a1-y');
    assert.deepEqual(bodies(await ann.comments.get({ orderBy: 'body DESC' })), ['a2-x', 'a1-y', 'a1-x']);
  });

  it("include loads every owner's rows in one statement, the objects without the owner column", async () => {
    let members: Member[] = [];
    const sent = await statementsOf(db.pool, async () => {
      members = await Member.query().include('comments').orderBy('id');
    });
    assert.equal(sent.length, 2, sent.join('\n'));
    assert.match(sent[1] ?? '', /JOIN/);
    const after = await statementsOf(db.pool, async () => {
      assert.deepEqual(
        await Promise.all(members.map(async (member) => bodies(await member.comments.get()))),
        [['a1-x', 'a1-y', 'a2-x'], ['b1-x'], [], []],
      );
    });
    assert.deepEqual(after, [], 'get() after include sends nothing');
    const comment = (await members[0]!.comments.get())[0]!;
    assert.ok(!('_twistar_owner_id' in comment), 'no extra column on the loaded object');
    assert.deepEqual(Object.keys(comment.toJSON()).sort(), ['body', 'deleted_at', 'id', 'post_id']);
    assert.ok(comment instanceof PostComment);
  });

  it('automatic batching: a loop over members loads the relation for all of them in one statement', async () => {
    const members = await Member.query().orderBy('id');
    const sent = await statementsOf(db.pool, async () => {
      for (const member of members) await member.comments.get();
      for (const member of members) await member.tags.get();
    });
    assert.equal(sent.length, 2, sent.join('\n'));
    assert.deepEqual(names(await members[0]!.tags.get()), ['red', 'blue']);
    // Siblings asking at the same time share the one statement.
    const fresh = await Member.query().orderBy('id');
    const together = await statementsOf(db.pool, () =>
      Promise.all(fresh.map((member) => member.comments.get())),
    );
    assert.equal(together.length, 1, together.join('\n'));
  });

  it('include with a refinement, and a path going on from the related rows', async () => {
    const members = await Member.query()
      .include({ comments: (q) => q.where({ body: like('%-y') }) })
      .orderBy('id');
    assert.deepEqual(bodies(await members[0]!.comments.get()), ['a1-y']);
    const sent = await statementsOf(db.pool, async () => {
      const withPosts = await Member.query().include('comments.post').orderBy('id');
      const comments = await withPosts[0]!.comments.get();
      assert.deepEqual(
        await Promise.all(comments.map(async (comment) => (await comment.post.get())?.title)),
        ['a1', 'a1', 'a2'],
      );
    });
    assert.equal(sent.length, 3, sent.join('\n'));
  });

  it("a row the chain reaches twice is the owner's once: get, include, count, withCount and whereHas agree", async () => {
    const { ann } = seeded.members;
    const { a1 } = seeded.posts;
    // a1 is tagged red twice; ann reaches red through a1 and a2.
    assert.deepEqual(names(await a1.tags.get()), ['red', 'blue']);
    assert.equal(await a1.tags.count(), 2);
    assert.deepEqual(names(await ann.tags.get()), ['red', 'blue']);
    assert.equal(await ann.tags.count(), 2);
    const members = await Member.query().include('tags').withCount('tags').orderBy('id');
    assert.deepEqual(names(await members[0]!.tags.get()), ['red', 'blue']);
    assert.deepEqual(
      await Promise.all(members.map((member) => member.tags.count())),
      [2, 1, 0, 0],
      'withCount counts each tag once',
    );
    assert.deepEqual(names(await Member.whereHas('tags', { name: 'red' })), ['ann']);
    assert.equal(await Member.whereHas('tags').count(), 2, 'EXISTS, each member once');
  });

  it('whereHas, whereDoesntHave and withCount across the chain, with both scopes', async () => {
    assert.deepEqual(names(await Member.whereHas('comments').orderBy('id')), ['ann', 'bob']);
    assert.deepEqual(names(await Member.whereHas('comments', { body: 'b1-x' })), ['bob']);
    // gone-x is on a deleted post, a1-gone is deleted: neither is anybody's.
    assert.deepEqual(names(await Member.whereHas('comments', { body: like('%gone%') })), []);
    assert.deepEqual(names(await Member.whereDoesntHave('comments').orderBy('id')), ['cid', 'dee']);
    assert.deepEqual(names(await Member.whereHas('comments', (q) => q.whereHas('post', { title: 'a2' }))), [
      'ann',
    ]);
    const members = await Member.query().withCount('comments').orderBy('id');
    const sent = await statementsOf(db.pool, async () => {
      assert.deepEqual(await Promise.all(members.map((member) => member.comments.count())), [3, 1, 0, 0]);
    });
    assert.deepEqual(sent, [], 'count() after withCount sends nothing');
  });

  it('has one through belongs-to: get, include, batching and whereHas; null where a step is missing or scoped out', async () => {
    const c = seeded.comments;
    assert.equal((await c['a1-x']!.author.get())?.name, 'ann');
    assert.equal(await c['orphan-x']!.author.get(), null, 'the post belongs to nobody');
    assert.equal(
      await c['gone-x']!.author.get(),
      null,
      "the post is deleted: the intermediate's scope applies",
    );
    let comments: PostComment[] = [];
    const sent = await statementsOf(db.pool, async () => {
      comments = await PostComment.query().include('author').orderBy('id');
    });
    assert.equal(sent.length, 2, sent.join('\n'));
    assert.deepEqual(
      await Promise.all(comments.map(async (comment) => (await comment.author.get())?.name ?? null)),
      ['ann', 'ann', 'ann', null, 'bob', null],
    );
    const loop = await PostComment.query().orderBy('id');
    const batched = await statementsOf(db.pool, async () => {
      for (const comment of loop) await comment.author.get();
    });
    assert.equal(batched.length, 1, batched.join('\n'));
    assert.deepEqual(labelsOf(await PostComment.whereHas('author', { name: 'bob' })), ['b1-x']);
    assert.deepEqual(labelsOf(await PostComment.whereDoesntHave('author').orderBy('id')), [
      'gone-x',
      'orphan-x',
    ]);
    assert.equal((await c['b1-x']!.author.query().first())?.name, 'bob');
  });

  it('has many through belongs-to: the comments of the same post', async () => {
    const c = seeded.comments;
    assert.deepEqual(bodies(await c['a1-y']!.siblings.get()), ['a1-x', 'a1-y']);
    assert.equal(await c['a1-y']!.siblings.count(), 2);
    assert.deepEqual(await c['gone-x']!.siblings.get(), []);
    const comments = await PostComment.query().include('siblings').orderBy('id');
    assert.deepEqual(
      await Promise.all(comments.map(async (comment) => (await comment.siblings.get()).length)),
      [2, 2, 1, 0, 1, 1],
    );
    assert.deepEqual(labelsOf(await PostComment.query().withCount('siblings').orderBy('id')).length, 6);
  });

  it('writes are refused with ReadOnlyRelationError naming the relations to write to, and send nothing', async () => {
    const { ann } = seeded.members;
    const comment = seeded.comments['b1-x']!;
    const writable = ann.comments as unknown as Record<string, (...args: unknown[]) => Promise<void>>;
    for (const write of ['set', 'clear', 'add', 'remove']) {
      await refused(db.pool, () => writable[write]!([comment]), ReadOnlyRelationError, write);
    }
    await assert.rejects(writable.set!([comment]), /Member\.posts, Post\.comments/);
    const author = comment.author as unknown as { set(value: unknown): Promise<void> };
    await refused(db.pool, () => author.set(ann), ReadOnlyRelationError, 'has one set');
    assert.deepEqual(bodies(await ann.comments.reload().get()), ['a1-x', 'a1-y', 'a2-x']);
  });

  it('an unsaved owner is refused; reload() reads again after the intermediate relation changed', async () => {
    const fresh = new Member({ name: 'new' });
    assert.throws(() => fresh.comments, ReferenceNotSavedError);
    const { cid } = seeded.members;
    assert.deepEqual(await cid.comments.get(), []);
    const post = await Post.create({ member_id: cid.id, title: 'c1' });
    await PostComment.create({ post_id: post.id, body: 'c1-x' });
    assert.deepEqual(await cid.comments.get(), [], 'what was loaded stays until reload()');
    assert.deepEqual(bodies(await cid.comments.reload().get()), ['c1-x']);
    assert.ok(cid.comments.isLoaded());
  });

  it('two overlapping reads of one object agree; a transaction that rolls back leaves nothing behind', async () => {
    const { ann, bob } = seeded.members;
    const [one, two, count] = await Promise.all([
      ann.comments.get(),
      ann.comments.get(),
      ann.comments.count(),
    ]);
    assert.deepEqual(bodies(one), bodies(two));
    assert.equal(count, 3);
    await assert.rejects(
      transaction(async () => {
        const post = await Post.create({ member_id: bob.id, title: 'b2' });
        await PostComment.create({ post_id: post.id, body: 'b2-x' });
        assert.deepEqual(bodies(await bob.comments.reload().get()), ['b1-x', 'b2-x'], 'seen inside');
        assert.equal(await Member.whereHas('comments', { body: 'b2-x' }).count(), 1);
        throw new Error('roll back');
      }),
      /roll back/,
    );
    assert.deepEqual(bodies(await bob.comments.reload().get()), ['b1-x']);
    assert.equal(await Tagging.query().count(), 5);
  });
});
