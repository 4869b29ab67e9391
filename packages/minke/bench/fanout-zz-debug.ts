import ssh2 from 'ssh2';
import { readFileSync } from 'node:fs';
import { startBenchSshd } from './fanout-sshd.js';
import { SshTransport } from '../src/transport/ssh/ssh-transport.js';
const s = await startBenchSshd({ ports: 1, maxStartups: 100, shellRc: process.argv[2] === 'rc' });
try {
  const t = new SshTransport({ transport: 'ssh', hostname: s.host, port: s.ports[0]!, user: s.user, identityFiles: [s.clientKeyPath], agent: false, strictHostKeyChecking: 'yes', knownHostsFiles: [s.knownHostsFile], connectTimeoutMs: 5000, commandTimeoutMs: 0, keepaliveIntervalMs: 5000, keepaliveCountMax: 3, pty: false, env: {}, sudo: {}, maxChannels: 8, idleTimeoutMs: 60000 });
  try { console.log(await t.exec('true')); } catch (e) { console.log('ERR', e); }
  await t.close();
  // raw ssh2 with the same steps: exec then end stdin
  await new Promise<void>((resolve) => {
    const c = new ssh2.Client();
    c.on('ready', () => c.exec('exec /bin/sh -c "echo hi"', (err, ch) => {
      if (err) throw err;
      ch.end();
      ch.on('exit', (...a: unknown[]) => console.log('exit', a));
      ch.on('data', (d: Buffer) => console.log('data', d.toString()));
      ch.stderr.on('data', (d: Buffer) => console.log('stderr', d.toString()));
      ch.on('close', () => { console.log('close'); c.end(); });
    }));
    c.on('close', () => resolve());
    c.connect({ host: s.host, port: s.ports[0], username: s.user, privateKey: readFileSync(s.clientKeyPath) , debug: process.argv[3] ? (m: string) => console.log(m) : undefined});
  });
} finally { await s.stop(); }
