import assert from 'node:assert/strict';
import { before, beforeEach, it } from 'node:test';
import {
  DBObject,
  Registry,
  SchemaMismatchError,
  diagram,
  introspect,
  type DatabaseSchema,
  type DialectName,
  type SchemaProblem,
  type TableSchema,
} from '../../src/index.js';
import { describeEachBackend } from '../support/backends.js';
import { INTROSPECTION_TABLES, createIntrospectionTables } from '../support/introspection-tables.js';
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
  }
> = {
  sqlite: {
    constraintNames: false,
    trueDefault: 'TRUE',
    idDefault: () => null,
    onUpdate: 'no action',
    indexesForeignKeys: false,
  },
  postgres: {
    constraintNames: true,
    trueDefault: 'true',
    idDefault: (table) => `nextval('${table}_id_seq'::regclass)`,
    onUpdate: 'no action',
    indexesForeignKeys: false,
  },
  mysql: {
    constraintNames: true,
    trueDefault: '1',
    idDefault: () => null,
    onUpdate: 'restrict',
    indexesForeignKeys: true,
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
