import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** A PostgreSQL primary and a streaming replica made from it, on loopback ports of their own. */
export interface ReplicaPair {
  readonly primaryUrl: string;
  readonly replicaUrl: string;
  stopReplica(): void;
  startReplica(): void;
  destroy(): void;
}

// Below 32768, outside the local ports Linux gives outgoing connections (see galera.ts).
const PRIMARY_PORT = 24_391;
const REPLICA_PORT = 24_392;

function binaries(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const version = readdirSync(root).sort().at(-1);
  return version === undefined ? null : join(root, version, 'bin');
}

/** Why a replica pair cannot be made here, or null when it can. */
export function replicaUnavailable(): string | null {
  if (binaries() === null) return 'PostgreSQL server binaries are not installed';
  if (userInfo().uid !== 0) return 'making a PostgreSQL cluster needs root (to run it as the postgres user)';
  return null;
}

/** Runs a PostgreSQL program as the postgres user (the server refuses to run as root). */
function asPostgres(program: string, args: readonly string[]): void {
  execFileSync('runuser', ['-u', 'postgres', '--', join(binaries() ?? '', program), ...args], {
    stdio: 'pipe',
  });
}

/**
 * Creates a primary cluster in a temporary folder (trust auth on loopback, replication allowed), then a
 * replica from it with pg_basebackup, and starts both.
 */
export function startReplicaPair(): ReplicaPair {
  const base = mkdtempSync(join(tmpdir(), 'twistar-replica-'));
  const postgres = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  chownSync(base, postgres, postgres);
  const primary = join(base, 'primary');
  const replica = join(base, 'replica');
  asPostgres('initdb', ['-D', primary, '-U', 'root', '--auth=trust', '-E', 'UTF8']);
  appendFileSync(
    join(primary, 'postgresql.conf'),
    `\nport = ${PRIMARY_PORT}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${base}'\n` +
      `wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\nfsync = off\n`,
  );
  writeFileSync(
    join(primary, 'pg_hba.conf'),
    'local all all trust\nlocal replication all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n',
  );
  asPostgres('pg_ctl', ['-D', primary, '-l', join(base, 'primary.log'), '-w', 'start']);
  asPostgres('pg_basebackup', [
    '-h',
    '127.0.0.1',
    '-p',
    String(PRIMARY_PORT),
    '-U',
    'root',
    '-D',
    replica,
    '-R',
    '-X',
    'stream',
  ]);
  appendFileSync(join(replica, 'postgresql.conf'), `\nport = ${REPLICA_PORT}\n`);
  const startReplica = () =>
    asPostgres('pg_ctl', ['-D', replica, '-l', join(base, 'replica.log'), '-w', 'start']);
  startReplica();
  return {
    primaryUrl: `postgres://root@127.0.0.1:${PRIMARY_PORT}/postgres`,
    replicaUrl: `postgres://root@127.0.0.1:${REPLICA_PORT}/postgres`,
    stopReplica: () => asPostgres('pg_ctl', ['-D', replica, '-m', 'fast', '-w', 'stop']),
    startReplica,
    destroy() {
      for (const dir of [replica, primary]) {
        try {
          asPostgres('pg_ctl', ['-D', dir, '-m', 'immediate', '-w', 'stop']);
        } catch {
          // Already stopped.
        }
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
}
