import assert from 'node:assert/strict';
import {
  DBObject,
  DBObjectSaveError,
  DeleteRestrictionError,
  InvalidRelationshipError,
  Registry,
  transaction,
  type HasMany,
  type HasOne,
} from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { useTables } from '../support/schema.js';

/*
 * Dependent relations (issue 15): what deleting an owner does to its has-many and has-one rows, in its delete's
 * transaction: restrict, delete, destroy (each child's hooks and dependents), nullify.
 */

const deleted: string[] = [];

class Shop extends DBObject {
  static override TABLENAME = 'dep_shops';
  static override HASMANY = [
    { name: 'products', className: 'DepProduct', foreignKey: 'shop_id', dependent: 'destroy' as const },
    { name: 'visits', className: 'DepVisit', foreignKey: 'shop_id', dependent: 'delete' as const },
    { name: 'reviews', className: 'DepReview', foreignKey: 'shop_id', dependent: 'nullify' as const },
    { name: 'comments', className: 'DepComment', as: 'subject', dependent: 'nullify' as const },
  ];
  static override HASONE = [
    { name: 'sign', className: 'DepSign', foreignKey: 'shop_id', dependent: 'destroy' as const },
  ];
  declare id: number;
  declare name: string;
  declare products: HasMany<DepProduct>;
  declare sign: HasOne<DepSign>;
  override beforeDelete() {
    return this.name !== 'keep';
  }
}

class Chain extends DBObject {
  static override TABLENAME = 'dep_chains';
  // As the docs write it: no `as const` needed.
  static override HASMANY = [
    { name: 'shops', className: 'Shop', foreignKey: 'chain_id', dependent: 'restrict' },
  ];
  declare id: number;
}

class DepProduct extends DBObject {
  static override TABLENAME = 'dep_products';
  static override HASMANY = [
    { name: 'parts', className: 'DepPart', foreignKey: 'product_id', dependent: 'delete' as const },
  ];
  declare id: number;
  declare shop_id: number;
  declare name: string;
  override beforeDelete() {
    deleted.push(`before ${this.name}`);
    return this.name !== 'glued';
  }
  override afterDelete() {
    deleted.push(`after ${this.name}`);
  }
}
class DepPart extends DBObject {
  static override TABLENAME = 'dep_parts';
}
class DepVisit extends DBObject {
  static override TABLENAME = 'dep_visits';
  override beforeDelete() {
    deleted.push('a visit hook ran');
  }
}
class DepReview extends DBObject {
  static override TABLENAME = 'dep_reviews';
  declare shop_id: number | null;
}
class DepComment extends DBObject {
  static override TABLENAME = 'dep_comments';
  declare subject_id: number | null;
  declare subject_type: string | null;
}
class DepSign extends DBObject {
  static override TABLENAME = 'dep_signs';
  override afterDelete() {
    deleted.push('sign');
  }
}

Registry.register(Shop, Chain, DepProduct, DepPart, DepVisit, DepReview, DepComment, DepSign);

const TABLES = {
  dep_chains: { id: 'pk' },
  dep_shops: { id: 'pk', chain_id: 'int', name: 'string(20)' },
  dep_products: { id: 'pk', shop_id: 'int', name: 'string(20)' },
  dep_parts: { id: 'pk', product_id: 'int' },
  dep_visits: { id: 'pk', shop_id: 'int' },
  dep_reviews: { id: 'pk', shop_id: 'int' },
  dep_comments: { id: 'pk', subject_id: 'int', subject_type: 'string(20)' },
  dep_signs: { id: 'pk', shop_id: 'int' },
};

