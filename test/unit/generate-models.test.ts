import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import {
  classOf,
  generateModels,
  inferRelations,
  planModels,
  tsType,
  type GeneratedFile,
} from '../../src/cli/generate-models.js';
import type { ColumnSchema, TableSchema } from '../../src/dialects/table-schema.js';
import type { DatabaseSchema } from '../../src/schema/database-schema.js';
import { foreignKeyNames, pluralOf, snakeCase, withoutIdSuffix } from '../../src/schema/model-names.js';
import { GLOBAL_NAMES_FILE, globalNamesSource, typescriptGlobalNames } from '../support/global-names.js';

function column(name: string, kind: ColumnSchema['kind'], extra: Partial<ColumnSchema> = {}): ColumnSchema {
  return {
    name,
    kind,
    type: kind,
    nullable: true,
    default: null,
    primaryKey: false,
    autoIncrement: false,
    ...extra,
  };
}

const id = column('id', 'integer', { nullable: false, primaryKey: true, autoIncrement: true });

function table(name: string, columns: ColumnSchema[], rest: Partial<TableSchema> = {}): TableSchema {
  return { name, columns, primaryKey: ['id'], foreignKeys: [], indexes: [], ...rest };
}

function key(columnName: string, referencedTable: string) {
  return {
    name: null,
    columns: [columnName],
    referencedTable,
    referencedColumns: ['id'],
    onDelete: 'no action',
    onUpdate: 'no action',
  } as const;
}

const schema: DatabaseSchema = {
  dialect: 'sqlite',
  tables: [
    table('avatars', [id, column('user_id', 'integer')], {
      foreignKeys: [key('user_id', 'users')],
      indexes: [{ name: 'avatars_user', columns: ['user_id'], unique: true, partial: false }],
    }),
    table('favorite_colors', [id, column('name', 'string', { length: 40, nullable: false })]),
    table('favorite_colors_users', [column('user_id', 'integer'), column('favorite_color_id', 'integer')], {
      primaryKey: [],
      foreignKeys: [key('favorite_color_id', 'favorite_colors'), key('user_id', 'users')],
    }),
    table('nicknames', [
      id,
      column('value', 'text'),
      column('nicknameable_id', 'integer'),
      column('nicknameable_type', 'string'),
    ]),
    table(
      'pictures',
      [id, column('user_id', 'integer'), column('size', 'bigint'), column('data', 'binary')],
      {
        foreignKeys: [key('user_id', 'users')],
      },
    ),
    table('twistar_migrations', [column('name', 'string')], { primaryKey: ['name'] }),
    table('users', [
      id,
      column('first_name', 'string', { nullable: false }),
      column('born', 'date'),
      column('meta', 'json'),
    ]),
  ],
};

