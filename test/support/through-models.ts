import { after, before, beforeEach } from 'node:test';
import {
  DBObject,
  Registry,
  connect,
  type BelongsTo,
  type HasMany,
  type HasManyThrough,
  type HasOneThrough,
  type Query,
} from '../../src/index.js';
import type { BackendContext } from './backends.js';
import { createTable, dropTable } from './schema.js';

/*
 * The models of the through-relation suites (integration/through-relations, unit/through-sql), on tables of
 * their own (`through_…`). Posts and comments are soft-deleted (DEFAULT_SCOPE `deleted_at IS NULL`), so that both
 * the intermediate's and the related model's scope show, and both tables have `id` and `deleted_at`, so that an
 * unqualified column would be ambiguous in a join.
 *
 *   Member ─posts─▶ Post ─comments─▶ PostComment          Member.comments: has many through has many
 *                   Post ─taggings─▶ Tagging ─tag─▶ Tag   Post.tags: has many through has many (source belongs-to)
 *   Member.tags: through posts, whose tags are through taggings (a through of a through)
 *   PostComment.author: has one through post (belongs-to), source member (belongs-to)
 *   PostComment.siblings: has many through post (belongs-to), source comments (has many)
 */

export class Member extends DBObject {
  static override TABLENAME = 'through_members';
  static override HASMANY = [
    'posts',
    { name: 'comments', through: 'posts' },
    { name: 'tags', through: 'posts' },
  ];
  declare id: number;
  declare name: string;
  declare posts: HasMany<Post>;
  declare comments: HasManyThrough<PostComment>;
  declare tags: HasManyThrough<Tag>;
}

export class Post extends DBObject {
  static override TABLENAME = 'through_posts';
  static override BELONGSTO = ['member'];
  static override HASMANY = [
    { name: 'comments', className: 'PostComment' },
    'taggings',
    { name: 'tags', through: 'taggings' },
  ];
  static override DEFAULT_SCOPE = (q: Query<Post>) => q.where({ deleted_at: null });
  declare id: number;
  declare member_id: number | null;
  declare title: string;
  declare deleted_at: Date | null;
  declare member: BelongsTo<Member>;
  declare comments: HasMany<PostComment>;
  declare taggings: HasMany<Tagging>;
  declare tags: HasManyThrough<Tag>;
}

/** A comment (named apart from query-models.ts's Comment: the Registry knows classes by name). */
export class PostComment extends DBObject {
  static override TABLENAME = 'through_comments';
  static override BELONGSTO = ['post'];
  static override HASONE = [{ name: 'author', through: 'post', source: 'member' }];
  static override HASMANY = [{ name: 'siblings', through: 'post', source: 'comments' }];
  static override DEFAULT_SCOPE = (q: Query<PostComment>) => q.where({ deleted_at: null });
  declare id: number;
  declare post_id: number | null;
  declare body: string;
  declare deleted_at: Date | null;
  declare post: BelongsTo<Post>;
  declare author: HasOneThrough<Member>;
  declare siblings: HasManyThrough<PostComment>;
}

export class Tagging extends DBObject {
  static override TABLENAME = 'through_taggings';
  static override BELONGSTO = ['post', 'tag'];
  declare id: number;
  declare post_id: number;
  declare tag_id: number;
}

export class Tag extends DBObject {
  static override TABLENAME = 'through_tags';
  declare id: number;
  declare name: string;
}

Registry.register(Member, Post, PostComment, Tagging, Tag);

const MODELS = [Member, Post, PostComment, Tagging, Tag];

const TABLES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  through_members: { id: 'pk', name: 'string' },
  through_posts: { id: 'pk', member_id: 'int', title: 'string', deleted_at: 'datetime' },
  through_comments: { id: 'pk', post_id: 'int', body: 'string', deleted_at: 'datetime' },
  through_taggings: { id: 'pk', post_id: 'int', tag_id: 'int' },
  through_tags: { id: 'pk', name: 'string' },
};