describeEachBackend('dependent relations', (db) => {
  useTables(db, TABLES, async () => {
    deleted.length = 0;
  });

  const count = async (table: string, where = '1 = 1') =>
    Number((await db.pool.runQuery(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`))[0]?.n);

  /** A shop with two products (with parts), a visit, a review, a comment and a sign; and another shop's rows. */
  async function seed(name = 'main') {
    const config = Registry.getConfig();
    const shop = await Shop.create({ name });
    const other = await Shop.create({ name: 'other' });
    for (const owner of [shop, other]) {
      for (const product of ['bolt', 'nut']) {
        const id = await config.insert('dep_products', { shop_id: owner.id, name: `${product}` });
        await config.insert('dep_parts', { product_id: id });
      }
      await config.insert('dep_visits', { shop_id: owner.id });
      await config.insert('dep_reviews', { shop_id: owner.id });
      await config.insert('dep_comments', { subject_id: owner.id, subject_type: 'Shop' });
      await config.insert('dep_signs', { shop_id: owner.id });
    }
    // A comment about something else with the same id is not the shop's.
    await config.insert('dep_comments', { subject_id: shop.id, subject_type: 'Elsewhere' });
    return { shop, other };
  }

  it('deleting the owner destroys, deletes and nullifies its rows only, each as declared', async () => {
    const { shop, other } = await seed();
    assert.equal(await shop.delete(), true);
    assert.equal(await count('dep_shops'), 1);
    // destroy: each product's hooks ran, and its own dependent parts went too.
    assert.deepEqual(deleted.filter((e) => e.startsWith('before') || e.startsWith('after')).sort(), [
      'after bolt',
      'after nut',
      'before bolt',
      'before nut',
    ]);
    assert.equal(await count('dep_products', `shop_id = ${shop.id}`), 0);
    assert.equal(await count('dep_parts'), 2, "the other shop's parts stay");
    // delete: one statement, no hooks.
    assert.equal(await count('dep_visits'), 1);
    assert.ok(!deleted.includes('a visit hook ran'));
    // nullify: the key set to NULL, polymorphic type too; the rows stay.
    assert.equal(await count('dep_reviews'), 2);
    assert.equal(await count('dep_reviews', 'shop_id IS NULL'), 1);
    assert.equal(await count('dep_comments', 'subject_id IS NULL AND subject_type IS NULL'), 1);
    assert.equal(await count('dep_comments', "subject_type = 'Elsewhere'"), 1);
    // has-one destroy.
    assert.ok(deleted.includes('sign'));
    assert.equal(await count('dep_signs'), 1);
    // The other shop is untouched.
    assert.equal(await count('dep_products', `shop_id = ${other.id}`), 2);
  });

  it('restrict refuses while a related row exists, and nothing is deleted', async () => {
    const chain = await Chain.create({});
    const { shop } = await seed();
    await db.pool.runOperation(`UPDATE dep_shops SET chain_id = ${chain.id} WHERE id = ${shop.id}`);
    const error = await chain.delete().catch((caught: unknown) => caught);
    assert.ok(error instanceof DeleteRestrictionError, String(error));
    assert.match(error.message, /has shops \(declared dependent: 'restrict'\)/);
    assert.equal(await count('dep_chains'), 1);
    await shop.delete();
    assert.equal(await chain.delete(), true);
    assert.equal(await count('dep_chains'), 0);
  });

  it('a child whose beforeDelete cancels, or a failure later, leaves every row as it was', async () => {
    const { shop } = await seed();
    await db.pool.runOperation(
      `UPDATE dep_products SET name = 'glued' WHERE shop_id = ${shop.id} AND name = 'nut'`,
    );
    const before = await Promise.all(Object.keys(TABLES).map((table) => count(table)));
    await assert.rejects(shop.delete(), DBObjectSaveError);
    assert.deepEqual(await Promise.all(Object.keys(TABLES).map((table) => count(table))), before);
    assert.equal(shop.isNewRecord(), false, 'the shop is still saved');
    // Inside a transaction that then fails, the dependents' work is undone with it.
    const { shop: second } = await seed('second');
    await assert.rejects(
      transaction(async () => {
        await second.delete();
        throw new Error('undo');
      }),
    );
    assert.equal(await count('dep_products', `shop_id = ${second.id}`), 2);
    assert.equal(await count('dep_visits', `shop_id = ${second.id}`), 1);
  });

  it("the owner's own beforeDelete cancelling runs no dependent", async () => {
    const { shop } = await seed('keep');
    assert.equal(await shop.delete(), false);
    assert.equal(await count('dep_products', `shop_id = ${shop.id}`), 2);
    assert.equal(deleted.length, 0);
  });

  it('dependent is refused where it does not apply, or with another value', () => {
    class Wrong extends DBObject {
      static override BELONGSTO = [{ name: 'shop', dependent: 'destroy' } as never];
    }
    class Odd extends DBObject {
      static override HASMANY = [{ name: 'things', dependent: 'cascade' } as never];
    }
    assert.throws(() => new Wrong(), InvalidRelationshipError);
    assert.throws(() => new Odd(), /"dependent" of "things" is 'delete', 'destroy', 'nullify' or 'restrict'/);
  });
});
