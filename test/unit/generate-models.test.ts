import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classOf, generateModels, inferRelations, tsType } from '../../src/cli/generate-models.js';
import type { ColumnSchema, DatabaseSchema, TableSchema } from '../../src/schema/database-schema.js';

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
