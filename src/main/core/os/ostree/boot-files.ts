// What a deployment of a commit puts in /boot: its kernel, initramfs and devicetree, found where libostree looks
// for them (src/libostree/ostree-sysroot-deploy.c get_kernel_from_tree: /usr/lib/modules/<kver>/ first, then
// /usr/lib/ostree-boot, then /boot). Parsed from `ostree ls -R -C COMMIT PATH`, whose lines are
// `<type><mode> <uid> <gid> <size> <checksum> [<meta checksum>] <path>` ('-' file, 'd' folder, 'l' symlink).

export interface BootFile {
  path: string;
  size: number;
  checksum: string;
}

const LINE = /^([-dl])[0-7]{5} \d+ \d+\s+(\d+) ([0-9a-f]{64})(?: [0-9a-f]{64})? (\/\S.*?)(?: -> .*)?$/;

/** Regular files of the listing. */
export function parseOstreeLs(text: string): BootFile[] {
  const out: BootFile[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trim());
    if (m && m[1] === '-') out.push({ size: Number(m[2]), checksum: m[3]!, path: m[4]! });
  }
  return out;
}

const KERNEL = /^(vmlinuz|initramfs|initrd)/;

/**
 * The files of the first layout that has a kernel: under /usr/lib/modules/<kver>/ the files vmlinuz,
 * initramfs.img and the dtb/ folder; under /usr/lib/ostree-boot and /boot the vmlinuz-*, initramfs-* files and
 * dtb/. A commit without a kernel gives [] (ostree refuses to deploy it anyway).
 */
export function bootFilesOf(files: readonly BootFile[]): BootFile[] {
  const modules = files.filter((f) =>
    /^\/usr\/lib\/modules\/[^/]+\/(vmlinuz|initramfs\.img|dtb\/)/.test(f.path),
  );
  if (modules.some((f) => /\/vmlinuz$/.test(f.path))) return modules;
  for (const dir of ['/usr/lib/ostree-boot/', '/boot/']) {
    const here = files.filter(
      (f) =>
        f.path.startsWith(dir) &&
        (KERNEL.test(f.path.slice(dir.length)) || f.path.slice(dir.length).startsWith('dtb/')),
    );
    if (here.some((f) => f.path.slice(dir.length).startsWith('vmlinuz'))) return here;
  }
  return [];
}

/**
 * Bytes the new deployment adds to /boot. libostree names a deployment's boot folder after a checksum of its
 * kernel, initramfs and devicetree contents and reuses a folder already there, so a commit whose boot files have the
 * same contents as an existing deployment's needs nothing new. Otherwise: their sizes, plus a margin for the
 * bootloader entries and the filesystem's rounding (a deliberately generous estimate: a refusal is cheap, a /boot
 * filled half-way through a deploy is not).
 */
export function bootBytesNeeded(
  next: readonly BootFile[],
  existing: readonly (readonly BootFile[])[],
): number {
  const key = (fs: readonly BootFile[]) =>
    fs
      .map((f) => f.checksum)
      .sort()
      .join(',');
  if (next.length === 0 || existing.some((e) => e.length > 0 && key(e) === key(next))) return 0;
  const MARGIN = 1024 * 1024;
  return next.reduce((n, f) => n + f.size, 0) + MARGIN;
}
