import type { DialectName } from './backends.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { connect, Registry, type ConnectionPool } from '../../src/index.js';
import { describeEachBackend, type BackendContext, type BackendId } from './backends.js';

/**
 * A small music-store database in the shape of the public Chinook sample (artist, album, track, genre, playlist
 * with a composite-key join table, employee with a self-reference, customer, invoice, invoice line), written the
 * way other tools write one: plain SQL scripts sent through the raw driver, dates from the database's own
 * `CURRENT_TIMESTAMP` or as text literals in its canonical form, money in `NUMERIC(10,2)`, and on MariaDB the
 * `NVARCHAR` columns (utf8mb3) Chinook's MySQL script declares. Nothing in it was written by Twistar.
 *
 * Two styles of naming: `pascal` (`Album.ArtistId`, as Chinook's SQL Server heritage) and `snake`
 * (`album.artist_id`, singular tables, as its PostgreSQL script).
 */
export type MusicStyle = 'pascal' | 'snake';

export const MUSIC_STYLES: readonly MusicStyle[] = ['pascal', 'snake'];

/** The name of a PascalCase table or column in `style`: `InvoiceDate` → `invoice_date` for snake. */
export function musicName(style: MusicStyle, pascal: string): string {
  if (style === 'pascal') return pascal;
  return pascal.replace(/(?<=[a-z0-9])([A-Z])/g, '_$1').toLowerCase();
}

/** How many rows each table holds, for tests that count. */
export const MUSIC_ROWS = {
  artists: 5,
  albums: 10,
  genres: 3,
  tracks: 60,
  playlists: 3,
  /** Playlist 1 holds tracks 1–25, playlist 2 every track, playlist 3 none. */
  playlistTracks: 25 + 60,
  employees: 8,
  customers: 10,
  invoices: 412,
  invoiceLines: 824,
} as const;

/**
 * The day of invoice `i` (1-based) as the canonical text other tools store, `'2021-01-01 00:00:00'`: invoices
 * fall on 40 days at midnight, about ten on each, so that many rows share one date.
 */
export function invoiceDateText(i: number): string {
  const day = new Date(Date.UTC(2021, 0, 1 + ((i - 1) % 40)));
  return `${day.toISOString().slice(0, 10)} 00:00:00`;
}

/** The price of track `i` as the script writes it. */
export function trackPriceText(i: number): string {
  return i % 3 === 0 ? '1.99' : '0.99';
}

interface Column {
  readonly name: string;
  readonly type: 'id' | 'int' | 'text' | 'ntext' | 'money' | 'datetime' | 'datetime-now';
  readonly size?: number;
  readonly notNull?: boolean;
  readonly references?: string;
}

interface Table {
  readonly name: string;
  readonly columns: readonly Column[];
  readonly primaryKey?: readonly string[];
}

