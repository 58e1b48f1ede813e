/**
 * A separate process writing to one SQLite file, for the multi-process fault tests:
 *   tsx test/support/sqlite-writer.ts <file> <tag> <count>        count transactions of 3 rows each
 *   tsx test/support/sqlite-writer.ts <file> <tag> hang            one transaction that never ends
 * Prints "done" (or "inside" once the hanging transaction has written its rows).
 */
import { Registry, connect, transaction } from '../../src/index.js';

const [file, tag, what] = process.argv.slice(2);
if (file === undefined || tag === undefined || what === undefined)
  throw new Error('usage: <file> <tag> <count|hang>');
const pool = connect(`sqlite:${file}`);
Registry.DBPOOL = pool;
const config = Registry.getConfig();

if (what === 'hang') {
  await transaction(async () => {
    for (let i = 0; i < 3; i++) await config.insert('writes', { tag, n: i });
    process.stdout.write('inside\n');
    // Killed here by the test. The interval keeps the event loop alive: a promise alone does not, and
    // the process would exit (code 13, unsettled top-level await) before the kill once the pool's timers end.
    await new Promise(() => setInterval(() => undefined, 60_000));
  });
} else {
  for (let t = 0; t < Number(what); t++) {
    await transaction(async () => {
      for (let i = 0; i < 3; i++) await config.insert('writes', { tag: `${tag}-${t}`, n: i });
    });
  }
  await pool.close();
  process.stdout.write('done\n');
}
