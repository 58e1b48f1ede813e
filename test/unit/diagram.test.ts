import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DBObject,
  Registry,
  diagram,
  type ColumnSchema,
  type DatabaseSchema,
  type TableSchema,
} from '../../src/index.js';
import { dotHtml, dotString, mermaidEntity, mermaidLabel, mermaidWord } from '../../src/schema/diagram.js';

function col(name: string, kind: ColumnSchema['kind'], extra: Partial<ColumnSchema> = {}): ColumnSchema {
  return {
    name,
    type: kind,
    kind,
    nullable: true,
    default: null,
    primaryKey: false,
    autoIncrement: false,
    ...extra,
  };
}

const id = col('id', 'integer', { nullable: false, primaryKey: true, autoIncrement: true });

function table(name: string, columns: ColumnSchema[], extra: Partial<TableSchema> = {}): TableSchema {
  return {
    name,
    columns,
    primaryKey: columns.filter((column) => column.primaryKey).map((column) => column.name),
    foreignKeys: [],
    indexes: [],
    ...extra,
  };
}

const fk = (column: string, referencedTable: string) => ({
  name: null,
  columns: [column],
  referencedTable,
  referencedColumns: ['id'],
  onDelete: 'cascade' as const,
  onUpdate: 'no action' as const,
});

/** A small library: authors, their books, one profile each (a unique key), and books' shelves (HABTM). */
const LIBRARY: DatabaseSchema = {
  dialect: 'postgres',
  tables: [
    table(
      'authors',
      [id, col('name', 'string', { length: 80, nullable: false }), col('email', 'string', { length: 255 })],
      { indexes: [{ name: 'authors_email_key', columns: ['email'], unique: true, partial: false }] },
    ),
    table(
      'books',
      [
        id,
        col('author_id', 'integer', { nullable: false }),
        col('title', 'text'),
        col('price', 'decimal', { type: 'numeric(8,2)', precision: 8, scale: 2 }),
        col('tags', 'other', { type: 'character varying(20)[]' }),
      ],
      { foreignKeys: [fk('author_id', 'authors')] },
    ),
    table('author_profiles', [id, col('author_id', 'integer', { nullable: false }), col('bio', 'text')], {
      foreignKeys: [fk('author_id', 'authors')],
      indexes: [{ name: 'author_profiles_author_key', columns: ['author_id'], unique: true, partial: false }],
    }),
    table('shelves', [id, col('label', 'string', { length: 40 })]),
    table(
      'books_shelves',
      [
        col('book_id', 'integer', { nullable: false, primaryKey: true }),
        col('shelf_id', 'integer', { nullable: false, primaryKey: true }),
      ],
      { foreignKeys: [fk('book_id', 'books'), fk('shelf_id', 'shelves')] },
    ),
  ],
};

const LIBRARY_MERMAID = `erDiagram
    "author_profiles" {
        integer id PK
        integer author_id FK, UK
        text bio
    }
    "authors" {
        integer id PK
        string(80) name
        string(255) email UK
    }
    "books" {
        integer id PK
        integer author_id FK
        text title
        decimal price
        character[] tags
    }
    "books_shelves" {
        integer book_id PK, FK
        integer shelf_id PK, FK
    }
    "shelves" {
        integer id PK
        string(40) label
    }
    "authors" ||--o| "author_profiles" : "author_id"
    "authors" ||--o{ "books" : "author_id"
    "books" ||--o{ "books_shelves" : "book_id"
    "shelves" ||--o{ "books_shelves" : "shelf_id"
`;

