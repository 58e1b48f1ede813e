#!/usr/bin/env node
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import * as twistar from '../index.js';
import { InteractionBase, Registry, TwistarError, type ConnectionPool } from '../index.js';
import { Migrator } from '../migrations/migrator.js';
import { diagram } from '../schema/diagram.js';
import { introspect, type IntrospectOptions } from '../schema/introspect.js';
import { verifyModels } from '../schema/verify-models.js';
import { type ConfigFlags, type ResolvedConfig } from './config.js';
import { generateModels } from './generate-models.js';
import { withProgress } from './migration-progress.js';
import { importFile } from './typescript-loader.js';
import { startRepl } from './console-repl.js';
import { loadModels, withDatabase } from './database-session.js';
import { seed } from './seeds.js';
import { EXIT, dim, green, out, red, useColour, yellow } from './terminal.js';

/** Parses a count option: a usage error (exit code 2) unless a positive integer. */
function positiveInteger(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(count) || count < 1)
    throw new InvalidArgumentError('expected a positive whole number, such as 1 or 3.');
  return count;
}

/** What introspection leaves out: the configured migrations table (and its companions). */
function tablesOf(config: ResolvedConfig): IntrospectOptions {
  return { migrationsTable: config.migrationsTable };
}

/** The migrator of a command, on the configured folder and table. */
function migratorFor(config: ResolvedConfig, pool: ConnectionPool): Migrator {
  return new Migrator(pool, {
    folder: config.migrations,
    tableName: config.migrationsTable,
    importModule: importFile,
  });
}

