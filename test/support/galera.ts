import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A MariaDB Galera cluster of three nodes on loopback ports of their own, in a temporary folder: each node has
 * its own datadir, config file, socket, pid file and error log. The shared MariaDB on 3306 is not touched.
 */
export interface GaleraCluster {
  /** `mysql://root@127.0.0.1:<port>/<database>` of node 0, 1 or 2. */
  url(node: number): string;
  /** Runs SQL on a node as root over its socket (the mariadb client, batch mode); resolves to its output. */
  sql(node: number, statement: string): Promise<string>;
  /** The node's wsrep status variable (`wsrep_ready`, `wsrep_cluster_size`, …). */
  status(node: number, name: string): Promise<string>;
  /** Waits until every node is in the primary component, synced and ready. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** How long the start took, in ms (install, bootstrap, two joins by SST). */
  readonly startMs: number;
  destroy(): Promise<void>;
}

export const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';
// Below 32768, where Linux picks the local ports of outgoing connections (ip_local_port_range): a port in that
// range may be taken by any connection of the run, and the cluster would not start.
/** The SQL port of each node. */
export const SQL_PORTS = [23_061, 23_062, 23_063] as const;
const GCOMM_PORTS = [24_671, 24_672, 24_673];
const IST_PORTS = [24_681, 24_682, 24_683];
const SST_PORTS = [24_691, 24_692, 24_693];
export const GALERA_DATABASE = 'twistar_galera';

/** Why a Galera cluster cannot be made here, or null when it can. */
export function galeraUnavailable(): string | null {
  if (!existsSync(GALERA_PROVIDER))
    return `the Galera library ${GALERA_PROVIDER} is not installed (galera-4)`;
  if (!existsSync('/usr/sbin/mariadbd')) return 'the MariaDB server (mariadbd) is not installed';
  if (!existsSync('/usr/bin/mariadb-install-db') || !existsSync('/usr/bin/mariadb'))
    return 'the MariaDB tools (mariadb-install-db, mariadb) are not installed';
  if (!existsSync('/usr/bin/rsync')) return 'rsync (the state transfer of new nodes) is not installed';
  if (userInfo().uid !== 0) return 'making a Galera cluster needs root (to run the nodes as the mysql user)';
  return null;
}

/** mariabackup when installed (no lock on the donor), rsync otherwise. */
function sstMethod(): string {
  return existsSync('/usr/bin/mariabackup') || existsSync('/usr/bin/mariadb-backup')
    ? 'mariabackup'
    : 'rsync';
}

function config(base: string, node: number): string {
  const dir = join(base, `node${node}`);
  const cluster = GCOMM_PORTS.map((port) => `127.0.0.1:${port}`).join(',');
  const provider = [
    `base_port=${GCOMM_PORTS[node]}`,
    `gmcast.listen_addr=tcp://127.0.0.1:${GCOMM_PORTS[node]}`,
    `ist.recv_addr=127.0.0.1:${IST_PORTS[node]}`,
    'gcache.size=32M',
    // A lost node is noticed in seconds, not the default 5 s + 15 s.
    'evs.suspect_timeout=PT3S',
    'evs.inactive_timeout=PT5S',
    'evs.install_timeout=PT5S',
    'pc.wait_prim_timeout=PT5S',
  ].join(';');
  return [
    '[mysqld]',
    'user=mysql',
    `datadir=${join(dir, 'data')}`,
    `socket=${join(dir, 'mysqld.sock')}`,
    `pid-file=${join(dir, 'mysqld.pid')}`,
    `log-error=${join(dir, 'error.log')}`,
    `tmpdir=${dir}`,
    `port=${SQL_PORTS[node]}`,
    'bind-address=127.0.0.1',
    'skip-name-resolve',
    'skip-log-bin',
    'binlog_format=ROW',
    'default_storage_engine=InnoDB',
    'innodb_autoinc_lock_mode=2',
    'innodb_buffer_pool_size=64M',
    'innodb_log_file_size=16M',
    'innodb_flush_log_at_trx_commit=0',
    'max_connections=200',
    'wsrep_on=ON',
    `wsrep_provider=${GALERA_PROVIDER}`,
    'wsrep_cluster_name=twistar_test',
    `wsrep_cluster_address=gcomm://${cluster}`,
    `wsrep_node_name=node${node}`,
    `wsrep_node_address=127.0.0.1:${GCOMM_PORTS[node]}`,
    `wsrep_provider_options="${provider}"`,
    `wsrep_sst_receive_address=127.0.0.1:${SST_PORTS[node]}`,
    `wsrep_sst_method=${sstMethod()}`,
    'wsrep_slave_threads=2',
    '',
    '[client]',
    `socket=${join(dir, 'mysqld.sock')}`,
    '',
  ].join('\n');
}

