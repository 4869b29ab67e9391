import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/minke.js', import.meta.url));
const LINE = '0123456789abcdefghijklmnopqrstuvwxyz\n';

/**
 * `npm run bench -- output [--mb 200]`: one command printing that much through `minke start`
 * (the run started with `minke run --server`, so it executes in the server), then its full
 * output downloaded through the API. Prints the server's resident memory before, its peak
 * during each phase, the times, and whether the download is byte-identical (sha256).
 */
export async function benchOutput(args: string[]): Promise<void> {
  const at = args.indexOf('--mb');
  const megabytes = at === -1 ? 200 : Number(args[at + 1]);
  if (!Number.isInteger(megabytes) || megabytes < 1) throw new Error('--mb: a whole number ≥ 1');
  const bytes = megabytes * 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'minke-bench-output-'));
  const project = join(dir, 'p');
  let server: ChildProcess | undefined;
  try {
    writeProject(project, bytes);
    cli(project, ['migrate']);
    cli(project, ['hosts', 'add', 'local1', '--config', 'transport: local']);
    cli(project, ['users', 'create', 'bench', '--superuser'], {
      MINKE_PASSWORD: 'bench password 1',
    });
    const token = cli(project, ['tokens', 'create', '--user', 'bench']).trim();
    server = spawn(process.execPath, [bin, '--project', project, 'start', '--port', '0'], {
      env: { ...process.env, MINKE_MQTT_PORT: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'ignore'], // its request logs would drown the figures
    });
    const url = await listening(server);
    const pid = server.pid ?? 0;
    const idle = memory(pid);
    console.log(`server idle:            RSS ${mb(idle.rss)}`);

    const runPeak = new PeakSampler(pid);
    const started = performance.now();
    const ran = spawnSync(
      process.execPath,
      [bin, '--server', url, 'run', 'Print', '--id', 'local1', '--json'],
      { env: { ...process.env, MINKE_TOKEN: token }, encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    const runSeconds = (performance.now() - started) / 1000;
    runPeak.stop();
    const recordId = (JSON.parse(ran.stdout) as { records: { id: number }[] }).records[0]?.id;
    const record = (await (
      await fetch(`${url}/api/session-records/${recordId}`, { headers: auth(token) })
    ).json()) as {
      processState: string;
      result: string;
      commands: { exitCode: number; stdout: string; outputCut: unknown }[];
    };
    const command = record.commands[0];
    console.log(
      `run of ${megabytes} MB:            ${runSeconds.toFixed(1)} s, ${(megabytes / runSeconds).toFixed(0)} MB/s; server peak RSS ${mb(runPeak.peak)}; ${record.processState}/${record.result}, exit ${command?.exitCode}; record keeps ${(command?.stdout.length ?? 0).toLocaleString('en')} characters`,
    );

    const downloadPeak = new PeakSampler(pid);
    const downloadStarted = performance.now();
    const response = await fetch(`${url}/api/session-records/${recordId}/commands/1/output`, {
      headers: auth(token),
    });
    const hash = createHash('sha256');
    let received = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      received += chunk.length;
    }
    const downloadSeconds = (performance.now() - downloadStarted) / 1000;
    downloadPeak.stop();
    const identical = received === bytes && hash.digest('hex') === expectedDigest(bytes);
    console.log(
      `download via the API:   ${downloadSeconds.toFixed(1)} s, ${(received / 1e6 / downloadSeconds).toFixed(0)} MB/s; server peak RSS ${mb(downloadPeak.peak)}; ${identical ? 'byte-identical (sha256)' : 'DIFFERENT'}`,
    );
    console.log(`server peak RSS over the whole bench (VmHWM): ${mb(memory(pid).hwm)}`);
  } finally {
    server?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

function writeProject(project: string, bytes: number): void {
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), '{ "type": "module", "private": true }\n');
  writeFileSync(
    join(project, 'sessions.ts'),
    `import { Session } from 'minke';
export class Print extends Session {
  static override workOn = ['Host'];
  override async process() {
    await this.xrun('yes ${LINE.trimEnd()} | head -c ${bytes}');
  }
}
`,
  );
  writeFileSync(
    join(project, 'minke.config.ts'),
    "import { defineConfig } from 'minke';\nimport { Print } from './sessions.js';\nexport default defineConfig({ database: 'sqlite:data.db', sessions: [Print] });\n",
  );
}

function cli(project: string, args: string[], env: Record<string, string> = {}): string {
  const result = spawnSync(process.execPath, [bin, '--project', project, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`minke ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

function listening(server: ChildProcess): Promise<string> {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no server: ${output}`)), 60_000);
    server.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = / at (http:\/\/[\d.:]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
}

/** Resident and peak resident memory of a process, in bytes (Linux /proc). */
function memory(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kib('VmRSS') * 1024, hwm: kib('VmHWM') * 1024 };
}

/** The largest RSS seen, sampled every 100 ms until stopped. */
class PeakSampler {
  peak = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(pid: number) {
    const sample = () => (this.peak = Math.max(this.peak, memory(pid).rss));
    sample();
    this.timer = setInterval(sample, 100);
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

function expectedDigest(total: number): string {
  const hash = createHash('sha256');
  const block = LINE.repeat(Math.floor(1_048_576 / LINE.length));
  for (let left = total; left > 0;) {
    const piece = left >= block.length ? block : block.slice(0, left);
    hash.update(piece);
    left -= piece.length;
  }
  return hash.digest('hex');
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const mb = (n: number) => `${(n / 1_048_576).toFixed(0)} MiB`;
