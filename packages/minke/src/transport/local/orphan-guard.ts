import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The guard's script. It reads `+PGID` (a command started) and `-PGID` (it ended) from its
 * standard input, a pipe from this process; when the pipe closes, this process is gone (exited,
 * crashed, killed with -9), and the guard ends the groups still running: TERM, then KILL two
 * seconds later. Bounded: one pass over the groups left, 20 checks 0.1 s apart.
 */
const GUARD_SCRIPT = [
  "groups=' '",
  'while IFS= read -r line; do',
  '  case $line in',
  '    +*) groups="$groups${line#+} " ;;',
  '    -*) id=${line#-}; case $groups in *" $id "*) groups="${groups%% $id *} ${groups#* $id }" ;; esac ;;',
  '  esac',
  'done',
  'left=',
  'for g in $groups; do kill -TERM -"$g" 2>/dev/null && left="$left $g"; done',
  'i=0',
  'while [ -n "$left" ] && [ "$i" -lt 20 ]; do',
  '  alive=',
  '  for g in $left; do kill -0 -"$g" 2>/dev/null && alive="$alive $g"; done',
  '  left=$alive',
  '  [ -n "$left" ] && sleep 0.1',
  '  i=$((i + 1))',
  'done',
  'for g in $left; do kill -KILL -"$g" 2>/dev/null; done',
  'exit 0',
].join('\n');

let guard: ChildProcess | undefined;
let broken = false;

/**
 * Ties a local command's process group to this process's life: a `minke run` killed with -9 (no
 * handler runs then) used to leave its local commands running, and their hosts' next run found
 * them still there. One small `/bin/sh` per process watches all of them, in a session of its own
 * so that Ctrl-C in a terminal does not reach it. Returns the call that says the command ended.
 */
export function guardProcessGroup(pgid: number): () => void {
  const stdin = guardInput();
  if (!stdin) return () => undefined;
  stdin.write(`+${pgid}\n`);
  return () => {
    if (!broken) stdin.write(`-${pgid}\n`);
  };
}

function guardInput(): NodeJS.WritableStream | undefined {
  if (broken) return undefined;
  if (!guard) {
    const started = spawn('/bin/sh', ['-c', GUARD_SCRIPT], {
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    // Without a guard, commands run as before; nothing else depends on it.
    started.on('error', () => {
      broken = true;
    });
    started.on('exit', () => {
      broken = true;
    });
    started.stdin.on('error', () => {
      broken = true;
    });
    // The guard never keeps this process alive: it exits when this process does.
    started.unref();
    (started.stdin as { unref?: () => void }).unref?.();
    guard = started;
  }
  return guard.stdin ?? undefined;
}
