import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  CastError,
  DBObject,
  custom,
  decimal,
  enumOf,
  json,
  type Attributes,
  type Casts,
  type CastType,
  type CastTypes,
} from '../../src/index.js';

/*
 * Attribute casts (issue 15): their types (checked by `npm run typecheck`: every `// @ts-expect-error` line fails
 * the check once it stops being an error) and the options each factory refuses.
 */

const POST_CASTS = {
  status: enumOf(['draft', 'published']),
  price: decimal({ scale: 2 }),
  tags: json<string[]>(),
  when: custom({ toDb: (date: Date) => date.toISOString(), fromDb: (text: string) => new Date(text) }),
};

/** The type follows the cast: declared from it with CastType. */
class Post extends DBObject {
  static override CASTS = POST_CASTS;
  declare id: number;
  declare title: string;
  declare status: CastType<typeof POST_CASTS.status>;
  declare price: CastType<typeof POST_CASTS.price> | null;
  declare tags: CastType<typeof POST_CASTS.tags>;
  declare when: CastType<typeof POST_CASTS.when>;
}

/** Or merged in from the casts themselves (the lint rule against class/interface merging is off here). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
interface Article extends CastTypes<typeof Article.CASTS, 'price'> {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
class Article extends DBObject {
  static override CASTS = { status: enumOf(['draft', 'published']), price: decimal() };
  declare id: number;
}

/** Or declared by hand, the casts checked against the declarations. */
class Checked extends DBObject {
  static override CASTS: Casts<Checked> = {
    status: enumOf(['a', 'b']),
    n: custom({ toDb: String, fromDb: Number }),
  };
  declare status: 'a' | 'b';
  declare n: number | null;
}

export function castTypes(post: Post, article: Article): void {
  post.status = 'published';
  // @ts-expect-error: not one of the enum's values
  post.status = 'archived';
  post.tags = ['a'];
  // @ts-expect-error: tags are strings
  post.tags = [1];
  post.when = new Date();
  // @ts-expect-error: decimals are strings
  post.price = 1.5;
  const status: 'draft' | 'published' = article.status;
  article.price = null;
  // @ts-expect-error: not one of the enum's values
  article.status = 'x';
  const values: Attributes<Article> = { status: 'draft', price: '1.00' };
  void Post.where({ status: 'draft' });
  // @ts-expect-error: a condition on an enum column takes its values
  void Post.where({ status: 'archived' });
  void Post.create({ status: 'draft', tags: [] });
  // @ts-expect-error: create takes the cast type
  void Post.create({ tags: 'a' });
  void [status, values];
}

export class WrongType extends DBObject {
  // @ts-expect-error: the enum's values are no numbers
  static override CASTS: Casts<WrongType> = { status: enumOf(['a', 'b']) };
  declare status: number;
}

export class WrongName extends DBObject {
  // @ts-expect-error: no such column declared
  static override CASTS: Casts<WrongName> = { stauts: enumOf(['a', 'b']) };
  declare status: string;
}

it('the cast factories refuse unknown options and values they cannot use', () => {
  // @ts-expect-error: no such option
  const misspelled = () => decimal({ scal: 2 });
  assert.throws(misspelled, /decimal\(options\) has no option "scal"; its options are scale, precision/);
  assert.throws(() => decimal({ scale: -1 }), CastError);
  assert.throws(() => decimal({ scale: 1.5 }), CastError);
  assert.throws(() => decimal({ scale: 3, precision: 2 }), CastError);
  // @ts-expect-error: no such option
  assert.throws(() => custom({ toDb: String, fromDb: String, validate: () => true }), CastError);
  // @ts-expect-error: fromDb is missing
  assert.throws(() => custom({ toDb: String }), /both functions/);
  assert.throws(() => enumOf([]), CastError);
  // @ts-expect-error: values are strings or numbers
  assert.throws(() => enumOf([true]), CastError);
  assert.throws(() => enumOf([NaN]), CastError);
  assert.equal(enumOf(['a', 1]).description, 'enumOf(["a", 1])');
  assert.equal(decimal({ scale: 2, precision: 10 }).description, 'decimal({ scale: 2, precision: 10 })');
  void Checked;
});
