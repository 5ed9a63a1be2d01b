import { bareName } from './package-glob';

// apt-get -s (simulate) prints one `Inst` line per package it would unpack, in the C locale:
//   Inst libc6 [2.36-9] (2.36-9+deb12u4 Debian:12.5/stable, Debian-Security:12/stable-security [amd64])
//   Inst linux-image-6.1.0-10-amd64 (6.1.38-1 Debian:12.1/stable [amd64])      <- newly installed: no [old]
// The part in parentheses is the candidate version, then `Origin:Version/Archive` of every source that has it
// (the version part is absent when a Release file has none), then the architecture. A security update is one whose
// archive (suite) ends in -security or whose origin or label says Security.

export interface SimulatedInstall {
  name: string;
  from?: string;
  to: string;
  /** The `Origin:Archive` list as apt printed it (may be empty for a local file). */
  origins: string[];
  security: boolean;
}

const INST = /^Inst (\S+)(?: \[([^\]]*)\])? \((\S+)(?: (.*?))? \[([^\]]+)\]\)/;

export function isSecurityOrigin(origin: string): boolean {
  const colon = origin.indexOf(':');
  const who = colon === -1 ? '' : origin.slice(0, colon);
  const archive = (colon === -1 ? origin : origin.slice(colon + 1)).split('/').pop() ?? '';
  return /-security$/i.test(archive) || /security/i.test(who);
}

export function parseSimulation(stdout: string): SimulatedInstall[] {
  const out: SimulatedInstall[] = [];
  for (const line of stdout.split('\n')) {
    const m = INST.exec(line);
    if (!m) continue;
    const origins = (m[4] ?? '')
      .split(', ')
      .map((s) => s.trim())
      .filter(Boolean);
    out.push({
      name: bareName(m[1]!),
      ...(m[2] ? { from: m[2] } : {}),
      to: m[3]!,
      origins,
      security: origins.some(isSecurityOrigin),
    });
  }
  return out;
}
