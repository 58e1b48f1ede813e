import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { HasManyThrough, HasOneThrough } from '../../src/index.js';
import { Member, PostComment, type Tag } from '../support/through-models.js';
import { type Equal, expectType } from '../support/type-checks.js';

/*
 * Compile-time tests of through relations (issue 15). The function below never runs: `npm run typecheck` checks
 * it, and every `// @ts-expect-error` line fails the check once it stops being an error.
 */

async function throughRelations(member: Member, comment: PostComment): Promise<void> {
  // Reads are typed by the model the chain leads to.
  const _comments = await member.comments.get();
  expectType<Equal<typeof _comments, PostComment[]>>(true);
  const _first = await member.comments.get({ limit: 1 });
  expectType<Equal<typeof _first, PostComment | null>>(true);
  const _count = await member.comments.count();
  expectType<Equal<typeof _count, number>>(true);
  const _author = await comment.author.get();
  expectType<Equal<typeof _author, Member | null>>(true);
  const _tags = await member.tags.query().where({ name: 'red' }).orderBy('name');
  expectType<Equal<typeof _tags, Tag[]>>(true);
  expectType<Equal<typeof member.comments, HasManyThrough<PostComment>>>(true);
  expectType<Equal<typeof comment.author, HasOneThrough<Member>>>(true);
  // @ts-expect-error -- a column the related model does not have
  await member.comments.query().where({ title: 'x' });

  // Their names are relation names of the model, in include, whereHas and withCount.
  await Member.query().include('comments', 'tags', 'comments.post');
  await Member.query().include({ comments: (q) => q.where({ body: 'x' }) });
  await Member.whereHas('comments', { body: 'x' });
  await Member.whereDoesntHave('tags', (q) => q.where({ name: 'red' }));
  await Member.query().withCount('comments');
  await PostComment.whereHas('author', { name: 'ann' });
  // @ts-expect-error -- not a relation of Member
  await Member.query().include('authors');
  // @ts-expect-error -- whereHas's condition is on the related model's columns (PostComment has no name)
  await Member.whereHas('comments', { name: 'x' });
  // @ts-expect-error -- include's refinement queries the related model
  await Member.query().include({ comments: (q) => q.where({ name: 'x' }) });

  // Read-only: the writes of other relations are not there.
  // @ts-expect-error -- no set() on a through relation
  await member.comments.set([]);
  // @ts-expect-error -- no add()
  await member.comments.add(comment);
  // @ts-expect-error -- no clear()
  await member.comments.clear();
  // @ts-expect-error -- no set() on a has-one through either
  await comment.author.set(member);
}

it('types through relations from the model they lead to, read-only (checked by typecheck)', () => {
  assert.equal(typeof throughRelations, 'function');
});
