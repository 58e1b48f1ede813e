import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConnectionError,
  ConnectionPool,
  InvalidDialectError,
  SchemaBuilder,
  connect,
  isUniqueViolation,
  lazyDriver,
  postgresDialect,
  registerDialect,
  sqliteDialect,
  type DialectDefinition,
  type DriverConnection,
} from '../../src/index.js';
import { DIALECTS } from '../support/dialects.js';

/** A database that answers every statement with no rows, on the SQL of SQLite: enough to register and connect. */
function fakeDefinition(scheme: string, calls: string[] = []): DialectDefinition {
  const connection: DriverConnection = {
    broken: false,
    execute(sql) {
      calls.push(sql);
      return { rows: [], affectedRows: 0, insertId: null };
    },
    close: () => Promise.resolve(),
  };
  return {
    dialect: { ...sqliteDialect, name: scheme, displayName: scheme },
    urlSchemes: [scheme],
    parseUrl: (url) => ({ filename: url.slice(scheme.length + 1) }),
    createDriver: () => ({ defaultPoolSize: 1, connect: () => Promise.resolve(connection) }),
  };
}

describe('registerDialect', () => {
  it('opens a registered database by its URL scheme and by name, on its own driver', async () => {
    const calls: string[] = [];
    registerDialect('fakedb', fakeDefinition('fakedb', calls));
    const byUrl = connect('fakedb:one');
    const byName = connect({ dialect: 'fakedb', filename: 'two' });
    await byUrl.runQuery('SELECT ?', [1]);
    await byName.runQuery('SELECT 2');
    assert.deepEqual(calls, ['SELECT ?', 'SELECT 2']);
    assert.equal(byUrl.dialect.name, 'fakedb');
    assert.equal(new SchemaBuilder('fakedb').dialect, 'fakedb');
    await Promise.all([byUrl.close(), byName.close()]);
  });

  it('takes a definition without registering it', async () => {
    const calls: string[] = [];
    const pool = connect({ dialect: fakeDefinition('unregistered', calls) });
    await pool.runOperation('DELETE FROM t');
    assert.deepEqual(calls, ['DELETE FROM t']);
    assert.throws(() => connect('unregistered:x'), ConnectionError);
    await pool.close();
  });

  it('does nothing when the same definition is registered again', () => {
    const definition = fakeDefinition('twicedb');
    registerDialect('twicedb', definition);
    registerDialect('twicedb', definition);
  });

  it("refuses to replace Twistar's own dialects, a taken name, or a taken URL scheme", () => {
    assert.throws(() => registerDialect('postgres', fakeDefinition('otherpg')), InvalidDialectError);
    registerDialect('takendb', fakeDefinition('takendb'));
    assert.throws(() => registerDialect('takendb', fakeDefinition('takendb2')), /registered already/);
    assert.throws(
      () => registerDialect('schemedb', fakeDefinition('mysql')),
      /mysql: belongs to the dialect "mysql"/,
    );
  });

  it('refuses what is not a definition, naming what is missing, before anything is registered', () => {
    const good = fakeDefinition('shapedb');
    const broken: [string, unknown][] = [
      ['nothing', undefined],
      ['a string', 'postgres'],
      ['no driver', { ...good, createDriver: undefined }],
      ['no dialect', { ...good, dialect: undefined }],
      ['a dialect without errorKind', { ...good, dialect: { ...good.dialect, errorKind: undefined } }],
      ['a dialect without ddl rules', { ...good, dialect: { ...good.dialect, ddl: null } }],
      [
        'a beginTransactionAt that is no function',
        { ...good, dialect: { ...good.dialect, beginTransactionAt: 'BEGIN' } },
      ],
      [
        'an updateReturning that is no boolean',
        { ...good, dialect: { ...good.dialect, updateReturning: 'yes' } },
      ],
      ['an upper-case scheme', { ...good, urlSchemes: ['Shape'] }],
    ];
    for (const [what, definition] of broken) {
      assert.throws(
        () => registerDialect('shapedb', definition as DialectDefinition),
        InvalidDialectError,
        what,
      );
      // A string is a registered name to connect(), not a definition.
      if (typeof definition !== 'string')
        assert.throws(() => connect({ dialect: definition as DialectDefinition }), InvalidDialectError, what);
    }
    assert.throws(() => registerDialect('Bad Name', good), InvalidDialectError);
    assert.throws(() => connect('shapedb:x'), ConnectionError);
  });

  it('refuses an unknown database by name or by URL, listing the known ones', () => {
    assert.throws(
      () => new ConnectionPool('nosuchdb'),
      /Unknown database "nosuchdb"; use one of 'sqlite', 'postgres', 'mysql'/,
    );
    assert.throws(() => connect('nosuchdb://x'), /start the URL with sqlite:, postgres:, mysql:/);
    assert.throws(() => new SchemaBuilder('nosuchdb'), ConnectionError);
  });

  it("refuses another database's pool options, and options given beside connect({ dialect })", () => {
    assert.throws(
      () => connect({ dialect: 'sqlite', preparedStatements: false }),
      /preparedStatements is not an option of SQLite/,
    );
    assert.throws(
      () => connect('postgres://u@localhost/db', { workers: 2 }),
      /workers is not an option of PostgreSQL/,
    );
    assert.throws(() => connect({ dialect: 'sqlite' }, { max: 2 }), ConnectionError);
    assert.throws(() => connect({ dialect: 'sqlite', nope: 1 } as never), /has no option "nope"/);
  });
});

