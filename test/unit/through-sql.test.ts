import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  DBObject,
  InvalidRelationshipError,
  Registry,
  connect,
  sql,
  type ConnectionPool,
  type HasManyThrough,
} from '../../src/index.js';
import { relationOf } from '../../src/model/relation-declarations.js';
import { throughHops } from '../../src/model/through-chain.js';
import { throughSelect } from '../../src/relationships/through-loading.js';
import { quoteColumn } from '../../src/sql/fragments.js';
import { Member, PostComment } from '../support/through-models.js';
import { testSql, type DialectName } from '../support/dialects.js';

/*
 * Through relations (issue 15): the exact SQL on each database of whereHas, withCount and a relation's query()
 * across a chain, and of the statement include and automatic batching send; and the declarations refused.
 * toSQL() needs no connection (values are sent as given, since no model's columns are read).
 */

const URLS: Record<DialectName, string> = {
  sqlite: 'sqlite::memory:',
  postgres: 'postgres://nobody@127.0.0.1:1/none',
  mysql: 'mysql://nobody@127.0.0.1:1/none',
};
const pools = new Map<DialectName, ConnectionPool>();
const previous = Registry.DBPOOL;
after(async () => {
  Registry.DBPOOL = previous;
  for (const pool of pools.values()) await pool.close();
});

function use(dialect: DialectName): ConnectionPool {
  let pool = pools.get(dialect);
  if (pool === undefined) pools.set(dialect, (pool = connect(URLS[dialect])));
  Registry.DBPOOL = pool;
  return pool;
}

/** The query's statement on `dialect`, in `?` placeholders. */
function on(dialect: DialectName, query: () => { toSQL(): { sql: string; params: unknown[] } }) {
  use(dialect);
  const statement = query().toSQL();
  return { sql: statement.sql.replace(/\$\d+/g, '?'), params: statement.params };
}

function everywhere(text: string): Record<DialectName, string> {
  return { sqlite: text, postgres: text, mysql: text.replaceAll('"', '`') };
}

/** A saved member, without a database: only its key is read. */
function member(id: number): Member {
  const found = new Member({ name: 'ann' });
  Object.assign(found, { id });
  return found;
}

const POSTS_OF_OUTER =
  'SELECT "t1_1"."id" FROM "through_posts" AS "t1_1" WHERE "t1_1"."member_id" = "through_members"."id" AND ' +
  '("deleted_at" IS NULL)';

describe('through relations in the query layer', () => {
  testSql(
    'whereHas a has many through has many: an IN subquery of the intermediate table, both scopes applied',
    (d) => on(d.name, () => Member.whereHas('comments', { body: 'x' })),
    everywhere(
      'SELECT * FROM "through_members" WHERE EXISTS (SELECT 1 FROM "through_comments" AS "t1" WHERE ' +
        `"t1"."post_id" IN (${POSTS_OF_OUTER}) AND (("deleted_at" IS NULL) AND ("body" = ?)))`,
    ),
    ['x'],
  );
  testSql(
    'withCount of a through relation counts each related row once',
    (d) => on(d.name, () => Member.query().withCount('comments')),
    everywhere(
      'SELECT "through_members".*, (SELECT COUNT(*) FROM "through_comments" AS "t1" WHERE "t1"."post_id" IN ' +
        `(${POSTS_OF_OUTER}) AND ("deleted_at" IS NULL)) AS "__twistar_count_comments" FROM "through_members"`,
    ),
  );
  testSql(
    'whereDoesntHave a through of a through: one subquery per intermediate table',
    (d) => on(d.name, () => Member.whereDoesntHave('tags', { name: 'red' })),
    everywhere(
      'SELECT * FROM "through_members" WHERE NOT EXISTS (SELECT 1 FROM "through_tags" AS "t1" WHERE "t1"."id" IN ' +
        '(SELECT "t1_2"."tag_id" FROM "through_taggings" AS "t1_2" WHERE "t1_2"."post_id" IN ' +
        `(${POSTS_OF_OUTER})) AND ("name" = ?))`,
    ),
    ['red'],
  );
  testSql(
    'whereHas a has one through belongs-to starts from the owner’s foreign key',
    (d) => on(d.name, () => PostComment.whereHas('author')),
    everywhere(
      'SELECT * FROM "through_comments" WHERE ("deleted_at" IS NULL) AND (EXISTS (SELECT 1 FROM "through_members" ' +
        'AS "t1" WHERE "t1"."id" IN (SELECT "t1_1"."member_id" FROM "through_posts" AS "t1_1" WHERE "t1_1"."id" = ' +
        '"through_comments"."post_id" AND ("deleted_at" IS NULL))))',
    ),
  );
  testSql(
    "a relation's query(): the related rows among the intermediate's keys",
    (d) => on(d.name, () => member(7).comments.query().where({ body: 'x' })),
    everywhere(
      'SELECT * FROM "through_comments" WHERE (("deleted_at" IS NULL) AND ("post_id" IN (SELECT "id" FROM ' +
        '"through_posts" AS "s10" WHERE ("deleted_at" IS NULL) AND ("member_id" = ?)))) AND ("body" = ?)',
    ),
    [7, 'x'],
  );
});

