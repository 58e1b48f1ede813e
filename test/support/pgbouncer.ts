import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** A PgBouncer in transaction-pooling mode in front of the shared PostgreSQL, on a loopback port of its own. */
export interface PgBouncer {
  /** `url` (a postgres:// URL of the shared server) with its host and port replaced by PgBouncer's. */
  urlFor(url: string): string;
  /** PgBouncer's log so far (for a failing test's diagnostics). */
  log(): string;
  stop(): void;
}

const PORT = 64_331;
const BINARY = '/usr/sbin/pgbouncer';

/** Why PgBouncer cannot be started here, or null when it can. */
export function pgbouncerUnavailable(): string | null {
  if (!existsSync(BINARY)) return 'pgbouncer is not installed (apt-get install -y pgbouncer)';
  if (userInfo().uid !== 0) return 'starting PgBouncer needs root (to run it as the postgres user)';
  return null;
}

/**
 * Starts PgBouncer (as the postgres user: it refuses to run as root) with its own configuration, log and
 * pid file in a temporary folder: every database of 127.0.0.1:5432, `pool_mode = transaction`, trust auth for
 * the users given, and few server connections so that clients share them.
 */
export function startPgBouncer(users: readonly string[] = ['root'], serverConnections = 4): PgBouncer {
  const base = mkdtempSync(join(tmpdir(), 'twistar-pgbouncer-'));
  const postgres = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  chownSync(base, postgres, postgres);
  const config = join(base, 'pgbouncer.ini');
  const pidfile = join(base, 'pgbouncer.pid');
  const logfile = join(base, 'pgbouncer.log');
  writeFileSync(join(base, 'users.txt'), users.map((user) => `"${user}" ""\n`).join(''));
  writeFileSync(
    config,
    [
      '[databases]',
      '* = host=127.0.0.1 port=5432',
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${PORT}`,
      `unix_socket_dir = ${base}`,
      'auth_type = trust',
      `auth_file = ${join(base, 'users.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${serverConnections}`,
      'max_client_conn = 500',
      `pidfile = ${pidfile}`,
      `logfile = ${logfile}`,
      '',
    ].join('\n'),
  );
  for (const file of ['users.txt', 'pgbouncer.ini']) chownSync(join(base, file), postgres, postgres);
  execFileSync('runuser', ['-u', 'postgres', '--', BINARY, '-d', config], { stdio: 'pipe' });
  // -d returns once the daemon has forked; wait for it to listen.
  waitForListening();
  const readPid = () => Number(readFileSync(pidfile, 'utf8').trim());
  return {
    urlFor(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(PORT);
      return parsed.toString();
    },
    log: () => (existsSync(logfile) ? readFileSync(logfile, 'utf8') : ''),
    stop() {
      try {
        const pid = readPid();
        process.kill(pid, 'SIGTERM');
        for (let i = 0; i < 100 && alive(pid); i++) execFileSync('sleep', ['0.05']);
        if (alive(pid)) process.kill(pid, 'SIGKILL');
      } catch {
        // Already stopped.
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function waitForListening(): void {
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('pg_isready', ['-q', '-h', '127.0.0.1', '-p', String(PORT)], { stdio: 'pipe' });
      return;
    } catch {
      execFileSync('sleep', ['0.1']);
    }
  }
  throw new Error(`PgBouncer did not listen on 127.0.0.1:${PORT} within 10 s`);
}
