// Every long-running process npm run e2e starts goes through here: its own process group (so its children stop
// with it), its output in .cache/e2e/logs/<name>.log, its pid in .cache/e2e/pids.json. stopAll() ends them in reverse
// start order (TERM, then KILL after a grace period), and a later run ends leftovers of a run that was killed hard.
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function stopGroup(pid, graceMs) {
  const signal = (sig) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const until = Date.now() + graceMs;
  while (alive(pid) && Date.now() < until) await sleep(100);
  if (alive(pid)) signal('SIGKILL');
}

export function createProcesses(stateDir, log) {
  const logs = path.join(stateDir, 'logs');
  const pidFile = path.join(stateDir, 'pids.json');
  const running = [];
  let stopping = false;
  const save = () =>
    writeFileSync(
      pidFile,
      `${JSON.stringify(
        running.map(({ name, pid, cmd }) => ({ name, pid, cmd })),
        null,
        2,
      )}\n`,
    );
  return {
    logs,
    /** Ends what a previous run left behind, identified by pid and its recorded command line. */
    async cleanLeftovers() {
      if (!existsSync(pidFile)) return;
      for (const p of JSON.parse(readFileSync(pidFile, 'utf8')).reverse()) {
        let cmdline;
        try {
          cmdline = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0')[0];
        } catch {
          continue;
        }
        if (cmdline === p.cmd) {
          log(`  ending ${p.name} (pid ${p.pid}) left over from an earlier run`);
          await stopGroup(p.pid, 3000);
        }
      }
      writeFileSync(pidFile, '[]\n');
    },
    /**
     * Starts `cmd args` in its own process group; `argv0` lets one binary run under another name. `restarts`: how
     * many times it is started again after it exits, as the kubelet restarts a crashed container of a pod (each
     * restart is printed with the exit; after the last, assertRunning fails as for any process).
     */
    start(name, cmd, args, { env = process.env, cwd, argv0, restarts = 0 } = {}) {
      const file = path.join(logs, `${name}.log`);
      const entry = { name, pid: undefined, cmd, log: file, exited: undefined, restarted: 0 };
      const spawnIt = () => {
        const fd = openSync(file, 'a');
        const child = spawn(cmd, args, { env, cwd, argv0, detached: true, stdio: ['ignore', fd, fd] });
        closeSync(fd);
        entry.pid = child.pid;
        entry.exited = undefined;
        child.on('exit', (code, sig) => {
          const why = sig ?? code;
          if (!stopping && entry.restarted < restarts) {
            entry.restarted++;
            log(`  ${name} exited (${why}); started again (restart ${entry.restarted} of at most ${restarts}, as the kubelet would); see ${file}`);
            setTimeout(() => {
              if (!stopping) {
                spawnIt();
                save();
              }
            }, 2000);
            return;
          }
          entry.exited = why;
        });
      };
      spawnIt();
      running.push(entry);
      save();
      return entry;
    },
    /** Throws naming the log when a started process has exited. */
    assertRunning(entry) {
      if (entry.exited !== undefined) throw new Error(`${entry.name} exited (${entry.exited}); see ${entry.log}`);
    },
    async stopAll() {
      stopping = true;
      for (const p of [...running].reverse()) {
        if (p.exited === undefined) await stopGroup(p.pid, 5000);
      }
      running.length = 0;
      save();
    },
    list: () => running.filter((p) => p.exited === undefined),
  };
}
