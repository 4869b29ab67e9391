import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const builtBin = fileURLToPath(new URL('../bin/minke.js', import.meta.url));

/** One measured command: a node command line, and whether to time its first line instead. */
interface Case {
  label: string;
  args: string[];
  /** Time until the first line on stdout (a run's first status line), not until it exits. */
  firstLine?: boolean;
  /** Runs before each measurement, untimed (e.g. dropping the compile cache). */
  before?: () => void;
}

/**
 * Tells the bench the command's own CPU time at exit, on file descriptor 3: on a machine shared
 * with other work the wall time grows with the load, its CPU time much less.
 */
const reportCpu = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); writeSync(3, String((u.user + u.system) / 1000)); });",
)}`;

interface Timing {
  wall: number;
  cpu: number;
}

/** Wall time until `args` exits (or prints its first line), and its CPU time; fails loudly. */
function timeOnce(item: Case): Promise<Timing> {
  item.before?.();
  const start = process.hrtime.bigint();
  const since = () => Number(process.hrtime.bigint() - start) / 1e6;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', reportCpu, ...item.args], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let firstLine: number | undefined;
    let stderr = '';
    let cpu = '';
    child.stdio[3]?.on('data', (chunk: Buffer) => (cpu += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (firstLine === undefined && chunk.includes(10)) firstLine = since();
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const exited = since();
      if (code !== 0) reject(new Error(`${item.label} failed (${code}): ${stderr}`));
      else resolve({ wall: item.firstLine ? (firstLine ?? exited) : exited, cpu: Number(cpu) });
    });
  });
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function setUp(bin: string, args: string[]): void {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`minke ${args.join(' ')} failed: ${result.stderr}`);
}

/** The commands measured for one build of `minke` (`bin`), on `project`. */
function casesOf(bin: string, project: string, label: string): Case[] {
  const minke = (...rest: string[]) => [bin, '--project', project, ...rest];
  const named = (text: string) => (label ? `${text} [${label}]` : text);
  return [
    { label: named('minke --help'), args: [bin, '--help'] },
    { label: named('minke hosts list'), args: minke('hosts', 'list') },
    {
      label: named('minke hosts list (project changed)'),
      args: minke('hosts', 'list'),
      before: () => rmSync(join(project, '.minke', 'compiled'), { recursive: true, force: true }),
    },
    { label: named('minke records list Server'), args: minke('records', 'list', 'Server') },
    { label: named('minke history list'), args: minke('history', 'list') },
    {
      label: named('minke run: first status line'),
      args: minke('run', 'DiskUsage', '--model', 'Host', '--id', 'local1'),
      firstLine: true,
    },
  ];
}

/** A project of one local host, made by `bin`, its TypeScript compiled once. */
function projectFor(bin: string, project: string): void {
  setUp(bin, ['init', project]);
  setUp(bin, ['--project', project, 'migrate']);
  setUp(bin, ['--project', project, 'hosts', 'add', 'local1', '--config', 'transport: local']);
  // The first command compiles the project's TypeScript into .minke/compiled; later ones reuse it.
  setUp(bin, ['--project', project, 'hosts', 'list']);
}

/**
 * Start-up of the built CLI as a user types it (`minke` on the PATH, no npx), next to a bare
 * `node -e 0` on the same machine: the median of N runs each, the cases interleaved so a busy
 * machine slows them all alike. `run` is timed to its first status line, on a local host.
 * `--compare BIN` measures another build of the command (an earlier commit's) in the same
 * interleaved rounds, each on a project of its own: a before/after that the machine's drift
 * between two runs of the bench does not blur.
 */
export async function benchCli(args: string[]): Promise<void> {
  const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const runs = Number(option('--runs') ?? 10) || 10;
  // --bin FILE measures another build of the command instead of this one.
  const bin = option('--bin') ?? builtBin;
  const other = option('--compare');
  const dir = mkdtempSync(join(tmpdir(), 'minke-bench-'));
  try {
    projectFor(bin, join(dir, 'p'));
    const cases: Case[] = [
      { label: 'node -e 0', args: ['-e', '0'] },
      ...casesOf(bin, join(dir, 'p'), other ? 'this' : ''),
    ];
    if (other) {
      projectFor(other, join(dir, 'q'));
      cases.push(...casesOf(other, join(dir, 'q'), 'compared'));
    }
    const times = new Map<Case, Timing[]>(cases.map((item) => [item, []]));
    for (let i = 0; i < runs; i++) {
      for (const item of cases) times.get(item)?.push(await timeOnce(item));
    }
    const cpu = cpus();
    console.log(
      `CLI start-up, median of ${runs} runs each, interleaved; node ${process.version}, ${cpu.length} × ${cpu[0]?.model ?? 'CPU'}`,
    );
    console.log(
      `command: ${bin}${other ? `; compared: ${other}` : ''}; load average ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
    // Every node process, `node -e 0` included, then reads those certificates first (tens of ms).
    if (process.env['NODE_EXTRA_CA_CERTS'])
      console.log('NODE_EXTRA_CA_CERTS is set: each command above includes reading it at start');
    const of = (item: Case, kind: keyof Timing) =>
      median((times.get(item) ?? []).map((t) => t[kind]));
    const base = cases[0] as Case;
    const width = Math.max(36, ...cases.map((item) => item.label.length));
    console.log(`${''.padEnd(width)}   wall (× node -e 0)      CPU (× node -e 0)`);
    for (const item of cases) {
      const [wall, cpu] = [of(item, 'wall'), of(item, 'cpu')];
      console.log(
        `${item.label.padEnd(width)} ${wall.toFixed(0).padStart(6)} ms (${(wall / of(base, 'wall')).toFixed(2)}×)   ${cpu.toFixed(0).padStart(6)} ms (${(cpu / of(base, 'cpu')).toFixed(2)}×)`,
      );
    }
    console.log('(run: wall time to its first status line; CPU time of the whole command)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
