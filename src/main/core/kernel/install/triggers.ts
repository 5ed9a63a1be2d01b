import type { Bootloader, InitramfsTool } from '../../../../shared/kernel/model';
import { runTool } from '../../util/run-tool';

// After the package is in (or back, on a rollback): build the initramfs and refresh the boot menu with the tools
// the manifest names. Only on the running system's own root: on a test root or a chroot they would rebuild the
// machine's own boot files, so they are recorded as skipped, never run.

export interface TriggerStep {
  name: string;
  argv: [string, ...string[]];
}

export type TriggerPlan = { skipped: string } | { steps: TriggerStep[] };

/** Pure: which commands the install of `release` (package `pkgbase`) needs, in order. */
export function triggerPlan(o: {
  rootIsSlash: boolean;
  initramfs: InitramfsTool;
  bootloader: Bootloader;
  release: string;
  pkgbase: string;
}): TriggerPlan {
  if (!o.rootIsSlash) return { skipped: 'skipped: root is not /' };
  const initramfs: TriggerStep = {
    mkinitcpio: { name: 'mkinitcpio', argv: ['mkinitcpio', '-p', o.pkgbase] as [string, ...string[]] },
    'update-initramfs': { name: 'update-initramfs', argv: ['update-initramfs', '-c', '-k', o.release] },
    dracut: {
      name: 'dracut',
      argv: ['dracut', '--force', `/boot/initramfs-${o.release}.img`, o.release],
    },
  }[o.initramfs] as TriggerStep;
  const boot: TriggerStep = {
    grub: { name: 'grub', argv: ['grub-mkconfig', '-o', '/boot/grub/grub.cfg'] },
    // Debian's u-boot-menu rewrites extlinux.conf from /boot; boards with a fixed extlinux.conf need nothing.
    extlinux: { name: 'extlinux', argv: ['u-boot-update'] },
    'systemd-boot': {
      name: 'systemd-boot',
      argv: ['kernel-install', 'add', o.release, `/usr/lib/modules/${o.release}/vmlinuz`],
    },
  }[o.bootloader] as TriggerStep;
  return { steps: [initramfs, boot] };
}

/** Runs a plan: a tool that is not installed is recorded, not fatal (the trigger "that exists" runs). */
export async function runTriggers(plan: TriggerPlan): Promise<string[]> {
  if ('skipped' in plan) return [plan.skipped];
  const out: string[] = [];
  for (const s of plan.steps) {
    try {
      await runTool(s.argv[0], s.argv.slice(1));
      out.push(`${s.name}: ran ${s.argv.join(' ')}`);
    } catch (err) {
      if ((err as { code?: string }).code === 'TOOL_MISSING')
        out.push(`${s.name}: skipped: ${s.argv[0]} not found`);
      else throw err;
    }
  }
  return out;
}
