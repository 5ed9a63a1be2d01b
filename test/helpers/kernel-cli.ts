import { parseCli } from '../../src/main/cli/args';
import type { CliDomain, DomainCommandContext, DomainCommandOutput } from '../../src/main/cli/domain-command';
import { kernelHostCli } from '../../src/main/cli/domains/kernel-host';
import type { CliIo } from '../../src/main/cli/io';
import type { HostManifest } from '../../src/shared/kernel/model';

// The `kintsugi kernel` host subcommands with the manifest handed in (the fleet loader is the kernel-promote
// branch's), parsed by the real parseCli and run with an in-memory io: what the built CLI does once composed.

export interface MemoryIo extends CliIo {
  out: string;
  err: string;
}

export function memoryIo(o: { tty?: boolean; answer?: string | null; cwd?: string } = {}): MemoryIo {
  const io: MemoryIo = {
    out: '',
    err: '',
    stdout: { write: (s: string) => (io.out += s) },
    stderr: { write: (s: string) => (io.err += s) },
    stdinIsTTY: Boolean(o.tty),
    readLine: async (prompt) => {
      io.err += prompt;
      return o.answer ?? null;
    },
    signal: new AbortController().signal,
    getuid: () => 0,
    cwd: o.cwd ?? '/work/here',
    env: {},
    executor: { run: () => Promise.reject(new Error('the kernel host commands run no jobs')) },
  };
  return io;
}

export function kernelCli(manifests: Record<string, HostManifest>) {
  const domain: CliDomain = {
    name: 'kernel',
    summary: 'test',
    subcommands: kernelHostCli({
      loadManifest: async (_ws, host) => {
        const m = manifests[host];
        if (!m) throw new Error(`no manifest for ${host}`);
        return m;
      },
    }),
  };
  const parse = (argv: string[], cwd = '/work/here') => parseCli(argv, cwd, {}, [domain]);
  const run = async (argv: string[], io: MemoryIo = memoryIo()): Promise<DomainCommandOutput> => {
    const p = parse(argv, io.cwd);
    if (p.command.cmd !== 'domain') throw new Error(`not a domain command: ${p.command.cmd}`);
    const c: DomainCommandContext = {
      io,
      g: p,
      services: async () => {
        throw new Error('the kernel host commands need no services');
      },
      run: () => Promise.reject(new Error('the kernel host commands run no jobs')),
    };
    return p.command.subcommand.run(p.command.input as never, c);
  };
  return { parse, run };
}
