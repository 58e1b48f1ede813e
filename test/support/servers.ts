import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How a test stops the server: PostgreSQL's shutdown modes, or MariaDB's shutdown. */
export type StopMode = 'fast' | 'immediate' | 'shutdown';

async function until(check: () => Promise<unknown>, what: string): Promise<void> {
  for (let tries = 0; tries < 120; tries++) {
    try {
      await check();
      return;
    } catch {
      await sleep(250);
    }
  }
  throw new Error(`${what} did not come back within 30 s`);
}

const postgresVersion = () => readdirSync('/etc/postgresql')[0] ?? '15';
const pgIsReady = () => run('pg_isready', ['-q', '-h', '127.0.0.1', '-p', '5432']);
const mariadbPing = () =>
  run('mariadb-admin', ['--protocol=tcp', '-h', '127.0.0.1', '-P', '3306', '-u', 'root', 'ping']);

async function startPostgres(): Promise<void> {
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', postgresVersion(), 'main', 'start']).catch(
    () => undefined,
  );
  await until(pgIsReady, 'PostgreSQL');
}

async function startMariadb(): Promise<void> {
  await run('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', '/usr/sbin/mariadbd']);
  await until(mariadbPing, 'MariaDB');
}

/**
 * Stops the local server (`mode`), keeps it down for `downMs`, and starts it again; resolves once it accepts
 * connections. The server is started again even when stopping failed.
 */
export async function restartServer(
  name: 'postgres' | 'mysql',
  mode: StopMode,
  downMs: number,
): Promise<void> {
  try {
    if (name === 'postgres') {
      await run('pg_ctlcluster', [
        '--skip-systemctl-redirect',
        postgresVersion(),
        'main',
        'stop',
        '-m',
        mode,
      ]);
    } else {
      await run('mariadb-admin', [
        '--protocol=tcp',
        '-h',
        '127.0.0.1',
        '-P',
        '3306',
        '-u',
        'root',
        'shutdown',
      ]);
    }
    await sleep(downMs);
  } finally {
    await (name === 'postgres' ? startPostgres() : startMariadb());
  }
}
