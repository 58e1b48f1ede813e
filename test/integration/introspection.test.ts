import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { before, beforeEach } from 'node:test';
import { pathToFileURL } from 'node:url';
import { generateModels } from '../../src/cli/generate-models.js';
import {
  DBObject,
  InvalidSchemaOptionError,
  Registry,
  SchemaMismatchError,
  diagram,
  introspect,
  verifyModels,
  type DatabaseSchema,
  type IntrospectOptions,
  type SchemaProblem,
  type TableSchema,
} from '../../src/index.js';
import { describeEachBackend, describeOn, type DialectName, it } from '../support/backends.js';
import {
  INTROSPECTION_TABLES,
  ODD_TABLE,
  createHostileTables,
  createIntrospectionTables,
} from '../support/introspection-tables.js';
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
import { createTable, dropTable } from '../support/schema.js';

/** What each database reports in its own way: the one place the expectations differ. */
const QUIRKS: Record<
  DialectName,
  {
    /** A constraint's name comes back (SQLite keeps none). */
    readonly constraintNames: boolean;
    /** `DEFAULT TRUE` as the catalogue spells it. */
    readonly trueDefault: string;
    /** The default of an auto-numbered key (PostgreSQL's sequence), or null. */
    readonly idDefault: (table: string) => string | null;
    /** ON UPDATE when none was given (MariaDB/InnoDB reports RESTRICT, its equivalent of NO ACTION). */
    readonly onUpdate: string;
    /** The database indexes each foreign key not already covered by an index (InnoDB). */
    readonly indexesForeignKeys: boolean;
    /** Creates a temporary table (of the session) and drops it. */
    readonly temporary: { readonly create: string; readonly drop: (quoted: string) => string };
    /** A schema of this database that may hold a table a foreign key references (none: a gap, test/support/gaps.ts). */
    readonly otherSchema: string | null;
    /** Tables only this database has, which are not the application's (virtual tables and their shadows). */
    readonly internalTables: readonly string[];
  }
> = {
  sqlite: {
    constraintNames: false,
    trueDefault: 'TRUE',
    idDefault: () => null,
    onUpdate: 'no action',
    indexesForeignKeys: false,
    temporary: { create: 'CREATE TEMP TABLE', drop: (quoted) => `DROP TABLE temp.${quoted}` },
    otherSchema: null,
    internalTables: ['CREATE VIRTUAL TABLE hx_search USING fts5(body)'],
  },
  postgres: {
    constraintNames: true,
    trueDefault: 'true',
    idDefault: (table) => `nextval('${table}_id_seq'::regclass)`,
    onUpdate: 'no action',
    indexesForeignKeys: false,
    temporary: { create: 'CREATE TEMP TABLE', drop: (quoted) => `DROP TABLE pg_temp.${quoted}` },
    otherSchema: 'hx_other',
    internalTables: [],
  },
  mysql: {
    constraintNames: true,
    trueDefault: '1',
    idDefault: () => null,
    onUpdate: 'restrict',
    indexesForeignKeys: true,
    temporary: { create: 'CREATE TEMPORARY TABLE', drop: (quoted) => `DROP TEMPORARY TABLE ${quoted}` },
    otherSchema: null,
    internalTables: [],
  },
};

function tableOf(schema: DatabaseSchema, name: string): TableSchema {
  const table = schema.tables.find((each) => each.name === name);
  assert.ok(table, `table ${name} was not introspected`);
  return table;
}

/** A column as the tests compare it: the portable parts, without the dialect's spelling of the type. */
function portable(table: TableSchema) {
  return table.columns.map((column) => ({
    name: column.name,
    kind: column.kind,
    ...(column.length === undefined ? {} : { length: column.length }),
    ...(column.precision === undefined ? {} : { precision: column.precision, scale: column.scale }),
    nullable: column.nullable,
    default: column.default,
    primaryKey: column.primaryKey,
    autoIncrement: column.autoIncrement,
  }));
}