describe('isUniqueViolation', () => {
  it("asks a registered dialect's rules too", () => {
    const error = Object.assign(new Error('duplicate'), { code: 'FAKE_DUP' });
    assert.equal(isUniqueViolation(error), false);
    const definition = fakeDefinition('dupdb');
    registerDialect('dupdb', {
      ...definition,
      dialect: {
        ...definition.dialect,
        constraintViolation: (e) =>
          (e as { code?: unknown }).code === 'FAKE_DUP'
            ? { kind: 'unique', constraint: null, columns: [], values: null }
            : null,
      },
    });
    assert.equal(isUniqueViolation(error), true);
  });
});

describe('lazyDriver', () => {
  const traits = { defaultPoolSize: 1 };

  it('loads the library once, on the first connect', async () => {
    let loads = 0;
    const connection = { broken: false } as DriverConnection;
    const driver = lazyDriver(traits, 'somelib', 'Some DB', () => {
      loads += 1;
      return Promise.resolve(() => Promise.resolve(connection));
    });
    assert.equal(loads, 0);
    assert.equal(await driver.connect(), connection);
    assert.equal(await driver.connect(), connection);
    assert.equal(loads, 1);
  });

  it('says which package to install when the library is missing, and tries again next time', async () => {
    let attempts = 0;
    const driver = lazyDriver(traits, 'somelib', 'Some DB', () => {
      attempts += 1;
      // What Node's import() throws for a package that is not installed.
      const error = Object.assign(new Error("Cannot find package 'somelib' imported from /app/x.js"), {
        code: 'ERR_MODULE_NOT_FOUND',
      });
      return Promise.reject(error);
    });
    await assert.rejects(driver.connect(), (error: unknown) => {
      assert.ok(error instanceof ConnectionError);
      assert.match(
        error.message,
        /Some DB with the somelib package, which is not installed: run npm install somelib/,
      );
      return true;
    });
    await assert.rejects(driver.connect(), ConnectionError);
    assert.equal(attempts, 2);
  });

  it('passes on any other failure of loading as it is', async () => {
    const failure = new Error('the addon was built for another Node');
    const driver = lazyDriver(traits, 'somelib', 'Some DB', () => Promise.reject(failure));
    await assert.rejects(driver.connect(), (error) => error === failure);
  });
});

describe("Twistar's own dialects through the public contract", () => {
  it('each names itself and its database, and PostgreSQL is exported for databases that speak it', () => {
    assert.deepEqual(
      DIALECTS.map((dialect) => [dialect.name, dialect.displayName]),
      [
        ['sqlite', 'SQLite'],
        ['postgres', 'PostgreSQL'],
        ['mysql', 'MySQL'],
      ],
    );
    assert.equal(postgresDialect, DIALECTS[1]);
  });
});