const LIBRARY_DOT = `digraph schema {
  graph [rankdir=LR];
  node [shape=plaintext, fontname="Helvetica", fontsize=10];
  edge [fontname="Helvetica", fontsize=9, dir=both];
  "author_profiles" [label=<
    <table border="0" cellborder="1" cellspacing="0" cellpadding="4">
      <tr><td bgcolor="#e0e0e0"><b>author_profiles</b></td></tr>
      <tr><td align="left">id: integer PK</td></tr>
      <tr><td align="left">author_id: integer FK, UK</td></tr>
      <tr><td align="left">bio: text</td></tr>
    </table>
  >];
  "authors" [label=<
    <table border="0" cellborder="1" cellspacing="0" cellpadding="4">
      <tr><td bgcolor="#e0e0e0"><b>authors</b></td></tr>
      <tr><td align="left">id: integer PK</td></tr>
      <tr><td align="left">name: string(80)</td></tr>
      <tr><td align="left">email: string(255) UK</td></tr>
    </table>
  >];
  "books" [label=<
    <table border="0" cellborder="1" cellspacing="0" cellpadding="4">
      <tr><td bgcolor="#e0e0e0"><b>books</b></td></tr>
      <tr><td align="left">id: integer PK</td></tr>
      <tr><td align="left">author_id: integer FK</td></tr>
      <tr><td align="left">title: text</td></tr>
      <tr><td align="left">price: decimal</td></tr>
      <tr><td align="left">tags: character[]</td></tr>
    </table>
  >];
  "books_shelves" [label=<
    <table border="0" cellborder="1" cellspacing="0" cellpadding="4">
      <tr><td bgcolor="#e0e0e0"><b>books_shelves</b></td></tr>
      <tr><td align="left">book_id: integer PK, FK</td></tr>
      <tr><td align="left">shelf_id: integer PK, FK</td></tr>
    </table>
  >];
  "shelves" [label=<
    <table border="0" cellborder="1" cellspacing="0" cellpadding="4">
      <tr><td bgcolor="#e0e0e0"><b>shelves</b></td></tr>
      <tr><td align="left">id: integer PK</td></tr>
      <tr><td align="left">label: string(40)</td></tr>
    </table>
  >];
  "authors" -> "author_profiles" [label="author_id", arrowtail=teetee, arrowhead=teeodot];
  "authors" -> "books" [label="author_id", arrowtail=teetee, arrowhead=crowodot];
  "books" -> "books_shelves" [label="book_id", arrowtail=teetee, arrowhead=crowodot];
  "shelves" -> "books_shelves" [label="shelf_id", arrowtail=teetee, arrowhead=crowodot];
}
`;

describe('diagram of a schema', () => {
  it('draws every table and its foreign keys as a Mermaid erDiagram', () => {
    assert.equal(diagram(LIBRARY), LIBRARY_MERMAID);
    assert.equal(diagram(LIBRARY, { format: 'mermaid' }), LIBRARY_MERMAID);
  });

  it('draws the same as Graphviz DOT', () => {
    assert.equal(diagram(LIBRARY, { format: 'dot' }), LIBRARY_DOT);
  });

  it('is the same whatever the order of the tables', () => {
    const shuffled = { ...LIBRARY, tables: [...LIBRARY.tables].reverse() };
    assert.equal(diagram(shuffled), LIBRARY_MERMAID);
    assert.equal(diagram(shuffled, { format: 'dot' }), LIBRARY_DOT);
  });
});

class Author extends DBObject {
  static override HASMANY = ['books'];
  static override HASONE = [{ name: 'profile', className: 'AuthorProfile' }];
}
class Book extends DBObject {
  static override BELONGSTO = ['author'];
  static override HABTM = ['shelves'];
  static override HASMANY = [{ name: 'remarks', as: 'remarkable' }];
}
class AuthorProfile extends DBObject {}
class Shelf extends DBObject {
  static override HABTM = ['books'];
}
/** Declares only its belongs-to side: Author says nothing of reviews. */
class Review extends DBObject {
  static override BELONGSTO = ['author'];
}
class Remark extends DBObject {
  static override BELONGSTO = [{ name: 'remarkable', polymorphic: true }];
}
Registry.register(Author, Book, AuthorProfile, Shelf, Review, Remark);

describe('diagram of models', () => {
  it('draws the declared relationships with their cardinalities, HABTM through its join table', () => {
    assert.equal(
      diagram([Author, Book, AuthorProfile, Shelf, Review, Remark]),
      `erDiagram
    "author_profiles"
    "authors"
    "books"
    "books_shelves"
    "remarks"
    "reviews"
    "shelves"
    "authors" ||--o| "author_profiles" : "author_id"
    "authors" ||--o{ "books" : "author_id"
    "books" ||--o{ "books_shelves" : "book_id"
    "books" ||--o{ "remarks" : "remarkable (polymorphic)"
    "reviews" }o--|| "authors" : "author_id"
    "shelves" ||--o{ "books_shelves" : "shelf_id"
`,
    );
  });

  it("takes the columns from a schema, and marks the models' keys as FK", () => {
    const schema: DatabaseSchema = {
      dialect: 'sqlite',
      tables: [
        table('authors', [id, col('name', 'text')]),
        table('reviews', [id, col('author_id', 'integer'), col('stars', 'integer')]),
      ],
    };
    assert.equal(
      diagram({ schema, models: [Author, Review] }, { format: 'mermaid' }),
      `erDiagram
    "author_profiles"
    "authors" {
        integer id PK
        text name
    }
    "books"
    "reviews" {
        integer id PK
        integer author_id FK
        integer stars
    }
    "authors" ||--o| "author_profiles" : "author_id"
    "authors" ||--o{ "books" : "author_id"
    "reviews" }o--|| "authors" : "author_id"
`,
    );
  });
});