// The schema in PascalCase; musicName() gives the snake_case spelling.
const TABLES: readonly Table[] = [
  {
    name: 'Artist',
    columns: [
      { name: 'ArtistId', type: 'id' },
      { name: 'Name', type: 'ntext', size: 120 },
    ],
  },
  {
    name: 'Album',
    columns: [
      { name: 'AlbumId', type: 'id' },
      { name: 'Title', type: 'ntext', size: 160, notNull: true },
      { name: 'ArtistId', type: 'int', notNull: true, references: 'Artist' },
    ],
  },
  {
    name: 'Genre',
    columns: [
      { name: 'GenreId', type: 'id' },
      { name: 'Name', type: 'ntext', size: 120 },
    ],
  },
  {
    name: 'Track',
    columns: [
      { name: 'TrackId', type: 'id' },
      { name: 'Name', type: 'ntext', size: 200, notNull: true },
      { name: 'AlbumId', type: 'int', references: 'Album' },
      { name: 'GenreId', type: 'int', references: 'Genre' },
      { name: 'Milliseconds', type: 'int', notNull: true },
      { name: 'UnitPrice', type: 'money', notNull: true },
    ],
  },
  {
    name: 'Playlist',
    columns: [
      { name: 'PlaylistId', type: 'id' },
      { name: 'Name', type: 'ntext', size: 120 },
    ],
  },
  {
    name: 'PlaylistTrack',
    columns: [
      { name: 'PlaylistId', type: 'int', notNull: true, references: 'Playlist' },
      { name: 'TrackId', type: 'int', notNull: true, references: 'Track' },
    ],
    primaryKey: ['PlaylistId', 'TrackId'],
  },
  {
    name: 'Employee',
    columns: [
      { name: 'EmployeeId', type: 'id' },
      { name: 'LastName', type: 'ntext', size: 20, notNull: true },
      { name: 'FirstName', type: 'ntext', size: 20, notNull: true },
      { name: 'ReportsTo', type: 'int', references: 'Employee' },
      { name: 'HireDate', type: 'datetime' },
    ],
  },
  {
    name: 'Customer',
    columns: [
      { name: 'CustomerId', type: 'id' },
      { name: 'FirstName', type: 'ntext', size: 40, notNull: true },
      { name: 'LastName', type: 'ntext', size: 20, notNull: true },
      { name: 'Email', type: 'text', size: 60, notNull: true },
      { name: 'SupportRepId', type: 'int', references: 'Employee' },
    ],
  },
  {
    name: 'Invoice',
    columns: [
      { name: 'InvoiceId', type: 'id' },
      { name: 'CustomerId', type: 'int', notNull: true, references: 'Customer' },
      { name: 'InvoiceDate', type: 'datetime-now', notNull: true },
      { name: 'Total', type: 'money', notNull: true },
    ],
  },
  {
    name: 'InvoiceLine',
    columns: [
      { name: 'InvoiceLineId', type: 'id' },
      { name: 'InvoiceId', type: 'int', notNull: true, references: 'Invoice' },
      { name: 'TrackId', type: 'int', notNull: true, references: 'Track' },
      { name: 'UnitPrice', type: 'money', notNull: true },
      { name: 'Quantity', type: 'int', notNull: true },
    ],
  },
];

function columnSql(dialect: DialectName, column: Column): string {
  switch (column.type) {
    case 'id':
      return 'INTEGER NOT NULL';
    case 'int':
      return 'INTEGER';
    case 'text':
      return `VARCHAR(${column.size ?? 255})`;
    case 'ntext':
      // Chinook's MySQL and SQLite scripts say NVARCHAR; PostgreSQL has no such type.
      return dialect === 'postgres' ? `VARCHAR(${column.size ?? 255})` : `NVARCHAR(${column.size ?? 255})`;
    case 'money':
      return 'NUMERIC(10,2)';
    case 'datetime':
      return dialect === 'postgres' ? 'TIMESTAMP' : 'DATETIME';
    case 'datetime-now':
      return `${dialect === 'postgres' ? 'TIMESTAMP' : 'DATETIME'} DEFAULT CURRENT_TIMESTAMP`;
  }
}

/** The tool's DDL script for `style` on `dialect`, as a list of statements. */
export function musicSchemaScript(dialect: DialectName, style: MusicStyle): string[] {
  const q = (name: string) => {
    const spelled = musicName(style, name);
    return dialect === 'mysql' ? `\`${spelled}\`` : `"${spelled}"`;
  };
  return TABLES.map((table) => {
    const parts = table.columns.map(
      (column) => `${q(column.name)} ${columnSql(dialect, column)}${column.notNull ? ' NOT NULL' : ''}`,
    );
    const key = table.primaryKey ?? [table.columns[0]?.name ?? ''];
    parts.push(`CONSTRAINT ${q(`PK_${table.name}`)} PRIMARY KEY (${key.map(q).join(', ')})`);
    for (const column of table.columns) {
      if (column.references === undefined) continue;
      const target = TABLES.find((t) => t.name === column.references);
      const targetKey = target?.columns[0]?.name ?? '';
      parts.push(
        `CONSTRAINT ${q(`FK_${table.name}${column.name}`)} FOREIGN KEY (${q(column.name)}) ` +
          `REFERENCES ${q(column.references)} (${q(targetKey)})`,
      );
    }
    return `CREATE TABLE ${q(table.name)} (${parts.join(', ')})`;
  });
}

function literal(value: string | number | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}