/** The seeded rows, by name (filled by seedThrough). */
export const seeded = {
  members: {} as Record<'ann' | 'bob' | 'cid' | 'dee', Member>,
  posts: {} as Record<'a1' | 'a2' | 'aGone' | 'b1' | 'orphan', Post>,
  comments: {} as Record<string, PostComment>,
  tags: {} as Record<'red' | 'blue' | 'green', Tag>,
};

/**
 * Members ann (posts a1, a2 and the deleted aGone), bob (b1), cid (none), dee (none; a post of nobody's is
 * "orphan"). Comments: a1 "a1-x", "a1-y" and the deleted "a1-gone"; a2 "a2-x"; aGone "gone-x" (hidden by its
 * post's scope); b1 "b1-x"; orphan "orphan-x". Tags: a1 red and blue (red twice), a2 red, b1 green.
 */
export async function seedThrough(): Promise<void> {
  const [ann, bob, cid, dee] = await Member.createMany([
    { name: 'ann' },
    { name: 'bob' },
    { name: 'cid' },
    { name: 'dee' },
  ]);
  Object.assign(seeded.members, { ann, bob, cid, dee });
  const gone = new Date(Date.UTC(2024, 0, 1));
  const [a1, a2, aGone, b1, orphan] = await Post.createMany([
    { member_id: ann!.id, title: 'a1', deleted_at: null },
    { member_id: ann!.id, title: 'a2', deleted_at: null },
    { member_id: ann!.id, title: 'aGone', deleted_at: gone },
    { member_id: bob!.id, title: 'b1', deleted_at: null },
    { member_id: null, title: 'orphan', deleted_at: null },
  ]);
  Object.assign(seeded.posts, { a1, a2, aGone, b1, orphan });
  const comments = await PostComment.createMany([
    { post_id: a1!.id, body: 'a1-x', deleted_at: null },
    { post_id: a1!.id, body: 'a1-y', deleted_at: null },
    { post_id: a1!.id, body: 'a1-gone', deleted_at: gone },
    { post_id: a2!.id, body: 'a2-x', deleted_at: null },
    { post_id: aGone!.id, body: 'gone-x', deleted_at: null },
    { post_id: b1!.id, body: 'b1-x', deleted_at: null },
    { post_id: orphan!.id, body: 'orphan-x', deleted_at: null },
  ]);
  for (const comment of comments) seeded.comments[comment.body] = comment;
  const [red, blue, green] = await Tag.createMany([{ name: 'red' }, { name: 'blue' }, { name: 'green' }]);
  Object.assign(seeded.tags, { red, blue, green });
  await Tagging.createMany([
    { post_id: a1!.id, tag_id: red!.id },
    { post_id: a1!.id, tag_id: red!.id },
    { post_id: a1!.id, tag_id: blue!.id },
    { post_id: a2!.id, tag_id: red!.id },
    { post_id: b1!.id, tag_id: green!.id },
  ]);
}

/** Creates the tables once (their columns read), empties and seeds them before each test, drops them at the end. */
export function useThroughTables(db: BackendContext): void {
  before(async () => {
    for (const [table, columns] of Object.entries(TABLES)) await createTable(db.pool, table, columns);
    for (const model of MODELS) await model.columns();
  });
  beforeEach(async () => {
    for (const table of Object.keys(TABLES)) await db.pool.runOperation(`DELETE FROM ${table}`);
    await seedThrough();
  });
  after(async () => {
    if (db.url === 'pglite:' || db.url.includes(':memory:')) return;
    const pool = connect(db.url);
    try {
      for (const table of Object.keys(TABLES)) await dropTable(pool, table);
    } finally {
      await pool.close();
    }
  });
}

/** The bodies (or names) of `objects`, in their order. */
export function labelsOf(objects: readonly ({ body: string } | { name: string })[]): string[] {
  return objects.map((object) => ('body' in object ? object.body : object.name));
}
