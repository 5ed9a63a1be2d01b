// What every benchmark script shares: where the repository and the built CLI are, a log to stderr, the median of
// interleaved rounds, and a whole-process timer that also reports the peak RSS of the process and its node
// children (the CLI runs device I/O, jobs and hashing in child processes and threads).
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const cli = join(root, 'out', 'main', 'cli.js');
export const MiB = 1024 * 1024;

export const log = (msg) => process.stderr.write(`${msg}\n`);

/** The median; an even count averages the middle two instead of reporting the slower one. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Peak RSS (VmHWM, KiB) over a process and its descendants that are node processes, polled every 50 ms. */
export function watchPeak(pid) {
  let peak = 0;
  const poll = async () => {
    const pids = [pid];
    for (let i = 0; i < pids.length; i++) {
      try {
        for (const t of await readdir(`/proc/${pids[i]}/task`)) {
          const kids = (await readFile(`/proc/${pids[i]}/task/${t}/children`, 'utf8')).trim();
          if (kids) pids.push(...kids.split(/\s+/).map(Number));
        }
      } catch {
        /* exited */
      }
    }
    for (const p of pids) {
      try {
        const status = await readFile(`/proc/${p}/status`, 'utf8');
        if (!/^Name:\s*node/m.test(status)) continue;
        const m = /^VmHWM:\s*(\d+) kB/m.exec(status);
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch {
        /* exited */
      }
    }
  };
  const timer = setInterval(poll, 50);
  return {
    async stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

/** Runs CMD ARGS to its end: wall ms, stdout and peak RSS; a non-zero exit (other than okExits) rejects. */
export function timed(cmd, args, opts = {}, okExits = [0]) {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    const peak = watchPeak(p.pid);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', async (code) => {
      const ms = performance.now() - t0;
      const rssKiB = await peak.stop();
      if (!okExits.includes(code)) rej(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err || out}`));
      else res({ ms, out, rssKiB, code });
    });
  });
}