/** Fails when one of the cluster's ports is taken (by a cluster an earlier run left behind, say). */
async function assertPortsFree(): Promise<void> {
  for (const port of [...SQL_PORTS, ...GCOMM_PORTS, ...IST_PORTS, ...SST_PORTS]) {
    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once('error', () =>
        reject(new Error(`galera: port ${port} on 127.0.0.1 is in use; stop what listens there (ss -ltnp)`)),
      );
      server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
    });
  }
}

async function poll(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline) throw new Error(`galera: timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Installs a datadir, bootstraps node 0 with --wsrep-new-cluster, makes root@127.0.0.1 (no password) and the
 * test database, then starts nodes 1 and 2, which join by state transfer; resolves once all three are ready.
 */
export async function startGaleraCluster(): Promise<GaleraCluster> {
  const started = Date.now();
  await assertPortsFree();
  const base = mkdtempSync(join(tmpdir(), 'twistar-galera-'));
  const mysql = Number(execFileSync('id', ['-u', 'mysql']).toString().trim());
  const mysqlGroup = Number(execFileSync('id', ['-g', 'mysql']).toString().trim());
  const processes: (ChildProcess | undefined)[] = [];
  const files = (node: number) => {
    const dir = join(base, `node${node}`);
    return { dir, cnf: join(dir, 'my.cnf'), data: join(dir, 'data'), sock: join(dir, 'mysqld.sock') };
  };
  const prepare = () => {
    for (const node of [0, 1, 2]) {
      mkdirSync(files(node).dir);
      writeFileSync(files(node).cnf, config(base, node));
    }
    const chownAll = () => execFileSync('chown', ['-R', `${mysql}:${mysqlGroup}`, base]);
    chownAll();
    execFileSync(
      'mariadb-install-db',
      [
        `--defaults-file=${files(0).cnf}`,
        '--user=mysql',
        '--skip-test-db',
        '--auth-root-authentication-method=socket',
        '--skip-name-resolve',
      ],
      { stdio: 'pipe' },
    );
    // The joiners' datadirs are replaced by the state transfer; a copy makes them valid datadirs meanwhile.
    for (const node of [1, 2]) cpSync(files(0).data, files(node).data, { recursive: true });
    chownAll();
  };

  const start = (node: number, bootstrap: boolean) => {
    const args = [`--defaults-file=${files(node).cnf}`];
    if (bootstrap) args.push('--wsrep-new-cluster');
    const child = spawn('/usr/sbin/mariadbd', args, { stdio: 'ignore' });
    child.on('error', () => undefined);
    processes[node] = child;
  };
  const sql = async (node: number, statement: string) => {
    const { stdout } = await run(
      'mariadb',
      [`--defaults-file=${files(node).cnf}`, '-u', 'root', '--batch', '--skip-column-names', '-e', statement],
      { timeout: 15_000 },
    );
    return stdout.trim();
  };
  const status = async (node: number, name: string) =>
    (await sql(node, `SHOW GLOBAL STATUS LIKE '${name}'`)).split('\t')[1] ?? '';
  const ready = async (node: number) =>
    (await status(node, 'wsrep_ready')) === 'ON' &&
    (await status(node, 'wsrep_cluster_size')) === '3' &&
    (await status(node, 'wsrep_local_state_comment')) === 'Synced';
  const waitReady = async (timeoutMs = 60_000) => {
    for (const node of [0, 1, 2])
      await poll(() => ready(node), `node ${node} is synced in a cluster of 3`, timeoutMs);
  };
  // Should the test process end without destroy(), the nodes end with it.
  const killAll = () => processes.forEach((child) => child?.kill('SIGKILL'));
  process.once('exit', killAll);
  const destroy = async () => {
    process.removeListener('exit', killAll);
    await Promise.all(
      processes.map(async (child) => {
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }),
    );
    rmSync(base, { recursive: true, force: true });
  };

  try {
    prepare();
    start(0, true);
    await poll(async () => (await status(0, 'wsrep_ready')) === 'ON', 'node 0 bootstraps', 30_000);
    await sql(
      0,
      "CREATE USER 'root'@'127.0.0.1'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; " +
        `CREATE DATABASE ${GALERA_DATABASE};`,
    );
    start(1, false);
    // One joiner at a time: node 0 is the donor of each state transfer.
    await poll(
      async () => (await status(1, 'wsrep_local_state_comment')) === 'Synced',
      'node 1 joins',
      60_000,
    );
    start(2, false);
    await waitReady();
  } catch (error) {
    const logs = [0, 1, 2]
      .map((node) => {
        const log = join(files(node).dir, 'error.log');
        return existsSync(log) ? `--- node ${node}\n${readFileSync(log, 'utf8').slice(-3000)}` : '';
      })
      .join('\n');
    await destroy();
    throw new Error(`${(error as Error).message}\n${logs}`, { cause: error });
  }
  const startMs = Date.now() - started;
  return {
    url: (node) => `mysql://root@127.0.0.1:${SQL_PORTS[node]}/${GALERA_DATABASE}`,
    sql,
    status,
    waitReady,
    startMs,
    destroy,
  };
}
