import {
  CommandChainSession,
  CommandFormSession,
  Session,
  SessionChain,
  SingleCommandSession,
  z,
} from 'minke';
import { App, Server } from './models.js';

/** Fills in what Minke knows about a server: OS, kernel, cores and memory. */
export class ServerInfo extends Session {
  static override workOn = [Server];
  static override group = 'Info';
  static override description =
    'Reads the OS, kernel, CPU cores and memory and stores them on the server.';
  override async process() {
    await this.updateField('os', 'cat /etc/os-release', /PRETTY_NAME="?([^"\n]+)/);
    await this.updateField('kernel', 'uname -r');
    await this.updateField('cores', 'nproc');
    const memory = await this.frun('cat /proc/meminfo');
    const kb = /MemTotal:\s+(\d+) kB/.exec(memory.stdout)?.[1];
    if (kb) await this.context.updateObject({ memory_mb: Math.round(Number(kb) / 1024) });
    this.setStatus('success');
  }
}

/** Disk usage of a path on a host or a server. */
export class DiskUsage extends SingleCommandSession {
  static override workOn = ['Host', Server];
  static override group = 'Info';
  static override description = 'Shows the disk usage (df -h) of a path.';
  static override command = 'df -h {path}';
  static override form = z.object({ path: z.string().min(1).default('/').describe('Path') });
}

/** Any command, typed in a form. Give its permission with care. */
export class RunCommand extends CommandFormSession {
  static override workOn = ['Host', Server];
  static override group = 'Admin';
  static override description = 'Runs a shell command you type, after a confirmation.';
  static override confirm = true;
}

/** A few checks in a row; stops at the first that fails. */
export class HealthCheck extends CommandChainSession {
  static override workOn = ['Host', Server];
  static override group = 'Info';
  static override description =
    'Uptime, disk and memory checks in a row; stops at the first that fails.';
  static override commands = ['uptime', 'df -h /', 'free -m'];
  // A check that hangs (a stale NFS mount under df) fails after a minute instead of holding the host.
  static override timeoutMs = 60_000;
}

/** Shows an app's installation folder. */
export class AppFiles extends SingleCommandSession {
  static override workOn = [App];
  static override description = "Lists the files in the app's installation folder.";
  static override command = 'ls -la {root}';
}

/** Server info, then the health check, as one session. */
export class FullCheck extends SessionChain {
  static override workOn = [Server];
  static override group = 'Info';
  static override description = 'Server info, then the health check, as one session.';
  static override sessions = [ServerInfo, HealthCheck];
}
