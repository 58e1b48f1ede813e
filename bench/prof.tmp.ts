import { rmSync } from 'node:fs';
import { DBObject, Registry, connect } from '../src/index.js';
class User extends DBObject {
  static override HASMANY = ['pictures'];
}
class Picture extends DBObject {}
Registry.register(User, Picture);
const file = process.argv[2] ?? ':memory:';
if (file !== ':memory:') rmSync(file, { force: true });
const pool = connect(`sqlite:${file}`);
Registry.DBPOOL = pool;
await pool.runOperation(
  'CREATE TABLE users (id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, age INTEGER, created_at DATETIME)',
);
await Registry.getConfig().insertMany(
  'users',
  Array.from({ length: 10000 }, (_, i) => ({
    first_name: 'a' + i,
    last_name: 'b',
    age: i % 100,
    created_at: new Date(),
  })),
);
for (let r = 0; r < 4; r++) {
  const t = performance.now();
  for (let i = 0; i < 100000; i++) await User.find((i % 10000) + 1);
  console.log(file, (((performance.now() - t) * 1000) / 100000).toFixed(2), 'µs/find');
}
