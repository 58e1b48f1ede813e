import type { BackendId } from './backends.js';

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
  },
  postgres: {
    'relationships on a schema another tool wrote > add() knows a linked pair when the join keys are declared in another case':
      "PostgreSQL's quoted names are case-sensitive: a key in another case names another column",
    'hostile values > round-trips exactly every instant in the years the database holds, in DATETIME and DATE columns':
      "PostgreSQL's years are tested by postgres-driver.test.ts (PostgreSQL dates outside years 0000–9999)",
    'hostile values > refuses, before sending, a Date outside the years the database holds with ValueOutOfRangeError naming the range':
      "PostgreSQL's years are tested by postgres-driver.test.ts (PostgreSQL dates outside years 0000–9999)",
  },
  mysql: {
    "introspection > names a table of another schema schema.table, so that it never passes for this schema's":
      'a MySQL schema is another database, which the tests do not create for this',
  },
};