describe('safe labels', () => {
  it('quotes every Mermaid entity name and drops what a quoted name cannot hold', () => {
    assert.equal(mermaidEntity('users'), '"users"');
    assert.equal(mermaidEntity('end'), '"end"');
    assert.equal(mermaidEntity('my "odd" table%\\'), '"my _odd_ table__"');
    assert.equal(mermaidEntity('two\nlines'), '"two lines"');
    assert.equal(mermaidEntity(''), '"_"');
  });

  it('makes Mermaid attribute words of letters, digits and _ that cannot read as key markers', () => {
    assert.equal(mermaidWord('first_name'), 'first_name');
    assert.equal(mermaidWord('2nd value'), '_2nd_value');
    assert.equal(mermaidWord('a"b}c{d'), 'a_b_c_d');
    assert.equal(mermaidWord('pk'), '_pk');
    assert.equal(mermaidWord('FK'), '_FK');
    assert.equal(mermaidWord('pk_id'), 'pk_id');
    assert.equal(mermaidWord('string(255)', true), 'string(255)');
    assert.equal(mermaidWord('integer[]', true), 'integer[]');
    assert.equal(mermaidWord('decimal(8,2)', true), 'decimal(8_2)');
    assert.equal(mermaidWord('crème', false), 'cr_me');
  });

  it('keeps Mermaid labels inside their quotes', () => {
    assert.equal(mermaidLabel('user_id'), '"user_id"');
    assert.equal(mermaidLabel('say "hi"\n'), `"say 'hi' "`);
  });

  it('escapes DOT strings and HTML labels', () => {
    assert.equal(dotString('users'), '"users"');
    assert.equal(dotString('a "b" \\c'), '"a \\"b\\" \\\\c"');
    assert.equal(dotString('x\ny'), '"x y"');
    assert.equal(dotHtml('<b> & "c"'), '&lt;b&gt; &amp; &quot;c&quot;');
  });

  it('keeps two tables apart in Mermaid when their names would read the same there', () => {
    const schema: DatabaseSchema = {
      dialect: 'sqlite',
      tables: [
        table('a"b', [id]),
        table('a_b', [id, col('other_id', 'integer')], { foreignKeys: [fk('other_id', 'a"b')] }),
        table('a_b_2', [id]),
      ],
    };
    assert.equal(
      diagram(schema),
      `erDiagram
    "a_b" {
        integer id PK
    }
    "a_b_2" {
        integer id PK
        integer other_id FK
    }
    "a_b_2_2" {
        integer id PK
    }
    "a_b" ||--o{ "a_b_2" : "other_id"
`,
    );
  });

  it('writes diagrams of hostile names that stay parseable', () => {
    const schema: DatabaseSchema = {
      dialect: 'sqlite',
      tables: [
        table('we"ird <t>', [id, col('na me"}', 'text'), col('pk', 'integer')], {
          foreignKeys: [fk('pk', 'other\\table')],
        }),
        table('other\\table', [id]),
      ],
    };
    assert.equal(
      diagram(schema),
      `erDiagram
    "other_table" {
        integer id PK
    }
    "we_ird <t>" {
        integer id PK
        text na_me__
        integer _pk FK
    }
    "other_table" ||--o{ "we_ird <t>" : "pk"
`,
    );
    assert.equal(
      diagram(schema, { format: 'dot' })
        .split('\n')
        .filter((line) => line.includes('->') || line.includes('<b>'))
        .join('\n'),
      [
        '      <tr><td bgcolor="#e0e0e0"><b>other\\table</b></td></tr>',
        '      <tr><td bgcolor="#e0e0e0"><b>we&quot;ird &lt;t&gt;</b></td></tr>',
        '  "other\\\\table" -> "we\\"ird <t>" [label="pk", arrowtail=teetee, arrowhead=crowodot];',
      ].join('\n'),
    );
  });
});
