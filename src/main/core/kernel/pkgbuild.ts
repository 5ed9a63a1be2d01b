import { KintsugiError } from '../../../shared/errors';
import type { HostManifest } from '../../../shared/kernel/model';

// Renders a packaging template: each @NAME@ is replaced by a value from the manifest or the promote. Every value
// is a checked token (src/shared/kernel/tokens.ts, the fleet schema), so it can stand in a PKGBUILD unquoted; a
// placeholder the renderer does not know is an error naming it and its line, never left in for bash to read.

export interface SourceFile {
  name: string;
  b2sum: string;
}

/** Per uname -m: the kernel ARCH= name, the image make builds, the installed name (Image vs vmlinuz), the Debian arch. */
const ARCHES: Record<string, { karch: string; image: string; install: string; debarch: string }> = {
  aarch64: { karch: 'arm64', image: 'arch/arm64/boot/Image', install: 'Image', debarch: 'arm64' },
  x86_64: { karch: 'x86', image: 'arch/x86/boot/bzImage', install: 'vmlinuz', debarch: 'amd64' },
  riscv64: { karch: 'riscv', image: 'arch/riscv/boot/Image', install: 'Image', debarch: 'riscv64' },
  armv7h: { karch: 'arm', image: 'arch/arm/boot/zImage', install: 'zImage', debarch: 'armhf' },
};

export function placeholders(
  m: HostManifest,
  p: { baselineCommit: string; patch: string; sources: SourceFile[] },
): Record<string, string> {
  const arch = ARCHES[m.arch];
  if (!arch)
    throw new KintsugiError('KERNEL_TEMPLATE_INVALID', `arch ${m.arch} has no image naming rule`, {
      hint: `Use one of ${Object.keys(ARCHES).join(', ')}, or add the arch to core/kernel/pkgbuild.ts.`,
    });
  return {
    HOST: m.host,
    PKGBASE: m.package.pkgbase,
    PKGVER: m.package.pkgver,
    PKGREL: String(m.package.pkgrel),
    SRCTAG: m.package._srctag,
    ARCH: m.arch,
    KARCH: arch.karch,
    DEBARCH: arch.debarch,
    KERNEL_IMAGE: arch.image,
    INSTALL_IMAGE: arch.install,
    BASELINE_COMMIT: p.baselineCommit,
    PATCH: p.patch,
    SOURCES: p.sources.map((s) => `'${s.name}'`).join(' '),
    B2SUMS: p.sources.map((s) => `'${s.b2sum}'`).join(' '),
  };
}

export function renderTemplate(template: string, values: Record<string, string>, name: string): string {
  for (const [k, v] of Object.entries(values))
    if (/['"`$\\\s;|&<>]/.test(v) && k !== 'SOURCES' && k !== 'B2SUMS')
      throw new KintsugiError('KERNEL_TEMPLATE_INVALID', `${k}=${JSON.stringify(v)} is not a plain token`);
  const lines = template.split('\n');
  return lines
    .map((line, i) =>
      line.replace(/@([A-Z][A-Z0-9_]*)@/g, (whole, key: string) => {
        const v = values[key];
        if (v === undefined)
          throw new KintsugiError(
            'KERNEL_TEMPLATE_INVALID',
            `${name}:${i + 1}: unknown placeholder ${whole} (known: ${Object.keys(values).join(', ')})`,
          );
        return v;
      }),
    )
    .join('\n');
}
