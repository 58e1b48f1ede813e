/**
 * A separate process running migrations, for the concurrency tests:
 *   tsx test/support/migrate-runner.ts <url> <folder>
 * Connects, prints "ready", waits for a line on stdin, runs `latest()` and prints the result as JSON
 * (`{"applied":[…]}` or `{"error":"…"}`).
 */
import { once } from 'node:events';
import { Migrator, connect } from '../../src/index.js';

const [url, folder] = process.argv.slice(2);
if (url === undefined || folder === undefined) throw new Error('usage: <url> <folder>');
const pool = connect(url);
await pool.runQuery('SELECT 1');
process.stdout.write('ready\n');
await once(process.stdin, 'data');
try {
  const applied = await new Migrator(pool, { folder }).latest();
  process.stdout.write(`${JSON.stringify({ applied })}\n`);
} catch (error) {
  process.stdout.write(
    `${JSON.stringify({ error: `${(error as Error).name}: ${(error as Error).message}` })}\n`,
  );
} finally {
  await pool.close();
  process.stdin.destroy();
}