describe('generate models', () => {
  it('names classes and maps column kinds to the types Twistar reads', () => {
    assert.equal(classOf('favorite_colors'), 'FavoriteColor');
    assert.equal(tsType(column('n', 'bigint')), 'number | bigint | null');
    assert.equal(tsType(column('n', 'string', { nullable: false })), 'string');
    assert.equal(tsType(column('n', 'datetime')), 'Date | null');
    assert.equal(tsType(column('n', 'decimal', { nullable: false, precision: 10, scale: 2 })), 'string');
    // A decimal without digits: PostgreSQL's plain numeric gives text, SQLite's plain NUMERIC its numbers.
    assert.equal(tsType(column('n', 'decimal', { nullable: false })), 'string | number');
    assert.equal(tsType(column('n', 'json')), 'unknown');
    assert.equal(tsType(column('n', 'binary')), 'Buffer | null');
  });

  it('infers belongs-to, has-many, has-one, HABTM and polymorphic relations from the keys', () => {
    const relations = inferRelations(schema);
    const summary = (table: string) =>
      (relations.get(table) ?? []).map(
        (relation) => `${relation.kind} ${relation.name} ${relation.target ?? '*'}`,
      );
    assert.deepEqual(summary('users'), [
      'HABTM favorite_colors FavoriteColor',
      'HASMANY pictures Picture',
      'HASONE avatar Avatar',
    ]);
    assert.deepEqual(summary('pictures'), ['BELONGSTO user User']);
    assert.deepEqual(summary('avatars'), ['BELONGSTO user User']);
    assert.deepEqual(summary('favorite_colors'), ['HABTM users User']);
    assert.deepEqual(summary('nicknames'), ['BELONGSTO nicknameable *']);
    assert.equal(relations.has('twistar_migrations'), false);
    const habtm = relations.get('users')?.find((relation) => relation.kind === 'HABTM');
    assert.deepEqual(habtm?.options, {
      joinTable: 'favorite_colors_users',
      foreignKey: 'user_id',
      associationForeignKey: 'favorite_color_id',
    });
  });

  it('writes a rewritable base and a write-once user class per table, none for the migrations table', () => {
    const files = generateModels(schema, 'src/models');
    const byPath = new Map(files.map((file) => [file.path, file]));
    const base = byPath.get('src/models/generated/user-base.ts');
    assert.equal(base?.overwrite, true);
    assert.match(base?.text ?? '', /export class UserBase extends DBObject \{/);
    assert.match(base?.text ?? '', /static override TABLENAME = 'users';/);
    assert.match(base?.text ?? '', /declare first_name: string;/);
    assert.match(base?.text ?? '', /^ {2}declare id: number;$/m, 'the key, typed as its column');
    assert.match(
      base?.text ?? '',
      /^ {2}static readonly COLUMNS = \['id', 'first_name', 'born', 'meta'\] as const;$/m,
      'the columns, for twistar check',
    );
    assert.match(base?.text ?? '', /declare born: Date \| null;/);
    assert.match(base?.text ?? '', /declare pictures: HasMany<Picture>;/);
    assert.match(base?.text ?? '', /\{ name: 'pictures', className: 'Picture', foreignKey: 'user_id' \}/);
    assert.match(base?.text ?? '', /import type \{ Picture \} from '\.\.\/picture\.js';/);
    const user = byPath.get('src/models/user.ts');
    assert.equal(user?.overwrite, false);
    assert.match(user?.text ?? '', /export class User extends UserBase \{\}/);
    assert.match(user?.text ?? '', /Registry\.register\(User\);/);
    assert.equal(byPath.has('src/models/twistar-migration.ts'), false);
    assert.match(
      byPath.get('src/models/generated/index.ts')?.text ?? '',
      /export \{ User \} from '\.\.\/user\.js';/,
    );
  });
});

/** A foreign key of `columnName` to `referencedTable`'s `referencedColumn`. */
function keyTo(columnName: string, referencedTable: string, referencedColumn = 'id') {
  return { ...key(columnName, referencedTable), referencedColumns: [referencedColumn] };
}

const unique = (name: string, ...columns: string[]) => ({ name, columns, unique: true, partial: false });

/** Names and shapes that tripped the generator: odd characters, clashing names, keys it cannot model. */
const HOSTILE: DatabaseSchema = {
  dialect: 'postgres',
  tables: [
    table('teams', [id, column('name', 'string')]),
    table(
      'users',
      [
        id,
        column('team_id', 'integer'),
        column('date_id', 'integer'),
        column('born', 'date'),
        column('first name', 'string'),
        column('class', 'integer'),
        column('it\'s \\ "quoted"', 'text'),
        column('ñame', 'text'),
        column('default', 'boolean'),
      ],
      { foreignKeys: [keyTo('team_id', 'teams'), keyTo('date_id', 'dates')] },
    ),
    table('we"ird `t` ü*/', [id, column('team_id', 'integer')], {
      foreignKeys: [keyTo('team_id', 'teams')],
    }),
    table('dates', [id, column('day', 'date', { nullable: false })]),
    table('registries', [id]),
    table('user_picture', [id]),
    table('user_pictures', [id]),
    table('2fa_codes', [id, column('user_id', 'integer')], { foreignKeys: [keyTo('user_id', 'users')] }),
    table(
      'messages',
      [id, column('sender_id', 'integer'), column('recipient_id', 'integer'), column('body', 'text')],
      {
        foreignKeys: [keyTo('sender_id', 'users'), keyTo('recipient_id', 'users')],
        indexes: [unique('messages_sender', 'sender_id'), unique('messages_recipient', 'recipient_id')],
      },
    ),
    table('people', [id, column('mentor_id', 'integer')], { foreignKeys: [keyTo('mentor_id', 'people')] }),
    table('friendships', [column('person_id', 'integer'), column('friend_id', 'integer')], {
      primaryKey: ['person_id', 'friend_id'],
      foreignKeys: [keyTo('person_id', 'people'), keyTo('friend_id', 'people')],
    }),
    table('orders', [id]),
    table('order_lines', [column('order_id', 'integer'), column('line_no', 'integer')], {
      primaryKey: ['order_id', 'line_no'],
      foreignKeys: [keyTo('order_id', 'orders')],
    }),
    table('logs', [column('message', 'text')], { primaryKey: [] }),
    table('widgets', [id, column('save', 'boolean')]),
    table('pets', [id, column('owner id', 'integer')], { foreignKeys: [keyTo('owner id', 'users')] }),
    table('owners', [id, column('pet', 'text'), column('pet_id', 'integer')], {
      foreignKeys: [keyTo('pet_id', 'pets')],
    }),
    table('codes', [column('code', 'string', { nullable: false, primaryKey: true })], {
      primaryKey: ['code'],
    }),
    table('posts', [id, column('author', 'integer'), column('code', 'string'), column('title', 'text')], {
      foreignKeys: [keyTo('author', 'users'), keyTo('code', 'codes', 'code')],
    }),
    table(
      'errors',
      [id, column('user_id', 'integer'), column('user_email', 'string'), column('text', 'text')],
      {
        foreignKeys: [keyTo('user_id', 'users'), keyTo('user_email', 'users', 'email')],
      },
    ),
  ],
};

/** The TypeScript errors of `files`, type-checked as a project that imports twistar from src/. */
function typeErrors(files: readonly GeneratedFile[]): string[] {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'twistar-generated-'));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    for (const file of files) {
      mkdirSync(dirname(join(dir, file.path)), { recursive: true });
      writeFileSync(join(dir, file.path), file.text);
    }
    const program = ts.createProgram(
      files.map((file) => join(dir, file.path)),
      {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        strict: true,
        noUncheckedIndexedAccess: true,
        noImplicitOverride: true,
        verbatimModuleSyntax: true,
        skipLibCheck: true,
        noEmit: true,
        types: ['node'],
        typeRoots: [join(root, 'node_modules/@types')],
        paths: { twistar: [join(root, 'src/index.ts')] },
      },
    );
    // Errors in the generated files only: src/ is type-checked by its own script.
    return ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file?.fileName.startsWith(dir) !== false)
      .map(
        (diagnostic) =>
          `${diagnostic.file?.fileName.slice(dir.length) ?? ''}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('generate models from hostile names and shapes', () => {
  const plan = planModels(HOSTILE);
  const byTable = new Map(plan.models.map((model) => [model.table.name, model]));
  const relations = (table: string) =>
    (byTable.get(table)?.relations ?? []).map(
      (relation) => `${relation.kind} ${relation.name} ${relation.target ?? '*'}`,
    );

  it('writes TypeScript that type-checks under the strictest options', () => {
    assert.deepEqual(typeErrors(generateModels(HOSTILE, 'src/models')), []);
  });

  it('gives each table a plain, unique class name that hides nothing the generated code uses', () => {
    const names = Object.fromEntries(plan.models.map((model) => [model.table.name, model.className]));
    assert.equal(names.dates, 'DateModel');
    assert.equal(names.registries, 'RegistryModel');
    assert.equal(names.user_picture, 'UserPicture');
    assert.equal(names.user_pictures, 'UserPicture2');
    assert.equal(classOf('we"ird `t` ü*/'), 'WeIrdTU');
    assert.equal(classOf('2fa_codes'), '_2faCode');
    const files = plan.models.map((model) => model.fileName.toLowerCase());
    assert.equal(new Set(files).size, files.length);
    assert.deepEqual(
      plan.models.filter((model) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(model.className)),
      [],
    );
  });

  it('names relationships so that none clashes with another, a column or a model member', () => {
    assert.deepEqual(relations('users'), [
      'BELONGSTO date DateModel',
      'BELONGSTO team Team',
      'HASMANY errors_2 ErrorModel',
      'HASMANY posts Post',
      'HASONE message_as_recipient Message',
      'HASONE message_as_sender Message',
    ]);
    assert.deepEqual(relations('people'), [
      'BELONGSTO mentor Person',
      'HABTM friends Person',
      'HABTM people Person',
      'HASMANY people_as_mentor Person',
    ]);
    assert.deepEqual(relations('teams'), ['HASMANY users User']);
    assert.deepEqual(relations('owners'), ['BELONGSTO pet_2 Pet']);
    assert.deepEqual(relations('posts'), ['BELONGSTO author_user User', 'BELONGSTO code_ref Code']);
  });

  it('declares no relationship that Twistar would refuse or follow to the wrong column, and says why', () => {
    assert.deepEqual(relations('pets'), ['HASMANY owners Owner']);
    assert.match(byTable.get('pets')?.notes.join('\n') ?? '', /owner id.*plain names/);
    assert.deepEqual(relations('errors'), ['BELONGSTO user User']);
    assert.match(byTable.get('errors')?.notes.join('\n') ?? '', /references email, not the primary key id/);
    assert.match(byTable.get('orders')?.notes.join('\n') ?? '', /order_lines\(order_id\) → orders/);
  });

  it('makes no model of a table Twistar cannot model, and names it with the reason in the index', () => {
    assert.deepEqual(
      plan.skipped.map((skipped) => skipped.table),
      ['2fa_codes', 'friendships', 'logs', 'order_lines', 'we"ird `t` ü*/', 'widgets'],
    );
    const index = generateModels(HOSTILE, 'm').find((file) => file.path === 'm/generated/index.ts');
    assert.match(index?.text ?? '', /\/\/ No model for order_lines: its primary key has 2 columns/);
    assert.match(index?.text ?? '', /\/\/ No model for widgets: column\(s\) save would hide members/);
    // The end of a comment in a name does not end the comment.
    assert.match(
      index?.text ?? '',
      /\/\/ No model for we"ird `t` ü\*\\\/: Twistar's statements take plain table names/,
    );
    assert.match(
      byTable.get('users')?.columnNotes.join('\n') ?? '',
      /column first name is read, but Twistar writes/,
    );
    assert.equal(byTable.get('codes')?.primaryKey, 'code');
  });

  it('leaves out a custom migrations table and excluded tables', () => {
    const withMigrations: DatabaseSchema = {
      ...schema,
      tables: [
        ...schema.tables,
        table('schema_migrations', [column('name', 'string')], { primaryKey: ['name'] }),
        table('tmp_import', [id]),
      ],
    };
    const tables = (options: Parameters<typeof planModels>[1]) =>
      planModels(withMigrations, options).models.map((model) => model.table.name);
    assert.ok(tables({}).includes('schema_migrations'));
    assert.ok(!tables({}).includes('twistar_migrations'));
    const custom = tables({ migrationsTable: 'schema_migrations', exclude: [/^tmp_/g] });
    assert.ok(!custom.includes('schema_migrations'));
    assert.ok(!custom.includes('tmp_import'));
    // Only the named migrations table is Twistar's then.
    assert.ok(custom.includes('twistar_migrations'));
    const paths = generateModels(withMigrations, 'm', { exclude: ['tmp_import'] }).map((file) => file.path);
    assert.ok(!paths.includes('m/tmp-import.ts'));
  });
});

describe('generate models: class names and globals', () => {
  // Tables whose classes would be named after a global of JavaScript, Node, the DOM or TypeScript's libs.
  const GLOBAL_TABLES = [
    'errors',
    'maps',
    'sets',
    'requests',
    'responses',
    'objects',
    'promises',
    'events',
    'urls',
    'buffers',
    'headers',
    'blobs',
    'files',
    'dates',
    'arrays',
    'symbols',
    'proxies',
    'workers',
    'cryptos',
    'records',
    'partials',
    'html_elements',
    'nodejs',
    'audios',
    'images',
    'options',
    'locations',
    'documents',
    'texts',
    'nodes',
    'ranges',
    'selections',
    'notifications',
    'storages',
    'performances',
    'navigators',
    'iterators',
  ];
  const globalSchema: DatabaseSchema = {
    dialect: 'sqlite',
    tables: [...GLOBAL_TABLES.map((name) => table(name, [id])), table('invoices', [id])],
  };
  const everyGlobal = new Set([...typescriptGlobalNames(), ...Object.getOwnPropertyNames(globalThis)]);

  it('never names a class, nor its base, after a global', () => {
    const plan = planModels(globalSchema);
    const names = Object.fromEntries(plan.models.map((model) => [model.table.name, model.className]));
    assert.equal(names.errors, 'ErrorModel');
    assert.equal(names.maps, 'MapModel');
    assert.equal(names.requests, 'RequestModel');
    assert.equal(names.records, 'RecordModel');
    assert.equal(names.options, 'OptionModel', 'the DOM’s Option');
    assert.equal(names.iterators, 'IteratorModel');
    assert.equal(names.invoices, 'Invoice', 'a name that is no global is kept');
    const hiding = plan.models
      .flatMap((model) => [model.className, `${model.className}Base`])
      .filter((name) => everyGlobal.has(name));
    assert.deepEqual(hiding, []);
    assert.deepEqual(typeErrors(generateModels(globalSchema, 'src/models')), []);
  });

  it('knows every global TypeScript and @types/node declare (rewrite the list with test/support/global-names.ts --write)', () => {
    const listed = new Set(
      (readFileSync(GLOBAL_NAMES_FILE, 'utf8').match(/const TYPESCRIPT_GLOBALS = `([^`]*)`/)?.[1] ?? '')
        .split(/\s+/)
        .filter((name) => name !== ''),
    );
    assert.ok(listed.size > 1000, 'the DOM alone has more than a thousand');
    assert.deepEqual(
      typescriptGlobalNames().filter((name) => !listed.has(name)),
      [],
    );
    assert.equal(globalNamesSource(typescriptGlobalNames()), readFileSync(GLOBAL_NAMES_FILE, 'utf8'));
  });
});

