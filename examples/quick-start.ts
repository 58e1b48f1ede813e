/**
 * The quick start: an SQLite file, two tables created by a migration, and the everyday model API.
 * Run it with `npm run demo`.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DBObject, Migrator, Registry, connect, transaction, type BelongsTo, type HasMany } from 'twistar';

class User extends DBObject {
  static override HASMANY = ['pictures'];
  declare id: number;
  // `declare` gives the columns types without class fields that would overwrite loaded values.
  declare first_name: string;
  declare last_name: string;
  declare age: number;
  declare created_at: Date;
  declare pictures: HasMany<Picture>;

  override beforeSave() {
    this.first_name = this.first_name.trim();
  }
}

class Picture extends DBObject {
  static override BELONGSTO = ['user'];
  declare user_id: number;
  declare name: string;
  declare user: BelongsTo<User>;
}

Registry.register(User, Picture);

User.validatesPresenceOf('first_name');
User.validatesLengthOf('last_name', { range: [1, 100] });

const file = 'quick-start.db';
rmSync(file, { force: true });
const pool = connect(`sqlite:${file}`);
Registry.DBPOOL = pool;

// The tables come from a migration (examples/quick-start-migrations), as `npx twistar migrate` would apply it.
const folder = fileURLToPath(new URL('./quick-start-migrations', import.meta.url));
const applied = await new Migrator(pool, { folder }).latest();
console.log(`Applied ${applied.join(', ')}: tables users and pictures in ${file}`);

const ann = await new User({ first_name: ' Ann ', last_name: 'Smith', age: 31 }).save();
console.log(
  `Saved ${ann.first_name} ${ann.last_name} with id ${String(ann.id)}, created at ${ann.created_at.toISOString()}`,
);
await User.create({ first_name: 'Bob', last_name: 'Jones', age: 25 });
await User.create({ first_name: 'Cid', last_name: 'Brown', age: 42 });

const found = await User.find(1);
console.log(`User.find(1) -> ${found?.first_name ?? 'nobody'}`);
const older = await User.find({ where: ['age > ?', 30], orderBy: 'age DESC' });
console.log(`Older than 30: ${older.map((user) => user.first_name).join(', ')}`);

const invalid = await new User({ first_name: '', last_name: '' }).save();
console.log(`Saving a user without names: id ${String(invalid.id)}, errors: ${invalid.errors.toString()}`);

await transaction(async () => {
  await new Picture({ user_id: ann.id, name: 'beach.jpg' }).save();
  await new Picture({ user_id: ann.id, name: 'hills.jpg' }).save();
});
console.log(`Pictures of ${ann.first_name}: ${(await ann.pictures.get()).map((p) => p.name).join(', ')}`);
const bob = await User.findBy({ first_name: 'Bob' }, { limit: 1 });
if (bob) await new Picture({ user_id: bob.id, name: 'city.jpg' }).save();

// Eager loading: the users and all their pictures in two statements, however many users there are.
let statements = 0;
pool.on('query', () => statements++);
const withPictures = await User.find({ orderBy: 'id', include: ['pictures'] });
for (const user of withPictures) {
  const names = (await user.pictures.get()).map((picture) => picture.name);
  console.log(`  ${user.first_name}: ${names.join(', ') || 'no pictures'}`);
}
console.log(`Loaded ${withPictures.length} users with their pictures in ${statements} statements`);
pool.removeAllListeners('query');

await transaction(async () => {
  await User.create({ first_name: 'Dee', last_name: 'Gray', age: 19 });
  throw new Error('changed my mind');
}).catch((error: unknown) => console.log(`A failed transaction rolled back: ${(error as Error).message}`));

if (found) {
  found.age = 32;
  await found.save();
  console.log(`Updated ${found.first_name}'s age to ${found.age}`);
}
console.log(`Users: ${await User.count()}, older than 30: ${await User.count(['age > ?', 30])}`);
console.log(JSON.stringify(await User.all({ orderBy: 'id' }), null, 2));

await pool.close();
