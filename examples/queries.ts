/**
 * The query layer (docs/queries.md): typed where objects, chaining, aggregates, pages, relation filters and scopes,
 * on SQLite in memory. Run it with `npx tsx examples/queries.ts`.
 */
import {
  DBObject,
  type Query,
  Registry,
  connect,
  gt,
  gte,
  like,
  ne,
  oneOf,
  transaction,
  type BelongsTo,
  type HasMany,
} from 'twistar';

class User extends DBObject {
  static override HASMANY = [{ name: 'posts', foreignKey: 'author_id' }];
  static override SCOPES = {
    adults: (q: Query<User>) => q.where({ age: gte(18) }),
  };
  declare id: number;
  declare first_name: string;
  declare last_name: string;
  declare age: number | null;
  declare posts: HasMany<Post>;
}

class Post extends DBObject {
  static override BELONGSTO = [{ name: 'author', className: 'User' }];
  // Every query, finder, relation and eager load of Post leaves out the hidden posts; Post.unscoped() lifts it.
  static override DEFAULT_SCOPE = (q: Query<Post>) => q.where({ hidden: false });
  declare id: number;
  declare author_id: number;
  declare title: string;
  declare likes: number;
  declare price: string; // DECIMAL(10, 2): exact text, never a float
  declare hidden: boolean;
  declare author: BelongsTo<User>;
}

Registry.register(User, Post);
const pool = connect('sqlite::memory:');
Registry.DBPOOL = pool;
await pool.execute(
  'CREATE TABLE users (id INTEGER PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL, age INTEGER)',
);
await pool.execute(
  'CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, title TEXT NOT NULL, ' +
    'likes INTEGER NOT NULL, price DECIMAL(10, 2) NOT NULL, hidden BOOLEAN NOT NULL DEFAULT FALSE)',
);
const ann = await User.create({ first_name: 'Ann', last_name: 'Smith', age: 31 });
const bob = await User.create({ first_name: 'Bob', last_name: 'Smith', age: 17 });
await User.create({ first_name: 'Cid', last_name: 'Jones', age: null });
await Post.createMany([
  { author_id: ann.id, title: 'Arrays', likes: 120, price: '0.10', hidden: false },
  { author_id: ann.id, title: 'Async', likes: 30, price: '0.20', hidden: false },
  { author_id: bob.id, title: 'Bikes', likes: 7, price: '1.00', hidden: false },
  { author_id: bob.id, title: 'Draft', likes: 0, price: '9.99', hidden: true },
]);

const names = (users: readonly { first_name: string }[]) => users.map((user) => user.first_name).join(', ');

// A query sends nothing until it is awaited (or read with all(), first(), count() …).
const smiths = User.where({ last_name: 'Smith', age: gte(18) });
console.log(`Adult Smiths: ${names(await smiths)}`);
console.log(`Without an age: ${names(await User.where({ age: null }))}`);
console.log(`With one: ${names(await User.where({ age: ne(null) }).orderBy('age', 'desc'))}`);
console.log(`Ann or C…: ${names(await User.where({ id: oneOf([1]) }).orWhere({ first_name: like('C%') }))}`);
console.log(`Twistar's form still works: ${names(await User.where(['age > ?', 20]))}`);

const first = await User.query().orderBy('age', 'desc').first();
console.log(`Oldest: ${first?.first_name ?? 'nobody'}`);
const picked = await User.query().select('id', 'first_name').orderBy('id').first();
console.log(`Selected columns only: ${picked?.first_name ?? '?'} (age not read)`);
console.log(`Plucked: ${(await User.query().orderBy('id').pluck('first_name')).join(', ')}`);

console.log(`Likes in all: ${String(await Post.sum('likes'))}, prices: ${String(await Post.sum('price'))}`);
console.log(`Average age: ${String(await User.avg('age'))}, youngest: ${String(await User.min('age'))}`);
const byName = await User.query().group('last_name').having(['COUNT(*) > ?', 1]).count();
console.log(`Families: ${byName.map((row) => `${row.last_name} × ${row.count}`).join(', ')}`);

const page = await Post.query().orderBy('id').paginate({ page: 2, perPage: 2 });
console.log(
  `Page ${page.page} of ${page.lastPage}: ${page.data.map((post) => post.title).join(', ')} (${page.total} posts)`,
);
let next: string | null = null;
const titles: string[] = [];
do {
  const slice: { data: Post[]; next: string | null } = await Post.query()
    .orderBy('likes', 'desc')
    .cursorPage({ after: next, limit: 2 });
  titles.push(...slice.data.map((post) => post.title));
  next = slice.next;
} while (next !== null);
console.log(`By likes, two at a time: ${titles.join(', ')}`);

console.log(`Authors of a popular post: ${names(await User.whereHas('posts', { likes: gt(100) }))}`);
console.log(`Authors of none: ${names(await User.whereDoesntHave('posts'))}`);
const counted = await User.query().withCount('posts').orderBy('id');
console.log(
  `Posts each (no more statements): ${(await Promise.all(counted.map((user) => user.posts.count()))).join(', ')}`,
);
const withPosts = await User.query()
  .include({ posts: (q) => q.where({ likes: gt(10) }).orderBy('likes', 'desc') })
  .orderBy('id')
  .firstOrFail();
console.log(`Ann's liked posts: ${(await withPosts.posts.get()).map((post) => post.title).join(', ')}`);
console.log(
  `Ann's posts by query: ${(await ann.posts.query().where({ likes: gt(50) })).map((post) => post.title).join(', ')}`,
);

console.log(`Adults (a scope): ${names(await User.scope('adults'))}`);
console.log(
  `Visible posts: ${await Post.query().count()}, with hidden ones: ${await Post.unscoped().count()}`,
);
console.log(
  `Posts by Smiths: ${await Post.where({ author_id: oneOf(User.where({ last_name: 'Smith' }).select('id')) }).count()}`,
);

await transaction(
  async () => {
    const locked = await Post.query().orderBy('id').forUpdate({ skipLocked: true }).first();
    console.log(
      `Locked for update: ${locked?.title ?? 'none'} (on SQLite the transaction holds the database)`,
    );
  },
  { isolation: 'serializable' },
);
const statement = User.where({ age: gte(18) })
  .orderBy('id')
  .toSQL();
console.log(`SQL: ${statement.sql} ${JSON.stringify(statement.params)}`);

await pool.close();
