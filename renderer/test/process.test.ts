// The renderer's process runner against real processes: an argument list with no shell, exit codes and signals as
// shells report them, stdout as bytes, stdin, and a clear answer for a program that does not exist.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { output, ProgramNotFound, run } from '../src/process.js';

const node = process.execPath;

/** A process's state letter from /proc (R, S, Z…), or 'gone'. */
function processState(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0]!;
  } catch {
    return 'gone';
  }
}

describe('run', () => {
  it('passes every argument as it is, with no shell to interpret it, and lists far above the 128 KiB a bash -c line may hold', async () => {
    const odd = ['$HOME', 'a b', '"; exit 3', '*', ...Array.from({ length: 3_000 }, (_, i) => `clusters/c/apps/app-${i}/manifest.yaml`.padEnd(100, 'x'))];
    const result = await run(node, ['-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', ...odd]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(odd);
  });

  it('answers with the exit code and both outputs, whatever the code', async () => {
    const result = await run(node, ['-e', "process.stdout.write('out'); process.stderr.write('err'); process.exit(7)"]);
    expect(result).toMatchObject({ code: 7, stdout: 'out', stderr: 'err' });
  });

  it('reports a child killed by a signal as 128 + the signal number', async () => {
    const result = await run(node, ['-e', "process.kill(process.pid, 'SIGTERM')"]);
    expect(result.code).toBe(143);
  });

  it('kills the child and everything it started at the time limit, and says it did', async () => {
    // The child starts a grandchild that would sleep a minute, prints the grandchild's pid, and waits for it.
    const grandchild = 'setTimeout(() => {}, 60000)';
    const child = `const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: 'ignore' }); console.log(c.pid); c.on('exit', () => {})`;
    const result = await run(node, ['-e', child], { timeLimitSeconds: 2 });
    expect(result.timedOut).toBe(true);
    expect(result.code).toBe(137);
    const pid = Number(result.stdout.trim());
    expect(pid).toBeGreaterThan(0);
    // Killed: gone, or a zombie its new parent has not reaped yet (its state in /proc is Z).
    expect(processState(pid)).toMatch(/^(gone|Z)$/);
  });

  it('keeps stdout as the bytes written, a character split across writes included', async () => {
    const result = await run(node, ['-e', "const b = Buffer.from('é'); process.stdout.write(b.subarray(0, 1)); setTimeout(() => process.stdout.write(b.subarray(1)), 50)"]);
    expect(result.stdoutBytes).toEqual(Buffer.from('é'));
    expect(result.stdout).toBe('é');
  });

  it('writes the input to stdin', async () => {
    expect(await output(node, ['-e', 'process.stdin.pipe(process.stdout)'], { input: 'through\n' })).toBe('through\n');
  });

  it('rejects with ProgramNotFound for a program that does not exist, on PATH or by path', async () => {
    await expect(run('no-such-program-here', [])).rejects.toBeInstanceOf(ProgramNotFound);
    await expect(run('/no/such/program', [])).rejects.toThrow("'/no/such/program' was not found");
  });

  it('says so when the working folder does not exist, instead of blaming the program', async () => {
    await expect(run(node, ['-e', ''], { cwd: '/no/such/folder' })).rejects.toThrow(`cannot run ${node}: the folder /no/such/folder does not exist`);
  });

  it('throws from output() with the command and its stderr when it fails', async () => {
    await expect(output(node, ['-e', "console.error('broken'); process.exit(2)"])).rejects.toThrow(/exited with 2: broken$/);
  });
});
