import type { BackendId } from './backends.js';

/** Why PGlite cannot run a test: it is in process, one pool and one process at a time. */
const ONE_PROCESS =
  "the twistar command runs in processes of its own, and a PGlite database lives in one process (in memory nothing else sees it; a folder is locked by the suite's pool)";
const TWO_POOLS =
  "a PGlite database is one pool's at a time: another pool cannot open it while the suite's pool holds it";
/** Gaps PGlite shares with the PostgreSQL server, for the same reasons. */
const PG_YEARS =
  "PostgreSQL's years are tested by postgres-driver.test.ts (PostgreSQL dates outside years 0000–9999)";
const CASE_SENSITIVE =
  "PostgreSQL's quoted names are case-sensitive: a key in another case names another column";
/** SQLite's transactions: its isolation levels are all one. */
const NO_LEVELS =
  'SQLite has no isolation level to report: every transaction of it is serializable (its SQL per level is checked in test/unit/isolation-level.test.ts)';
const ONE_WRITER =
  'SQLite runs one write transaction at a time (BEGIN IMMEDIATE): another waits for it to end, so none sees or loses to another';
const ONE_SESSION =
  'a PGlite database is one connection, and another pool opens a database of its own: no other session commits during a transaction';

/**
 * The known gaps, in one place: per backend, the tests of shared suites that cannot run there, as
 * `suite title > test title` (the suite's title as given to describeEachBackend or describeMusicStore, without its
 * `[backend]` or naming style), each with the reason it reports as its skip. What only some databases have is
 * not a gap: it is a suite declared for them with describeOn. An entry that names no test fails the suite's file
 * (test/support/backends.ts) or test/unit/gaps.test.ts.
 */
export const GAPS: Readonly<Record<BackendId, Readonly<Record<string, string>>>> = {
  sqlite: {
    'pool limits > never opens more connections than its size under concurrent load':
      'an SQLite pool has no server connections to count',
    "values other tools wrote > brings a Date to a column's fraction of a second as the database does":
      'SQLite has no column that limits a fraction of a second (it keeps the text it is given)',
    "introspection > names a table of another schema schema.table, so that it never passes for this schema's":
      'SQLite foreign keys do not reference tables of attached databases',
    'transaction isolation > runs the transaction at the level given, as the server reports it': NO_LEVELS,
    "transaction isolation > leaves the next plain transaction on the same connection at the server's default":
      NO_LEVELS,
    'transaction isolation > repeatable read sees a snapshot: a row another pool commits after the first read stays unseen':
      ONE_WRITER,
    'transaction isolation > retries run a serializable transaction that lost a conflict again, at serializable each time':
      ONE_WRITER,
  },
  pglite: {
    'withRollback > another pool sees none of its rows, while the work runs or after':
      'an in-memory PGlite database is one pool: another pool opens a database of its own, which would see nothing anyway',
    'after-commit hooks > afterCommit sees the row from another connection, and its own statements run outside the transaction':
      ONE_SESSION,
    'transaction isolation > repeatable read sees a snapshot: a row another pool commits after the first read stays unseen':
      ONE_SESSION,
    'transaction isolation > retries run a serializable transaction that lost a conflict again, at serializable each time':
      ONE_SESSION,
    'the twistar command > creates, applies, lists and reverts migrations, once each under concurrent runs':
      ONE_PROCESS,
    'the twistar command > drives the console through its standard input': ONE_PROCESS,
    'twistar seed > runs the seed files in name order, TypeScript and JavaScript, default export or run':
      ONE_PROCESS,
    'twistar seed > --file runs one seed file, named with or without its extension; an unknown name lists the files':
      ONE_PROCESS,
    'twistar seed > a seed that throws stops the run, exit code 1, naming the file; its writes are rolled back':
      ONE_PROCESS,
    'twistar seed > a missing seeds folder is a ConfigError, an empty one runs nothing; --seeds and the config file choose the folder':
      ONE_PROCESS,
    'twistar seed > a seed file that exports no function is a SeedError naming it': ONE_PROCESS,
    'the twistar command > exits 1 with a message when the command fails, and 2 on a wrong command line':
      ONE_PROCESS,
    'the twistar command > generates typed models that type-check, and check agrees with the database':
      ONE_PROCESS,
    'the twistar command > prints diagrams, and check finds drift with exit code 3': ONE_PROCESS,
    'the twistar command > runs every piped console line after one fails, and exits 1 when any failed':
      ONE_PROCESS,
    'twistar on a schema another tool designed > generates relations named as a person would, each model declaring its key':
      ONE_PROCESS,
    'twistar on a schema another tool designed > refuses check and diagram on a missing or empty models folder (exit 1)':
      ONE_PROCESS,
    'twistar on a schema another tool designed > runs the generated relations in the console, and check agrees with the database':
      ONE_PROCESS,
    'twistar on a schema another tool designed > writes models that compile under --strict, keys and relations typed':
      ONE_PROCESS,
    'keys and foreign keys of a schema written by another tool > twistar check reports that key and exits 3':
      ONE_PROCESS,
    'migrations > two processes running latest() at once on one database apply each migration exactly once':
      'another process cannot open a PGlite database that this one holds (one process at a time)',
    'pool limits > never opens more connections than its size under concurrent load':
      'a PGlite pool has one connection, the database itself',
    'exact values: text > round-trips invisible characters exactly':
      'PGlite drops a leading U+FEFF of a text value it returns (its TextDecoder): Twistar refuses to save such text there',
    'hostile input > options, attribute objects and values are read from own properties only':
      'PGlite reads its protocol messages through the prototype chain: a polluted Object.prototype.name names a portal',
    'hostile values > refuses, before sending, a Date outside the years the database holds with ValueOutOfRangeError naming the range':
      PG_YEARS,
    'hostile values > round-trips exactly every instant in the years the database holds, in DATETIME and DATE columns':
      PG_YEARS,
    'relationships on a schema another tool wrote > add() knows a linked pair when the join keys are declared in another case':
      CASE_SENSITIVE,
    'relationships on a schema another tool wrote > concurrent add() to one owner from two pools all land (a composite-key join table)':
      TWO_POOLS,
    'relationships on a schema another tool wrote > concurrent add() to one owner from two pools all land (a join table without a key)':
      TWO_POOLS,
    'schema changes while an application runs > a name refused before a column of that name was added is saved once the recheck interval has passed':
      TWO_POOLS,
    'schema changes while an application runs > reads the columns again once per unknown name, then refuses a name that is still not a column':
      TWO_POOLS,
    'schema changes while an application runs > refuses, naming it, a value for a column another process dropped; nothing is written':
      TWO_POOLS,
    'schema changes while an application runs > saves a value for a column another process added after the columns were read':
      TWO_POOLS,
    'schema changes while an application runs > saves an object read with a column added since, and that column once given a new value':
      TWO_POOLS,
  },
  postgres: {
    'relationships on a schema another tool wrote > add() knows a linked pair when the join keys are declared in another case':
      CASE_SENSITIVE,
    'hostile values > round-trips exactly every instant in the years the database holds, in DATETIME and DATE columns':
      PG_YEARS,
    'hostile values > refuses, before sending, a Date outside the years the database holds with ValueOutOfRangeError naming the range':
      PG_YEARS,
  },
  mysql: {
    "introspection > names a table of another schema schema.table, so that it never passes for this schema's":
      'a MySQL schema is another database, which the tests do not create for this',
  },
};