describe('generate models: the key', () => {
  it('declares id with the type of the key column, whatever the column is called', () => {
    const keyed: DatabaseSchema = {
      dialect: 'postgres',
      tables: [
        table('users', [id, column('name', 'string')]),
        table('accounts', [
          column('id', 'bigint', { nullable: false, primaryKey: true }),
          column('name', 'text'),
        ]),
        table('codes', [column('code', 'uuid', { nullable: false, primaryKey: true })], {
          primaryKey: ['code'],
        }),
        table('days', [column('day', 'date', { nullable: false, primaryKey: true })], {
          primaryKey: ['day'],
        }),
      ],
    };
    const files = generateModels(keyed, 'm');
    const base = (name: string) =>
      files.find((file) => file.path === `m/generated/${name}-base.ts`)?.text ?? '';
    assert.match(base('user'), /^ {2}declare id: number;$/m);
    assert.match(base('account'), /^ {2}declare id: number \| bigint;$/m);
    assert.match(base('code'), /^ {2}declare id: string;$/m);
    assert.match(base('code'), /^ {2}declare code: string;$/m);
    // A key Twistar's id cannot hold as its type (a date) keeps the inherited `Id | null`, and says so.
    assert.doesNotMatch(base('day'), /declare id:/);
    assert.match(base('day'), /declare day: Date;/);
    assert.deepEqual(typeErrors(files), []);
  });
});