const column = (
  name: string,
  kind: string,
  extra: Partial<{
    length: number;
    precision: number;
    scale: number;
    nullable: boolean;
    default: string | null;
    primaryKey: boolean;
    autoIncrement: boolean;
  }> = {},
) => {
  const { length, precision, scale, ...flags } = extra;
  return {
    name,
    kind,
    ...(length === undefined ? {} : { length }),
    ...(precision === undefined ? {} : { precision, scale }),
    nullable: true,
    default: null,
    primaryKey: false,
    autoIncrement: false,
    ...flags,
  };
};

describeEachBackend('introspection', (db) => {
  const quirks = () => QUIRKS[db.name];
  let schema: DatabaseSchema;
  let statements: { sql: string; params: readonly unknown[] }[];

  before(async () => {
    await createIntrospectionTables(db.pool);
    await db.pool.runOperation('DROP TABLE IF EXISTS twistar_migrations');
    await db.pool.runOperation('CREATE TABLE twistar_migrations (name VARCHAR(200) PRIMARY KEY)');
    statements = [];
    const listener = (event: { sql: string; params: readonly unknown[] }) => statements.push(event);
    db.pool.on('query', listener);
    try {
      schema = await introspect(db.pool);
    } finally {
      db.pool.off('query', listener);
      await db.pool.runOperation('DROP TABLE IF EXISTS twistar_migrations');
    }
  });

  it('lists the tables sorted by name, without twistar_migrations', () => {
    assert.equal(schema.dialect, db.name);
    const names = schema.tables.map((table) => table.name);
    assert.deepEqual(
      names.filter((name) => name.startsWith('is_')),
      [...INTROSPECTION_TABLES].sort(),
    );
    assert.ok(!names.includes('twistar_migrations'));
    assert.ok(!names.some((name) => name.startsWith('sqlite_')));
    assert.deepEqual(
      names,
      [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });

  it('reads columns in order: portable kind and size, nullability, default, key, auto-numbering', () => {
    const id = (table: string) =>
      column('id', 'integer', {
        nullable: false,
        primaryKey: true,
        autoIncrement: true,
        default: quirks().idDefault(table),
      });
    assert.deepEqual(portable(tableOf(schema, 'is_teams')), [
      id('is_teams'),
      column('name', 'string', { length: 100, nullable: false }),
      column('active', 'boolean', { nullable: false, default: quirks().trueDefault }),
      column('budget', 'decimal', { precision: 10, scale: 2 }),
      column('founded_on', 'date'),
      column('created_at', 'datetime'),
    ]);
    assert.deepEqual(portable(tableOf(schema, 'is_members')), [
      id('is_members'),
      column('team_id', 'integer', { nullable: false }),
      column('mentor_id', 'integer'),
      column('email', 'string', { length: 255, nullable: false }),
      column('nickname', 'text'),
      column('status', 'string', { length: 20, nullable: false, default: "'active'" }),
      column('score', 'integer', { default: '0' }),
      column('data', 'json'),
      column('photo', 'binary'),
    ]);
    assert.deepEqual(portable(tableOf(schema, 'is_projects')), [
      id('is_projects'),
      column('title', 'string', { length: 255, nullable: false }),
      column('ref', 'uuid'),
      column('weight', 'float'),
      column('views', 'bigint'),
    ]);
    assert.deepEqual(portable(tableOf(schema, 'is_comments')), [
      id('is_comments'),
      column('body', 'text'),
      column('commentable_id', 'integer'),
      column('commentable_type', 'string', { length: 50 }),
    ]);
  });

  it('keeps the type as the database reports it', () => {
    const types = tableOf(schema, 'is_teams').columns.map((each) => each.type.toLowerCase());
    const expected: Record<DialectName, string[]> = {
      sqlite: ['integer', 'varchar(100)', 'boolean', 'decimal(10,2)', 'date', 'datetime'],
      postgres: [
        'integer',
        'character varying(100)',
        'boolean',
        'numeric(10,2)',
        'date',
        'timestamp(3) without time zone',
      ],
      mysql: ['int(11)', 'varchar(100)', 'tinyint(1)', 'decimal(10,2)', 'date', 'datetime(3)'],
    };
    assert.deepEqual(types, expected[db.name]);
  });

  it('reads primary keys, composite ones in key order', () => {
    assert.deepEqual(tableOf(schema, 'is_teams').primaryKey, ['id']);
    const join = tableOf(schema, 'is_members_projects');
    assert.deepEqual(join.primaryKey, ['member_id', 'project_id']);
    assert.deepEqual(portable(join), [
      column('member_id', 'integer', { nullable: false, primaryKey: true }),
      column('project_id', 'integer', { nullable: false, primaryKey: true }),
    ]);
  });

  it('reads foreign keys: columns, referenced table and columns, ON DELETE and ON UPDATE', () => {
    const named = (name: string) => (quirks().constraintNames ? name : null);
    const onUpdate = quirks().onUpdate;
    assert.deepEqual(tableOf(schema, 'is_members').foreignKeys, [
      {
        name: named('is_members_mentor_fk'),
        columns: ['mentor_id'],
        referencedTable: 'is_members',
        referencedColumns: ['id'],
        onDelete: 'set null',
        onUpdate,
      },
      {
        name: named('is_members_team_fk'),
        columns: ['team_id'],
        referencedTable: 'is_teams',
        referencedColumns: ['id'],
        onDelete: 'cascade',
        onUpdate,
      },
    ]);
    assert.deepEqual(
      tableOf(schema, 'is_members_projects').foreignKeys.map((key) => [
        key.columns,
        key.referencedTable,
        key.referencedColumns,
        key.onDelete,
      ]),
      [
        [['member_id'], 'is_members', ['id'], 'cascade'],
        [['project_id'], 'is_projects', ['id'], 'restrict'],
      ],
    );
    assert.deepEqual(tableOf(schema, 'is_comments').foreignKeys, []);
  });

  it('reads unique constraints and indexes, on one column and on several', () => {
    const indexes = (table: string) =>
      tableOf(schema, table).indexes.map(({ columns, unique, partial }) => ({ columns, unique, partial }));
    assert.deepEqual(indexes('is_teams'), [{ columns: ['name'], unique: true, partial: false }]);
    assert.deepEqual(
      indexes('is_members').filter((index) => index.unique),
      [{ columns: ['team_id', 'email'], unique: true, partial: false }],
    );
    assert.deepEqual(tableOf(schema, 'is_comments').indexes, [
      {
        name: 'is_comments_commentable',
        columns: ['commentable_type', 'commentable_id'],
        unique: false,
        partial: false,
      },
    ]);
    // InnoDB adds an index for a foreign key that no index starts with; the others add none.
    assert.deepEqual(
      indexes('is_members_projects'),
      quirks().indexesForeignKeys ? [{ columns: ['project_id'], unique: false, partial: false }] : [],
    );
  });

  it('reads the tables themselves, not a temporary table of the same name', async () => {
    const q = (name: string) => db.pool.dialect.quoteIdentifier(name);
    await db.pool.runInteraction(async (txn) => {
      await txn.runOperation(`${quirks().temporary.create} ${q('is_teams')} (${q('shadow')} INTEGER)`);
      try {
        const again = await introspect(db.pool);
        assert.deepEqual(
          tableOf(again, 'is_teams').columns.map((each) => each.name),
          tableOf(schema, 'is_teams').columns.map((each) => each.name),
        );
      } finally {
        await txn.runOperation(quirks().temporary.drop(q('is_teams')));
      }
    });
  });

  it("names a table of another schema schema.table, so that it never passes for this schema's", async () => {
    const other = quirks().otherSchema;
    assert.ok(other !== null, `no other schema on ${db.name}`);
    const q = (name: string) => db.pool.dialect.quoteIdentifier(name);
    await db.pool.runOperation(`DROP SCHEMA IF EXISTS ${q(other)} CASCADE`);
    await db.pool.runOperation(`CREATE SCHEMA ${q(other)}`);
    try {
      await db.pool.runOperation(
        `CREATE TABLE ${q(other)}.${q('is_teams')} (${q('id')} INTEGER PRIMARY KEY)`,
      );
      await db.pool.runOperation(`CREATE TABLE ${q(other)}.${q('is_hidden')} (${q('id')} INTEGER)`);
      await db.pool.runOperation(
        `CREATE TABLE ${q('is_elsewhere')} (${q('id')} INTEGER, ${q('team_id')} INTEGER ` +
          `REFERENCES ${q(other)}.${q('is_teams')} (${q('id')}))`,
      );
      const again = await introspect(db.pool);
      assert.ok(!again.tables.some((table) => table.name === 'is_hidden'));
      assert.deepEqual(
        tableOf(again, 'is_elsewhere').foreignKeys.map((key) => key.referencedTable),
        [`${other}.is_teams`],
      );
    } finally {
      await db.pool.runOperation(`DROP TABLE IF EXISTS ${q('is_elsewhere')}`);
      await db.pool.runOperation(`DROP SCHEMA ${q(other)} CASCADE`);
    }
  });

  it("leaves out the database's own tables: virtual tables and their shadow tables", async () => {
    for (const statement of quirks().internalTables) await db.pool.runOperation(statement);
    const names = (await introspect(db.pool)).tables.map((table) => table.name);
    assert.deepEqual(
      names.filter((name) => name.startsWith('hx_search')),
      [],
    );
  });

  it('binds table names as parameters rather than writing them into the SQL', () => {
    assert.ok(statements.length > 0);
    for (const { sql } of statements) assert.doesNotMatch(sql, /is_(teams|members|projects|comments)/);
    if (db.name === 'sqlite') assert.ok(statements.some(({ params }) => params.includes('is_members')));
  });
});

const RELATIONSHIP_MODELS = [User, Picture, Avatar, FavoriteColor, Tag, Nickname, Boy, Girl];

/** The problems without their messages, in a stable order, for comparison. */
function kinds(problems: readonly SchemaProblem[]) {
  return problems.map(({ message: _message, ...rest }) => rest);
}

describeEachBackend('Registry.verify', (db) => {
  beforeEach(async () => {
    await createRelationshipTables(db.pool);
  });

  const dropColumn = async (table: string, name: string) => {
    const q = (text: string) => db.pool.dialect.quoteIdentifier(text);
    await db.pool.runOperation(`ALTER TABLE ${q(table)} DROP COLUMN ${q(name)}`);
    Registry.getConfig(db.pool).forgetColumns(table);
  };

  it('finds nothing when the registered models and the tables agree', async () => {
    assert.deepEqual(await Registry.verify(), []);
    assert.deepEqual(await Registry.verify({ models: RELATIONSHIP_MODELS, throw: true }), []);
  });

  it('reports a missing table', async () => {
    await dropTable(db.pool, 'avatars');
    const problems = await Registry.verify({ models: RELATIONSHIP_MODELS });
    assert.deepEqual(kinds(problems), [{ model: 'Avatar', kind: 'missing-table', table: 'avatars' }]);
    assert.equal(problems[0]?.message, 'Avatar: table "avatars" does not exist.');
  });

  it("reports a missing foreign key on both sides of a relationship, on the related model's table", async () => {
    await dropColumn('pictures', 'user_id');
    const problems = await Registry.verify({ models: RELATIONSHIP_MODELS });
    assert.deepEqual(kinds(problems), [
      { model: 'Picture', kind: 'missing-column', relation: 'user', table: 'pictures', column: 'user_id' },
      { model: 'User', kind: 'missing-column', relation: 'pictures', table: 'pictures', column: 'user_id' },
    ]);
    assert.equal(
      problems[1]?.message,
      'User.pictures (has many): table "pictures" has no column "user_id" (the foreign key).',
    );
  });

  it('reports a missing HABTM join table, from each side that declares it', async () => {
    await dropTable(db.pool, 'favorite_colors_users');
    const problems = await Registry.verify({ models: RELATIONSHIP_MODELS });
    assert.deepEqual(kinds(problems), [
      {
        model: 'FavoriteColor',
        kind: 'missing-join-table',
        relation: 'users',
        table: 'favorite_colors_users',
      },
      {
        model: 'User',
        kind: 'missing-join-table',
        relation: 'favorite_colors',
        table: 'favorite_colors_users',
      },
    ]);
  });

  it("reports a join table's missing key column", async () => {
    await dropColumn('user_tag_links', 'tag_id');
    const problems = await Registry.verify({ models: RELATIONSHIP_MODELS });
    assert.deepEqual(kinds(problems), [
      { model: 'User', kind: 'missing-column', relation: 'tags', table: 'user_tag_links', column: 'tag_id' },
    ]);
    assert.equal(
      problems[0]?.message,
      'User.tags (habtm): join table "user_tag_links" has no column "tag_id" (the key of Tag).',
    );
  });

  it('reports a missing polymorphic type column, for the belongs-to and for each `as` side', async () => {
    await dropColumn('nicknames', 'nicknameable_type');
    const problems = await Registry.verify({ models: RELATIONSHIP_MODELS });
    const missing = { kind: 'missing-column', table: 'nicknames', column: 'nicknameable_type' };
    assert.deepEqual(kinds(problems), [
      { model: 'Boy', relation: 'nicknames', ...missing },
      { model: 'Girl', relation: 'nicknames', ...missing },
      { model: 'Nickname', relation: 'nicknameable', ...missing },
    ]);
    assert.equal(
      problems[2]?.message,
      'Nickname.nicknameable (belongs to, polymorphic): table "nicknames" has no column "nicknameable_type" ' +
        '(the type column).',
    );
  });

  it('reports a missing primary key column', async () => {
    await createTable(db.pool, 'tags', { tag_id: 'pk', label: 'string' });
    const problems = await Registry.verify({ models: RELATIONSHIP_MODELS });
    assert.deepEqual(kinds(problems), [
      { model: 'Tag', kind: 'missing-column', table: 'tags', column: 'id' },
    ]);
  });

  it('reports a relation to a class that is not registered', async () => {
    class Haunted extends DBObject {
      static override TABLENAME = 'users';
      static override HASMANY = ['ghosts'];
    }
    const problems = await Registry.verify({ models: [Haunted] });
    assert.deepEqual(problems, [
      {
        model: 'Haunted',
        kind: 'missing-class',
        relation: 'ghosts',
        message: 'Haunted.ghosts (has many): class "Ghost" is not registered; call Registry.register(Ghost).',
      },
    ]);
  });

  it("reports a related model's missing table when that model is not among those verified", async () => {
    await dropTable(db.pool, 'pictures');
    assert.deepEqual(kinds(await Registry.verify({ models: [User] })), [
      { model: 'User', kind: 'missing-table', relation: 'pictures', table: 'pictures' },
    ]);
  });

  it('with throw: true, rejects with SchemaMismatchError listing every problem', async () => {
    await dropTable(db.pool, 'avatars');
    await dropColumn('user_tag_links', 'user_id');
    await assert.rejects(Registry.verify({ models: RELATIONSHIP_MODELS, throw: true }), (error: unknown) => {
      assert.ok(error instanceof SchemaMismatchError);
      assert.deepEqual(
        error.problems.map((problem) => problem.kind),
        ['missing-table', 'missing-column'],
      );
      assert.equal(
        error.message,
        'The models do not match the database (2 problems):\n' +
          '- Avatar: table "avatars" does not exist.\n' +
          '- User.tags (habtm): join table "user_tag_links" has no column "user_id" (the key of User).',
      );
      return true;
    });
  });
});

describeEachBackend('diagram of a live schema', (db) => {
  before(async () => {
    await createRelationshipTables(db.pool);
  });

  it('draws the registered models over the introspected columns, the same text on every database', async () => {
    const text = diagram({ schema: await introspect(db.pool), models: RELATIONSHIP_MODELS });
    assert.equal(text, RELATIONSHIP_MERMAID);
  });
});

const RELATIONSHIP_MERMAID = `erDiagram
    "avatars" {
        integer id PK
        integer user_id FK
        string(255) name
    }
    "boys" {
        integer id PK
        string(255) name
    }
    "favorite_colors" {
        integer id PK
        string(255) name
    }
    "favorite_colors_users" {
        integer user_id FK
        integer favorite_color_id FK
    }
    "girls" {
        integer id PK
        string(255) name
    }
    "nicknames" {
        integer id PK
        string(255) value
        integer nicknameable_id FK
        string(255) nicknameable_type
    }
    "pictures" {
        integer id PK
        integer user_id FK
        string(255) name
        integer size
    }
    "tags" {
        integer id PK
        string(255) label
    }
    "user_tag_links" {
        integer user_id FK
        integer tag_id FK
    }
    "users" {
        integer id PK
        string(255) first_name
        integer age
    }
    "boys" ||--o{ "nicknames" : "nicknameable (polymorphic)"
    "favorite_colors" ||--o{ "favorite_colors_users" : "favorite_color_id"
    "girls" ||--o{ "nicknames" : "nicknameable (polymorphic)"
    "tags" ||--o{ "user_tag_links" : "tag_id"
    "users" ||--o| "avatars" : "user_id"
    "users" ||--o{ "favorite_colors_users" : "user_id"
    "users" ||--o{ "pictures" : "user_id"
    "users" ||--o{ "user_tag_links" : "user_id"
`;

const HOSTILE_OPTIONS: IntrospectOptions = { migrationsTable: 'hx_migrations', exclude: [/^tmp_/] };

/** The model classes of `files`, written to a folder and imported (twistar resolving to src/). */
async function loadGenerated(files: readonly { path: string; text: string }[]): Promise<DBObjectClass[]> {
  const dir = mkdtempSync(join(tmpdir(), 'twistar-models-'));
  // The specifier this file imports twistar by, so that the models register in the same Registry.
  const twistar = new URL('../../src/index.js', import.meta.url).href;
  try {
    // ES modules, as a project using Twistar is: loaded as CommonJS they would get a Registry of their own.
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    for (const file of files) {
      mkdirSync(dirname(join(dir, file.path)), { recursive: true });
      writeFileSync(join(dir, file.path), file.text.replaceAll("from 'twistar'", `from '${twistar}'`));
    }
    const index = (await import(pathToFileURL(join(dir, 'generated/index.ts')).href)) as Record<
      string,
      unknown
    >;
    return Object.values(index) as DBObjectClass[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type DBObjectClass = typeof DBObject & (new () => DBObject);

describeOn(['sqlite'], 'schema tools on SQLite WITHOUT ROWID tables', (db) => {
  it('reads an INTEGER PRIMARY KEY of a WITHOUT ROWID table (SQLite) as not numbered by the database', async () => {
    await db.pool.runOperation('DROP TABLE IF EXISTS hx_norowid');
    await db.pool.runOperation('CREATE TABLE hx_norowid (id INTEGER PRIMARY KEY, v TEXT) WITHOUT ROWID');
    const id = tableOf(await introspect(db.pool), 'hx_norowid').columns[0];
    assert.deepEqual([id?.primaryKey, id?.nullable, id?.autoIncrement], [true, false, false]);
  });
});

// Last in the file: the generated models it loads stay registered (the Registry has no unregister), and the
// suites above verify every registered model.
describeEachBackend('schema tools on hostile names and shapes', (db) => {
  let schema: DatabaseSchema;

  before(async () => {
    await createHostileTables(db.pool);
    schema = await introspect(db.pool, HOSTILE_OPTIONS);
  });

  it('reads odd and reserved identifiers exactly, and leaves out views', () => {
    const odd = tableOf(schema, ODD_TABLE);
    assert.deepEqual(
      odd.columns.map((each) => each.name),
      ['id', 'hx_team_id', 'note "x"'],
    );
    assert.deepEqual(
      odd.foreignKeys.map((key) => [key.columns, key.referencedTable]),
      [[['hx_team_id'], 'hx_teams']],
    );
    assert.deepEqual(
      tableOf(schema, 'hx_teams').columns.map((each) => each.name),
      ['id', 'name', 'select', "it's", 'ñame', 'first name', 'data_x', 'dataYx'],
    );
    assert.ok(!schema.tables.some((table) => table.name === 'hx_view'));
  });

  it('reads a JSON column by its own CHECK constraint only (MariaDB keeps JSON as LONGTEXT)', () => {
    const kind = (table: string, name: string) =>
      tableOf(schema, table).columns.find((each) => each.name === name)?.kind;
    assert.equal(kind('hx_teams', 'dataYx'), 'json');
    // Not a LIKE pattern: `_` matches itself only.
    assert.equal(kind('hx_teams', 'data_x'), 'text');
    // A check of the same name on another table is not this column's.
    assert.equal(kind('hx_messages', 'dataYx'), 'text');
    // A backquote in the name is doubled in the check clause.
    assert.equal(kind('hx_members', 'we`ird'), 'json');
  });

  it('reads a negative number default as a number on every database', () => {
    const rank = tableOf(schema, 'hx_messages').columns.find((each) => each.name === 'rank');
    assert.equal(rank?.default, '-1');
  });

  it('leaves out the named migrations table, its companions and the excluded tables', async () => {
    const names = schema.tables.map((table) => table.name);
    for (const left of ['hx_migrations', 'hx_migrations_lock', 'tmp_scratch'])
      assert.ok(!names.includes(left));
    const all = (await introspect(db.pool)).tables.map((table) => table.name);
    for (const kept of ['hx_migrations', 'hx_migrations_lock', 'tmp_scratch']) assert.ok(all.includes(kept));
    const byName = (await introspect(db.pool, { exclude: ['tmp_scratch'] })).tables.map(
      (table) => table.name,
    );
    assert.ok(!byName.includes('tmp_scratch'));
    assert.ok(byName.includes('hx_migrations'));
  });

  it('passes the same options from verifyModels to introspect', async () => {
    class Scratch extends DBObject {
      static override TABLENAME = 'tmp_scratch';
    }
    assert.deepEqual(await verifyModels({ models: [Scratch] }), []);
    assert.deepEqual(
      (await verifyModels({ models: [Scratch], ...HOSTILE_OPTIONS })).map((problem) => problem.kind),
      ['missing-table'],
    );
  });

  it('rejects an option of the wrong type with InvalidSchemaOptionError, saying what it takes', async () => {
    await assert.rejects(
      introspect(db.pool, { exclude: ['tmp_*', 5 as unknown as string] }),
      (error: unknown) => error instanceof InvalidSchemaOptionError && /RegExp/.test(error.message),
    );
    await assert.rejects(
      introspect(db.pool, { migrationsTable: '' }),
      (error: unknown) =>
        error instanceof InvalidSchemaOptionError && /Migrator's tableName/.test(error.message),
    );
  });

  it('generates models that load, query, follow their relationships and agree with the database', async () => {
    const hostile = { ...schema, tables: schema.tables.filter((table) => table.name.startsWith('hx')) };
    const files = generateModels(hostile, '.', HOSTILE_OPTIONS).map((file) => ({
      ...file,
      path: file.path.slice(2),
    }));
    const index = files.find((file) => file.path === 'generated/index.ts')?.text ?? '';
    assert.match(index, /No model for hx_friendships: a join table/);
    assert.match(index, /No model for hx_nokey: it has neither a primary key nor an id column/);
    assert.match(index, /No model for hx_scores: its primary key has 2 columns/);
    assert.match(index, /No model for hx "odd" `t` ü\*\\\/: Twistar's statements take plain table names/);
    const models = await loadGenerated(files);
    const byName = new Map(models.map((model) => [model.name, model]));
    assert.deepEqual([...byName.keys()].sort(), ['HxMember', 'HxMessage', 'HxTeam']);
    assert.deepEqual(await verifyModels({ models }), []);
    for (const model of models) assert.equal(await model.count(), 0);

    const team = await byName.get('HxTeam')?.create({ name: 'red', select: 1 } as never);
    const member = await byName.get('HxMember')?.create({ hx_team_id: team?.id } as never);
    const relations = (record: DBObject | undefined) =>
      record as unknown as Record<string, { get(): Promise<DBObject | DBObject[] | null> } | undefined>;
    assert.equal(((await relations(member).hx_team?.get()) as DBObject | null)?.id, team?.id);
    assert.equal(((await relations(team).hx_members?.get()) as DBObject[]).length, 1);
    assert.deepEqual(await relations(member).friends?.get(), []);
    assert.deepEqual(await relations(member).members?.get(), []);
    assert.deepEqual(await relations(member).hx_messages_as_sender?.get(), []);
  });

  it('draws odd names safely in Mermaid and DOT', () => {
    const mermaid = diagram(schema);
    assert.match(mermaid, /^ {4}"hx _odd_ `t` ü\*\/" \{$/m);
    assert.match(mermaid, /^ {4}"hx_teams" \|\|--o\{ "hx _odd_ `t` ü\*\/" : "hx_team_id"$/m);
    const dot = diagram(schema, { format: 'dot' });
    assert.match(dot, /^ {2}"hx \\"odd\\" `t` ü\*\/" \[label=</m);
    assert.match(dot, /<td align="left">note &quot;x&quot;: text<\/td>/);
  });
});