/** The tool's data script: multi-row INSERTs of literal values, as Chinook's scripts are. */
export function musicDataScript(dialect: DialectName, style: MusicStyle): string[] {
  const q = (name: string) => {
    const spelled = musicName(style, name);
    return dialect === 'mysql' ? `\`${spelled}\`` : `"${spelled}"`;
  };
  const insert = (table: string, columns: string[], rows: (string | number | null)[][]) =>
    `INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES ` +
    rows.map((row) => `(${row.map(literal).join(', ')})`).join(', ');
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const statements = [
    insert(
      'Artist',
      ['ArtistId', 'Name'],
      range(MUSIC_ROWS.artists).map((i) => [i, `Artist ${i}`]),
    ),
    insert(
      'Album',
      ['AlbumId', 'Title', 'ArtistId'],
      range(MUSIC_ROWS.albums).map((i) => [i, `Album ${i}`, ((i - 1) % MUSIC_ROWS.artists) + 1]),
    ),
    insert(
      'Genre',
      ['GenreId', 'Name'],
      [
        [1, 'Rock'],
        [2, 'Jazz'],
        [3, 'Metal'],
      ],
    ),
    insert(
      'Track',
      ['TrackId', 'Name', 'AlbumId', 'GenreId', 'Milliseconds', 'UnitPrice'],
      range(MUSIC_ROWS.tracks).map((i) => [
        i,
        `Track ${i}`,
        ((i - 1) % MUSIC_ROWS.albums) + 1,
        ((i - 1) % 3) + 1,
        180000 + i,
        trackPriceText(i),
      ]),
    ),
    insert(
      'Playlist',
      ['PlaylistId', 'Name'],
      [
        [1, 'Favourites'],
        [2, 'Everything'],
        [3, 'Empty'],
      ],
    ),
    insert(
      'PlaylistTrack',
      ['PlaylistId', 'TrackId'],
      [...range(25).map((i) => [1, i]), ...range(MUSIC_ROWS.tracks).map((i) => [2, i])],
    ),
    // A hierarchy: 1 is the general manager, 2 and 3 report to 1, the rest to 2 or 3.
    insert(
      'Employee',
      ['EmployeeId', 'LastName', 'FirstName', 'ReportsTo', 'HireDate'],
      range(MUSIC_ROWS.employees).map((i) => [
        i,
        `Last${i}`,
        `First${i}`,
        i === 1 ? null : i <= 3 ? 1 : 2 + (i % 2),
        `2020-0${1 + (i % 9)}-1${i % 10} 00:00:00`,
      ]),
    ),
    insert(
      'Customer',
      ['CustomerId', 'FirstName', 'LastName', 'Email', 'SupportRepId'],
      range(MUSIC_ROWS.customers).map((i) => [i, `Cust${i}`, `Omer${i}`, `c${i}@example.com`, 4 + (i % 4)]),
    ),
    insert(
      'Invoice',
      ['InvoiceId', 'CustomerId', 'InvoiceDate', 'Total'],
      range(MUSIC_ROWS.invoices).map((i) => [
        i,
        ((i - 1) % MUSIC_ROWS.customers) + 1,
        invoiceDateText(i),
        i % 2 === 0 ? '1.98' : '2.98',
      ]),
    ),
    insert(
      'InvoiceLine',
      ['InvoiceLineId', 'InvoiceId', 'TrackId', 'UnitPrice', 'Quantity'],
      range(MUSIC_ROWS.invoiceLines).map((i) => [
        i,
        Math.ceil(i / 2),
        ((i - 1) % MUSIC_ROWS.tracks) + 1,
        trackPriceText(((i - 1) % MUSIC_ROWS.tracks) + 1),
        1,
      ]),
    ),
  ];
  // Two more invoices dated by the database itself, as an application inserting without a date would.
  statements.push(
    `INSERT INTO ${q('Invoice')} (${q('InvoiceId')}, ${q('CustomerId')}, ${q('Total')}) VALUES ` +
      `(${MUSIC_ROWS.invoices + 1}, 1, '0.99'), (${MUSIC_ROWS.invoices + 2}, 2, '0.99')`,
  );
  return statements;
}

/** Invoices in the data script, counting the two dated by `CURRENT_TIMESTAMP`. */
export const MUSIC_INVOICES = MUSIC_ROWS.invoices + 2;

/** The database name the fixture uses beside the test database `base` (so parallel runs stay apart). */
function musicDatabaseName(base: string, style: MusicStyle): string {
  const name = `${base || 'twistar'}_music_${style}`;
  if (!/^\w+$/.test(name)) throw new Error(`Not a plain database name: ${name}`);
  return name;
}

/**
 * Creates the music store afresh in a database of its own beside `baseUrl`'s (SQLite: a new file), through the
 * raw driver; returns its URL and a function that removes it.
 */
