import type { CliDomain } from '../domain-command';
import { kernelHostSubcommands } from './kernel-host';

// MINIMAL, for the kernel-install branch only: `kintsugi kernel` with the host subcommands (status, install,
// rollback). The kernel-promote branch brings the real one (promote, build, ...); the integrator keeps that file
// and adds `...kernelHostSubcommands` to its list.
export const kernelDomain: CliDomain = {
  name: 'kernel',
  summary: "Kernel (issue 10): one host's kernel — install, heartbeat, rollback, status",
  subcommands: [...kernelHostSubcommands],
};
