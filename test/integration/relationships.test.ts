import assert from 'node:assert/strict';
import { beforeEach } from 'node:test';
import {
  ClassNotRegisteredError,
  DBObject,
  InvalidRelationshipError,
  ReferenceNotSavedError,
  Registry,
  type HABTM,
  type HasMany,
} from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import {
  Avatar,
  Boy,
  FavoriteColor,
  Girl,
  Nickname,
  Picture,
  Tag,
  User,
  createRelationshipTables,
} from '../support/relationship-models.js';
import { createTable } from '../support/schema.js';

describeEachBackend('relationships', (db) => {
  beforeEach(async () => {
    await createRelationshipTables(db.pool);
  });

  const names = (objects: readonly { name?: string }[]) => objects.map((obj) => obj.name);

  it('has many: get, get with options, count, set and clear', async () => {
    const ann = await User.create({ first_name: 'Ann' });
    const bob = await User.create({ first_name: 'Bob' });
    const beach = await Picture.create({ name: 'beach', size: 3, user_id: ann.id });
    await Picture.create({ name: 'hills', size: 9, user_id: ann.id });
    const city = await Picture.create({ name: 'city', size: 5, user_id: bob.id });

    assert.deepEqual(names(await ann.pictures.get()), ['beach', 'hills']);
    assert.deepEqual(names(await ann.pictures.get({ where: ['size > ?', 4] })), ['hills']);
    assert.equal((await ann.pictures.get({ orderBy: 'size DESC', limit: 1 }))?.name, 'hills');
    assert.equal(await ann.pictures.count(), 2);
    assert.equal(await ann.pictures.count({ where: ['size < ?', 4] }), 1);

    await ann.pictures.set([beach, city]);
    assert.deepEqual(names(await ann.pictures.get()), ['beach', 'city']);
    assert.deepEqual(names(await ann.pictures.reload().get()), ['beach', 'city']);
    assert.equal(city.user_id, ann.id, 'the objects passed to set() are updated too');
    assert.equal(await bob.pictures.count(), 0);
    assert.equal(await Picture.count(['user_id IS NULL']), 1);

    await ann.pictures.clear();
    assert.deepEqual(await ann.pictures.get(), []);
    assert.equal(await Picture.count(['user_id IS NULL']), 3);
  });

  it('has one: get, set (replacing the old one) and clear', async () => {
    const ann = await User.create({ first_name: 'Ann' });
    assert.equal(await ann.avatar.get(), null);
    const first = await Avatar.create({ name: 'first', user_id: ann.id });
    assert.equal((await ann.avatar.reload().get())?.name, 'first');
    const second = await Avatar.create({ name: 'second' });
    await ann.avatar.set(second);
    assert.equal((await ann.avatar.get())?.name, 'second');
    assert.equal((await Avatar.find(first.id ?? 0))?.user_id, null);
    assert.equal((await ann.avatar.reload().get())?.name, 'second');
    await ann.avatar.clear();
    assert.equal(await ann.avatar.reload().get(), null);
  });

  it('belongs to: get, set (which saves) and clear', async () => {
    const ann = await User.create({ first_name: 'Ann' });
    const picture = await Picture.create({ name: 'beach' });
    assert.equal(await picture.user.get(), null);
    await picture.user.set(ann);
    assert.equal(picture.user_id, ann.id);
    const stored = (await Picture.find(picture.id ?? 0))!;
    assert.ok((await stored.user.get())?.equals(ann));
    await stored.user.clear();
    assert.equal((await Picture.find(picture.id ?? 0))?.user_id, null);
    assert.equal(await stored.user.get(), null);
  });

  it('HABTM: get with where, orderBy, limit and joinWhere, set, clear and count, from both sides', async () => {
    const ann = await User.create({ first_name: 'Ann', age: 30 });
    const bob = await User.create({ first_name: 'Bob', age: 20 });
    const red = await FavoriteColor.create({ name: 'red' });
    const green = await FavoriteColor.create({ name: 'green' });
    const blue = await FavoriteColor.create({ name: 'blue' });
    await ann.favorite_colors.set([red, blue]);
    await bob.favorite_colors.set([blue]);

    assert.deepEqual(names(await ann.favorite_colors.reload().get()), ['red', 'blue']);
    assert.deepEqual(names(await ann.favorite_colors.get({ orderBy: 'name' })), ['blue', 'red']);
    assert.deepEqual(names(await ann.favorite_colors.get({ where: ['name <> ?', 'red'] })), ['blue']);
    assert.equal((await ann.favorite_colors.get({ orderBy: 'name', limit: 1 }))?.name, 'blue');
    assert.deepEqual(
      names(await ann.favorite_colors.get({ joinWhere: ['favorite_color_id = ?', blue.id] })),
      ['blue'],
    );
    assert.equal(await ann.favorite_colors.count(), 2);
    assert.equal(await ann.favorite_colors.count({ where: ['name = ?', 'red'] }), 1);

    const blueUsers = await blue.users.get({ orderBy: 'first_name' });
    assert.deepEqual(
      blueUsers.map((user) => user.first_name),
      ['Ann', 'Bob'],
    );
    assert.deepEqual(await green.users.get(), []);

    await ann.favorite_colors.set([green]);
    assert.deepEqual(names(await ann.favorite_colors.reload().get()), ['green']);
    await ann.favorite_colors.clear();
    assert.equal(await ann.favorite_colors.count(), 0);
    assert.equal(await blue.users.count(), 1);
  });

  it('polymorphic: a nickname belongs to a Boy or a Girl, and each has many nicknames', async () => {
    const tom = await Boy.create({ name: 'Tom' });
    const sue = await Girl.create({ name: 'Sue' });
    const tommy = await Nickname.create({ value: 'Tommy' });
    const suzy = await Nickname.create({ value: 'Suzy' });
    await tom.nicknames.set([tommy]);
    await suzy.nicknameable.set(sue);
    assert.equal(suzy.nicknameable_type, 'Girl');

    const loaded = await Nickname.all({ orderBy: 'id' });
    const owners = await Promise.all(loaded.map((nickname) => nickname.nicknameable.get()));
    assert.ok(owners[0] instanceof Boy);
    assert.equal(owners[0].name, 'Tom');
    assert.ok(owners[1] instanceof Girl);
    assert.equal(owners[1].name, 'Sue');

    assert.deepEqual(
      (await sue.nicknames.get()).map((n) => n.value),
      ['Suzy'],
    );
    assert.deepEqual(
      (await tom.nicknames.get()).map((n) => n.value),
      ['Tommy'],
    );
    // Tom and Sue have the same id in their own tables: the type column keeps their nicknames apart.
    assert.equal(tom.id, sue.id);
  });

  it('touching a relationship of an unsaved object throws ReferenceNotSavedError at once', async () => {
    const user = new User({ first_name: 'New' });
    assert.throws(() => user.pictures, ReferenceNotSavedError);
    assert.throws(() => new Picture().user, ReferenceNotSavedError);
    const ann = await User.create({ first_name: 'Ann' });
    await assert.rejects(ann.pictures.set([new Picture({ name: 'unsaved' })]), ReferenceNotSavedError);
    await assert.rejects(ann.favorite_colors.set([new FavoriteColor()]), ReferenceNotSavedError);
    await assert.rejects(ann.avatar.set(new Avatar()), ReferenceNotSavedError);
    const picture = await Picture.create({ name: 'p' });
    await assert.rejects(picture.user.set(new User()), ReferenceNotSavedError);
  });

  it('deleting an object removes its join rows, with a custom join table too, in the same transaction', async () => {
    const ann = await User.create({ first_name: 'Ann' });
    const bob = await User.create({ first_name: 'Bob' });
    const red = await FavoriteColor.create({ name: 'red' });
    const tag = await Tag.create({ label: 'vip' });
    await ann.favorite_colors.set([red]);
    await bob.favorite_colors.set([red]);
    await ann.tags.set([tag]);
    await ann.delete();
    assert.equal(await Registry.getConfig().count('favorite_colors_users', ['user_id = ?', ann.id]), 0);
    assert.equal(await Registry.getConfig().count('favorite_colors_users'), 1);
    assert.equal(await Registry.getConfig().count('user_tag_links'), 0);
    assert.deepEqual(
      (await red.users.get()).map((user) => user.first_name),
      ['Bob'],
    );
  });

  it('set is atomic: when it fails, the old links stay', async () => {
    await createTable(db.pool, 'pictures', {
      id: 'pk',
      user_id: 'int not null',
      name: 'string',
      size: 'int',
    });
    const ann = await User.create({ first_name: 'Ann' });
    const bob = await User.create({ first_name: 'Bob' });
    const kept = await Picture.create({ name: 'kept', user_id: ann.id });
    const other = await Picture.create({ name: 'other', user_id: bob.id });
    // Unlinking 'kept' would set a NOT NULL column to NULL: the statement fails, the transaction rolls back.
    await assert.rejects(ann.pictures.set([other]));
    assert.equal((await Picture.find(kept.id ?? 0))?.user_id, ann.id);
    assert.equal((await Picture.find(other.id ?? 0))?.user_id, bob.id);

    await createTable(db.pool, 'favorite_colors_users', {
      user_id: 'int not null',
      favorite_color_id: 'int not null unique',
    });
    const red = await FavoriteColor.create({ name: 'red' });
    const blue = await FavoriteColor.create({ name: 'blue' });
    await ann.favorite_colors.set([red]);
    await bob.favorite_colors.set([blue]);
    // blue is taken (unique), so inserting it for Ann fails after her old rows were deleted: all rolls back.
    await assert.rejects(ann.favorite_colors.set([blue]));
    assert.deepEqual(names(await ann.favorite_colors.reload().get()), ['red']);
  });

  it('loadRelations resolves to the named relations, or all of them', async () => {
    const ann = await User.create({ first_name: 'Ann' });
    await Picture.create({ name: 'beach', user_id: ann.id });
    await Avatar.create({ name: 'me', user_id: ann.id });
    const some = await ann.loadRelations('pictures', 'avatar');
    assert.deepEqual(Object.keys(some), ['pictures', 'avatar']);
    assert.deepEqual(names(some.pictures as Picture[]), ['beach']);
    assert.equal((some.avatar as Avatar).name, 'me');
    const all = await ann.loadRelations();
    assert.deepEqual(Object.keys(all).sort(), ['avatar', 'favorite_colors', 'pictures', 'tags']);
    await assert.rejects(ann.loadRelations('nope'), InvalidRelationshipError);
  });

  it('names a missing class with ClassNotRegisteredError and a malformed declaration with InvalidRelationshipError', async () => {
    class Orphan extends DBObject {
      static override HASMANY = ['ghosts'];
      declare ghosts: HasMany<DBObject>;
    }
    await createTable(db.pool, 'orphans', { id: 'pk' });
    const orphan = await Orphan.create();
    await assert.rejects(orphan.ghosts.get(), ClassNotRegisteredError);

    class Broken extends DBObject {
      static override BELONGSTO = [{ name: 'owner', as: 'thing' }];
    }
    assert.throws(() => new Broken(), InvalidRelationshipError);
    class Clashing extends DBObject {
      static override HASMANY = ['save'];
    }
    assert.throws(() => new Clashing(), InvalidRelationshipError);
  });

  it('subclasses inherit relationships as declared by their parent, and add their own', async () => {
    class Admin extends User {
      static override TABLENAME = 'users';
      static override HASMANY = [{ name: 'authored', className: 'Picture', foreignKey: 'user_id' }];
      declare authored: HasMany<Picture>;
    }
    Registry.register(Admin);
    const admin = await Admin.create({ first_name: 'Root' });
    const red = await FavoriteColor.create({ name: 'red' });
    await Picture.create({ name: 'a', user_id: admin.id });
    assert.deepEqual(names(await admin.pictures.get()), ['a'], 'inherited: still user_id');
    assert.deepEqual(names(await admin.authored.get()), ['a']);
    await admin.favorite_colors.set([red]);
    assert.equal(await admin.delete(), true, 'its HABTM rows are found under user_id too');
    assert.equal(await red.users.count(), 0);
  });

  it('refresh() forgets loaded relations', async () => {
    const ann = await User.create({ first_name: 'Ann' });
    assert.deepEqual(await ann.pictures.get(), []);
    await Picture.create({ name: 'beach', user_id: ann.id });
    assert.deepEqual(await ann.pictures.get(), [], 'still the loaded value');
    await ann.refresh();
    assert.deepEqual(names(await ann.pictures.get()), ['beach']);
  });

  it('belongs-to follows its foreign key when it changes after a load', async () => {
    const ann = await User.create({ first_name: 'Ann' });
    const bob = await User.create({ first_name: 'Bob' });
    const picture = await Picture.create({ name: 'p', user_id: ann.id });
    assert.equal((await picture.user.get())?.first_name, 'Ann');
    picture.user_id = bob.id;
    assert.equal((await picture.user.get())?.first_name, 'Bob');
    await ann.pictures.set([picture]);
    assert.equal((await picture.user.get())?.first_name, 'Ann');
  });

  it('belongs-to set() rejects and puts the key back when the owner does not save', async () => {
    class Locked extends Picture {
      static override TABLENAME = 'pictures';
      override beforeUpdate() {
        return false;
      }
    }
    Registry.register(Locked);
    const ann = await User.create({ first_name: 'Ann' });
    const locked = await Locked.create({ name: 'p' });
    await assert.rejects(locked.user.set(ann), /before-hook cancelled/);
    assert.equal(locked.user_id, undefined);
    assert.equal(await locked.user.get(), null);
  });

  it('has-many set() keeps the children that stay linked, so a NOT NULL key works', async () => {
    await createTable(db.pool, 'pictures', {
      id: 'pk',
      user_id: 'int not null',
      name: 'string',
      size: 'int',
    });
    const ann = await User.create({ first_name: 'Ann' });
    const one = await Picture.create({ name: 'one', user_id: ann.id });
    const two = await Picture.create({ name: 'two', user_id: ann.id });
    await ann.pictures.set([one, two, one]);
    assert.deepEqual(names(await ann.pictures.get()), ['one', 'two']);
    assert.deepEqual(names(await ann.pictures.reload().get()), ['one', 'two']);
  });

  it('a self-referential HABTM needs distinct keys, and deleting removes the rows on both sides', async () => {
    class Broken extends DBObject {
      static override HABTM = [{ name: 'friends', className: 'Broken' }];
    }
    assert.throws(() => new Broken(), /both sides/);
    class Person extends DBObject {
      static override TABLENAME = 'users';
      static override HABTM = [
        {
          name: 'friends',
          className: 'Person',
          joinTable: 'friendships',
          foreignKey: 'user_id',
          associationForeignKey: 'friend_id',
        },
      ];
      declare id: number;
      declare friends: HABTM<Person>;
    }
    Registry.register(Person);
    await createTable(db.pool, 'friendships', { user_id: 'int', friend_id: 'int' });
    const ann = await Person.create({ first_name: 'Ann' });
    const bob = await Person.create({ first_name: 'Bob' });
    await ann.friends.set([bob]);
    await bob.friends.set([ann]);
    await ann.delete();
    assert.equal(await Registry.getConfig().count('friendships'), 0);
  });

  it('relationships of a deleted object refuse to be used', async () => {
    const ann = await User.create({ first_name: 'Ann' });
    const pictures = ann.pictures;
    await ann.delete();
    assert.throws(() => ann.pictures, ReferenceNotSavedError);
    await assert.rejects(pictures.set([]), /was deleted/);
  });

  it('reports a column named like a relationship, even before any object is built', async () => {
    class Shadowed extends DBObject {
      static override TABLENAME = 'pictures';
      static override BELONGSTO = [{ name: 'name', className: 'User' }];
    }
    await Picture.create({ name: 'p' });
    await assert.rejects(Shadowed.all(), /name of a method or property/);
  });

  it('find(key, { include }) loads the relations of the one object', async () => {
    const ann = await User.create({ first_name: 'Ann' });
    await Picture.create({ name: 'beach', user_id: ann.id });
    const found = (await User.find(ann.id, { include: ['pictures'] }))!;
    assert.equal(found.pictures.isLoaded(), true);
    await assert.rejects(User.find(ann.id, { include: ['nope'] }), InvalidRelationshipError);
  });
});