export async function loadMusicStore(
  dialect: DialectName,
  baseUrl: string,
  style: MusicStyle,
  backend: BackendId = dialect,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const statements = [...musicSchemaScript(dialect, style), ...musicDataScript(dialect, style)];
  if (backend === 'pglite') {
    // PGlite's own API is its raw driver: the store is a folder database, closed before Twistar opens it.
    const dir = mkdtempSync(join(tmpdir(), 'twistar-music-'));
    const folder = join(dir, style);
    const db = await PGlite.create(folder);
    try {
      for (const sql of statements) await db.query(sql);
    } finally {
      await db.close();
    }
    return { url: `pglite:${folder}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'twistar-music-'));
    const file = join(dir, `${style}.db`);
    const db = new Database(file);
    try {
      db.exec(statements.map((s) => `${s};`).join('\n'));
    } finally {
      db.close();
    }
    return { url: `sqlite:${file}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const parsed = new URL(baseUrl);
  const name = musicDatabaseName(decodeURIComponent(parsed.pathname.slice(1)), style);
  const target = new URL(baseUrl);
  target.pathname = `/${name}`;
  if (dialect === 'postgres') {
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    const dropIt = () => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    try {
      await dropIt();
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    const client = new pg.Client({ connectionString: target.toString() });
    await client.connect();
    try {
      for (const sql of statements) await client.query(sql);
    } finally {
      await client.end();
    }
    return {
      url: target.toString(),
      drop: async () => {
        const again = new pg.Client({ connectionString: baseUrl });
        await again.connect();
        try {
          await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } finally {
          await again.end();
        }
      },
    };
  }
  const admin = await mysql.createConnection(baseUrl);
  try {
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`);
    await admin.query(`USE \`${name}\``);
    for (const sql of statements) await admin.query(sql);
  } finally {
    await admin.end();
  }
  return {
    url: target.toString(),
    drop: async () => {
      const again = await mysql.createConnection(baseUrl);
      try {
        await again.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await again.end();
      }
    },
  };
}

/** What a music-store suite gets. */
export interface MusicStoreContext {
  readonly backend: BackendId;
  readonly name: DialectName;
  readonly style: MusicStyle;
  /** The music store's URL (for the CLI and other processes). */
  readonly url: string;
  /** A pool on the music store, also Registry.DBPOOL while the suite runs. */
  readonly pool: ConnectionPool;
  /** A table or column's name in this suite's style. */
  n(pascal: string): string;
}

/**
 * Declares `body` once per database and naming style, each with a freshly loaded music store of its own
 * (removed afterwards).
 */
export function describeMusicStore(
  title: string,
  body: (ctx: MusicStoreContext) => void,
  options: { readonly styles?: readonly MusicStyle[]; readonly on?: readonly BackendId[] } = {},
): void {
  for (const style of options.styles ?? MUSIC_STYLES) {
    const suite = {
      label: `${title} (${style} names)`,
      ...(options.on === undefined ? {} : { on: options.on }),
    };
    describeEachBackend(
      title,
      (backend: BackendContext) => {
        let store: { url: string; drop: () => Promise<void> } | undefined;
        let pool: ConnectionPool | undefined;
        let previous: ConnectionPool | null = null;
        const ctx: MusicStoreContext = {
          backend: backend.backend,
          name: backend.name,
          style,
          get url() {
            if (store === undefined)
              throw new Error('The music store is loaded in before(); use it inside tests.');
            return store.url;
          },
          get pool() {
            if (pool === undefined)
              throw new Error('The music store is loaded in before(); use it inside tests.');
            return pool;
          },
          n: (pascal) => musicName(style, pascal),
        };
        before(async () => {
          store = await loadMusicStore(backend.name, backend.url, style, backend.backend);
          pool = connect(store.url);
          previous = Registry.DBPOOL;
          Registry.DBPOOL = pool;
        });
        after(async () => {
          Registry.DBPOOL = previous;
          await pool?.close();
          await store?.drop();
        });
        body(ctx);
      },
      suite,
    );
  }
}

/** Declares `body` for the named backends only, for a behaviour only they have. */
export function describeMusicStoreOn(
  backends: readonly BackendId[],
  title: string,
  body: (ctx: MusicStoreContext) => void,
): void {
  describeMusicStore(title, body, { on: backends });
}