function program(): Command {
  const cli = new Command('twistar')
    .description('Migrations, seeds, schema checks, model generation, diagrams and a console for Twistar.')
    .option('--url <url>', 'database URL (default: DATABASE_URL, the config file, or sqlite:twistar.db)')
    .option('--config <file>', 'config file (default: twistar.config.ts/.js/.mjs/.json in this folder)')
    .option('--migrations <dir>', 'migrations folder (default: migrations)')
    .option('--models <dir>', 'models folder (default: src/models)')
    .option('--migrations-table <name>', 'table recording applied migrations (default: twistar_migrations)')
    .option('--seeds <dir>', 'seed files folder (default: seeds)')
    .showHelpAfterError()
    .exitOverride();
  const flags = () => cli.opts<ConfigFlags>();

  cli
    .command('migrate')
    .description('apply the pending migrations, in order')
    .option('--dry-run', 'print the SQL instead of running it')
    .option('--allow-changed', 'go on although applied migrations were edited since')
    .action((options: { dryRun?: boolean; allowChanged?: boolean }) =>
      withDatabase(flags(), async ({ config, pool }) => {
        const applied = await withProgress((onProgress) =>
          migratorFor(config, pool).latest({
            dryRun: options.dryRun === true,
            allowChanged: options.allowChanged === true,
            onProgress,
          }),
        );
        const what = options.dryRun === true ? 'would apply' : 'applied';
        out(applied.length === 0 ? 'Nothing to migrate.' : `${what} ${applied.length} migration(s).`);
      }),
    );

  cli
    .command('migrate:status')
    .description('list the applied and pending migrations')
    .action(() =>
      withDatabase(flags(), async ({ config, pool }) => {
        const rows = await migratorFor(config, pool).status();
        if (rows.length === 0) out(`No migrations in ${relative(process.cwd(), config.migrations) || '.'}.`);
        for (const row of rows) {
          const state =
            row.state === 'applied'
              ? green('applied')
              : row.state === 'pending'
                ? yellow('pending')
                : red(row.state);
          const when =
            row.appliedAt === null ? '' : dim(` ${row.appliedAt.toISOString()} batch ${row.batch}`);
          out(`${state.padEnd(useColour ? 16 : 7)} ${row.name}${when}`);
        }
      }),
    );

  cli
    .command('migrate:rollback')
    .description('revert the last batch of migrations (or --steps batches)')
    .option('--steps <n>', 'how many batches to revert', positiveInteger, 1)
    .option('--dry-run', 'print the SQL instead of running it')
    .option('--allow-changed', 'go on although the migrations to revert were edited since they ran')
    .action((options: { steps: number; dryRun?: boolean; allowChanged?: boolean }) =>
      withDatabase(flags(), async ({ config, pool }) => {
        const reverted = await withProgress((onProgress) =>
          migratorFor(config, pool).rollback({
            steps: options.steps,
            dryRun: options.dryRun === true,
            allowChanged: options.allowChanged === true,
            onProgress,
          }),
        );
        const what = options.dryRun === true ? 'would revert' : 'reverted';
        out(reverted.length === 0 ? 'Nothing to roll back.' : `${what} ${reverted.length} migration(s).`);
      }),
    );

  cli
    .command('migrate:new')
    .description('create a timestamped migration file')
    .argument('<name>', 'what the migration does, e.g. create_users')
    .addOption(new Option('--format <format>', 'file type').choices(['sql', 'ts', 'js']).default('sql'))
    .action((name: string, options: { format: 'sql' | 'ts' | 'js' }) =>
      // No statement is sent: the pool opens no connection, the migrator only writes the file.
      withDatabase(flags(), async ({ config, pool }) => {
        const path = await migratorFor(config, pool).create(name, { format: options.format });
        out(`created ${relative(process.cwd(), path)}`);
      }),
    );

  cli
    .command('seed')
    .description('run the seed files, in name order, each in a transaction of its own')
    .option('--file <name>', 'run only this seed file (its name, with or without the extension)')
    .action((options: { file?: string }) => seed(flags(), options.file));

  cli
    .command('check')
    .description('compare the registered models with the live schema; exit code 3 when they disagree')
    .action(() =>
      withDatabase(
        flags(),
        async ({ config }) => {
          const count = await loadModels(config.models, true);
          const problems = await verifyModels(tablesOf(config));
          if (problems.length === 0) {
            out(
              `${green('✓')} ${Registry.registeredClasses().length} model(s) from ${count} file(s) agree with the database.`,
            );
            return;
          }
          for (const problem of problems) out(`${red('✗')} ${problem.message}`);
          process.exitCode = EXIT.drift;
        },
        'read',
      ),
    );

  cli
    .command('diagram')
    .description('print the tables and relationships as a Mermaid ER diagram (or Graphviz DOT)')
    .addOption(
      new Option('--format <format>', 'output format').choices(['mermaid', 'dot']).default('mermaid'),
    )
    .action((options: { format: 'mermaid' | 'dot' }) =>
      withDatabase(
        flags(),
        async ({ config, pool }) => {
          await loadModels(config.models, true);
          const schema = await introspect(pool, tablesOf(config));
          out(diagram({ schema, models: Registry.registeredClasses() }, { format: options.format }));
        },
        'read',
      ),
    );

  const generate = cli.command('generate').description('generate code from the database');
  generate
    .command('models')
    .description(
      'write typed model classes from the schema (generated bases are rewritten, your classes never)',
    )
    .option('--out <dir>', 'where to write them (default: the models folder)')
    .action((options: { out?: string }) =>
      withDatabase(
        flags(),
        async ({ config, pool }) => {
          const folder = options.out ?? config.models;
          const files = generateModels(await introspect(pool, tablesOf(config)), folder, tablesOf(config));
          let written = 0;
          for (const file of files) {
            if (!file.overwrite && existsSync(file.path)) continue;
            mkdirSync(dirname(file.path), { recursive: true });
            writeFileSync(file.path, file.text);
            written++;
            out(`${file.overwrite ? 'wrote' : green('created')} ${relative(process.cwd(), file.path)}`);
          }
          out(`${written} file(s) written; classes you edited were left alone.`);
        },
        'read',
      ),
    );

  cli
    .command('console')
    .description(
      'a REPL connected to the database with the models loaded (top-level await; .log toggles query logging)',
    )
    .action(() =>
      withDatabase(
        flags(),
        async ({ config, pool }) => {
          await loadModels(config.models);
          const { session, failures } = await startRepl();
          const models = Object.fromEntries(Registry.registeredClasses().map((model) => [model.name, model]));
          Object.assign(session.context, twistar, models, { pool, config: Registry.getConfig() });
          session.defineCommand('log', {
            help: 'Turn query logging on or off',
            action() {
              InteractionBase.LOG = !InteractionBase.LOG;
              this.output.write(`query logging ${InteractionBase.LOG ? 'on' : 'off'}\n`);
              this.displayPrompt();
            },
          });
          out(
            dim(
              `connected to ${config.url} (${config.urlFrom}); models: ${Object.keys(models).join(', ') || 'none'}`,
            ),
          );
          await new Promise<void>((resolve) => session.on('exit', resolve));
          const failed = failures();
          if (failed.count > 0) {
            // Piped input ran to its end; the exit code says that some of it failed.
            process.stderr.write(
              `${red('error')} ${failed.count} of ${failed.lines} input line(s) failed; the first: ${failed.first}\n`,
            );
            process.exitCode = EXIT.failed;
          }
        },
        'existing',
      ),
    );

  return cli;
}

/** A JavaScript error thrown by code (TypeError, ReferenceError…), not by Twistar or a database driver. */
function isCodeBug(error: unknown): error is Error {
  return error instanceof Error && !(error instanceof TwistarError) && !('code' in error);
}

/** Runs the command line; resolves to the process's exit code. */
export async function main(argv: readonly string[] = process.argv): Promise<number> {
  try {
    await program().parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const message = error instanceof TwistarError ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`${red('error')} ${message}\n`);
    // A bug in the user's own code (a migration, a model, the config) is shown with its stack, which says where.
    const bug = error instanceof TwistarError ? error.cause : error;
    if (isCodeBug(bug) && bug.stack !== undefined) process.stderr.write(`${dim(bug.stack)}\n`);
    return EXIT.failed;
  }
}

process.exitCode = await main();
