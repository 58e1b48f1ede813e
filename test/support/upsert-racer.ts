/**
 * A separate process upserting keys into one table, for the upsert race test:
 *   tsx test/support/upsert-racer.ts <url> <table> <count>
 * Upserts race0 … race<count-1> (one upsert each, a few at once) and prints how many it created, as JSON.
 */
import { DBObject, Registry, connect } from '../../src/index.js';

const [url, table, count] = process.argv.slice(2);
if (url === undefined || table === undefined || count === undefined)
  throw new Error('usage: <url> <table> <count>');

class Racer extends DBObject {
  static override TABLENAME = table ?? '';
  declare email: string;
  declare visits: number | null;
}
Registry.register(Racer);
const pool = connect(url);
Registry.DBPOOL = pool;
let created = 0;
const keys = Array.from({ length: Number(count) }, (_, i) => `race${i}@x`);
for (let i = 0; i < keys.length; i += 4) {
  const results = await Promise.all(
    keys
      .slice(i, i + 4)
      .map((email) => Racer.upsert({ email, visits: process.pid }, { uniqueBy: ['email'] })),
  );
  created += results.filter((result) => result.created).length;
}
await pool.close();
process.stdout.write(`${JSON.stringify({ created })}\n`);