describe('the statement of include and automatic batching', () => {
  for (const dialect of ['sqlite', 'postgres', 'mysql'] as const) {
    it(`joins the related table to a derived table per intermediate, carrying the owner's key (${dialect})`, () => {
      const pool = use(dialect);
      const quote = (name: string) => quoteColumn(pool.dialect, name);
      const select = throughSelect(
        quote,
        throughHops(relationOf(Member, 'tags')),
        [1, 2],
        [sql`deleted_at IS NULL`, null],
        { where: sql`name <> ${'x'}`, order: null },
      );
      const expected =
        'SELECT "through_tags".*, "twistar_through_2"."_twistar_owner_id" FROM "through_tags" JOIN (SELECT ' +
        '"twistar_through_1"."_twistar_owner_id" AS "_twistar_owner_id", "through_taggings"."tag_id" AS ' +
        '"_twistar_key" FROM "through_taggings" JOIN (SELECT "through_posts"."member_id" AS "_twistar_owner_id", ' +
        '"through_posts"."id" AS "_twistar_key" FROM "through_posts" WHERE "through_posts"."member_id" IN (?, ?) ' +
        'AND (deleted_at IS NULL)) AS "twistar_through_1" ON "through_taggings"."post_id" = ' +
        '"twistar_through_1"."_twistar_key") AS "twistar_through_2" ON "through_tags"."id" = ' +
        '"twistar_through_2"."_twistar_key" WHERE (name <> ?) ORDER BY "through_tags"."id"';
      assert.equal(select.text, everywhere(expected)[dialect]);
      assert.deepEqual(select.params, [1, 2, 'x']);
    });
  }
});

class Owner extends DBObject {
  static override TABLENAME = 'through_owners';
  static override HASMANY = [
    'items',
    { name: 'things', through: 'items' },
    { name: 'labels', through: 'items' },
    { name: 'parents', through: 'items' },
    { name: 'missing', through: 'items' },
    { name: 'renamed', through: 'items', source: 'nothing' },
    { name: 'nowhere', through: 'unknown' },
    { name: 'loopA', through: 'loopB' },
    { name: 'loopB', through: 'loopA' },
    { name: 'notes', through: 'items' },
  ];
  declare id: number;
  declare things: HasManyThrough<DBObject>;
}

class Item extends DBObject {
  static override TABLENAME = 'through_items';
  static override HABTM = ['labels'];
  static override BELONGSTO = [{ name: 'parent', polymorphic: true }, 'owner'];
  static override HASMANY = ['things', { name: 'notes', as: 'notable' }];
}

class Note extends DBObject {
  static override TABLENAME = 'through_notes';
}

class Thing extends DBObject {
  static override TABLENAME = 'through_things';
}

class Label extends DBObject {
  static override TABLENAME = 'through_labels';
}

Registry.register(Owner, Item, Thing, Label, Note);

describe('through declarations', () => {
  const chain = (name: string) => () => throughHops(relationOf(Owner, name));

  it('follows a has many of the intermediate model named like the relation', () => {
    assert.deepEqual(
      throughHops(relationOf(Owner, 'things')).map((hop) => [hop.to.name, hop.near, hop.far]),
      [
        ['Item', 'id', 'owner_id'],
        ['Thing', 'id', 'item_id'],
      ],
    );
  });

  it('follows a polymorphic has many (as) step with its type column', () => {
    const hops = throughHops(relationOf(Owner, 'notes'));
    assert.deepEqual(hops.at(-1)?.type, ['notable_type', 'Item']);
    const statement = on('sqlite', () => Owner.whereHas('notes' as never));
    assert.equal(
      statement.sql,
      'SELECT * FROM "through_owners" WHERE EXISTS (SELECT 1 FROM "through_notes" AS "t1" WHERE "t1"."notable_id" ' +
        'IN (SELECT "t1_1"."id" FROM "through_items" AS "t1_1" WHERE "t1_1"."owner_id" = "through_owners"."id") ' +
        'AND "t1"."notable_type" = ?)',
    );
    assert.deepEqual(statement.params, ['Item']);
  });

  it('refuses a HABTM or polymorphic step, naming it and what to do instead', () => {
    assert.throws(chain('labels'), (error: Error) => {
      assert.ok(error instanceof InvalidRelationshipError);
      assert.match(error.message, /Item\.labels is a has-and-belongs-to-many relation/);
      return true;
    });
    assert.throws(chain('parents'), /Item\.parent is a polymorphic belongs-to/);
    assert.throws(() => Owner.whereHas('labels' as never), InvalidRelationshipError);
    assert.throws(() => Owner.query().withCount('parents' as never), InvalidRelationshipError);
    assert.throws(() => Owner.query().include('parents' as never), InvalidRelationshipError);
  });

  it('refuses a source or through that names no relation, and a chain that leads back to itself', () => {
    assert.throws(
      chain('missing'),
      /Item has no relationship "missing" or "missings"|Item has no relationship "missing"/,
    );
    assert.throws(chain('renamed'), /Item has no relationship "nothing"/);
    assert.throws(chain('nowhere'), /Owner has no relationship "unknown"/);
    assert.throws(chain('loopA'), /leads back to itself/);
  });

  it('refuses options a through relation does not take, a source without through, and itself as through', () => {
    const refusedDeclaration = (declaration: object) => {
      class Bad extends DBObject {
        static override HASMANY = ['items', declaration as never];
      }
      assert.throws(() => new Bad(), InvalidRelationshipError);
    };
    refusedDeclaration({ name: 'things', through: 'items', className: 'Thing' });
    refusedDeclaration({ name: 'things', through: 'items', foreignKey: 'x_id' });
    refusedDeclaration({ name: 'things', source: 'things' });
    refusedDeclaration({ name: 'things', through: 'things' });
    refusedDeclaration({ name: 'things', through: 'bad name' });
    class BadBelongsTo extends DBObject {
      static override BELONGSTO = [{ name: 'owner', through: 'items' } as never];
    }
    assert.throws(() => new BadBelongsTo(), /does not take/);
  });
});