describe('generate models: names on schemas other tools designed', () => {
  it('spells PascalCase and singular snake_case names as a person would', () => {
    assert.equal(snakeCase('MediaTypeID'), 'media_type_id');
    assert.equal(snakeCase('ReportsTo'), 'reports_to');
    assert.equal(withoutIdSuffix('ArtistId'), 'artist');
    assert.equal(withoutIdSuffix('artist_id'), 'artist');
    assert.equal(withoutIdSuffix('id'), null);
    assert.equal(pluralOf('Album'), 'albums');
    assert.equal(pluralOf('invoice_line'), 'invoice_lines');
    assert.equal(pluralOf('users'), 'users');
    assert.deepEqual(foreignKeyNames('Album', 'ArtistId', 'Artist'), {
      belongsTo: 'artist',
      hasMany: 'albums',
      selfNamed: false,
    });
    assert.deepEqual(foreignKeyNames('Employee', 'ReportsTo', 'Employee'), {
      belongsTo: 'manager',
      hasMany: 'reports',
      selfNamed: true,
    });
    assert.deepEqual(foreignKeyNames('employee', 'reports_to', 'employee'), {
      belongsTo: 'manager',
      hasMany: 'reports',
      selfNamed: true,
    });
    assert.equal(foreignKeyNames('Customer', 'SupportRepId', 'Employee').belongsTo, 'support_rep');
  });

  it('names the relations of a Chinook-shaped PascalCase schema, the join table as HABTM', () => {
    const pk = (name: string) => column(name, 'integer', { nullable: false, primaryKey: true });
    const schema: DatabaseSchema = {
      dialect: 'sqlite',
      tables: [
        table('Artist', [pk('ArtistId'), column('Name', 'string')], { primaryKey: ['ArtistId'] }),
        table('Album', [pk('AlbumId'), column('ArtistId', 'integer')], {
          primaryKey: ['AlbumId'],
          foreignKeys: [keyTo('ArtistId', 'Artist', 'ArtistId')],
        }),
        table('Employee', [pk('EmployeeId'), column('ReportsTo', 'integer')], {
          primaryKey: ['EmployeeId'],
          foreignKeys: [keyTo('ReportsTo', 'Employee', 'EmployeeId')],
        }),
        table('Playlist', [pk('PlaylistId')], { primaryKey: ['PlaylistId'] }),
        table('Track', [pk('TrackId'), column('AlbumId', 'integer')], {
          primaryKey: ['TrackId'],
          foreignKeys: [keyTo('AlbumId', 'Album', 'AlbumId')],
        }),
        table('PlaylistTrack', [pk('PlaylistId'), pk('TrackId')], {
          primaryKey: ['PlaylistId', 'TrackId'],
          foreignKeys: [keyTo('PlaylistId', 'Playlist', 'PlaylistId'), keyTo('TrackId', 'Track', 'TrackId')],
        }),
      ],
    };
    const relations = inferRelations(schema);
    const names = (name: string) =>
      (relations.get(name) ?? []).map((relation) => `${relation.kind} ${relation.name}`);
    assert.deepEqual(names('Artist'), ['HASMANY albums']);
    assert.deepEqual(names('Album'), ['BELONGSTO artist', 'HASMANY tracks']);
    assert.deepEqual(names('Employee'), ['BELONGSTO manager', 'HASMANY reports']);
    assert.deepEqual(names('Playlist'), ['HABTM tracks']);
    assert.deepEqual(names('Track'), ['BELONGSTO album', 'HABTM playlists']);
    const files = generateModels(schema, 'm');
    assert.match(
      files.find((file) => file.path === 'm/generated/album-base.ts')?.text ?? '',
      /static override PRIMARY_KEY = 'AlbumId';/,
    );
    assert.deepEqual(typeErrors(files), []);
  });
});
