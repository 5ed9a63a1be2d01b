import { KintsugiError } from '../../../../shared/errors';
import type { JobContext } from '../../jobs/context';
import { runTool } from '../../util/run-tool';
import { exists } from '../../util/exists';
import { APT_PATH, aptEnv } from './apt-env';

// The boot hooks after the kernel phase: rebuild the initramfs and the boot menu. Only on the running system (root
// /): for another root they would rebuild the host's /boot, so none runs and the result says why. Only the hooks
// whose tools exist run (update-grub is absent on systemd-boot machines), and only when the kernel phase changed
// something.

export const BOOT_HOOKS = [['update-initramfs', '-u'], ['update-grub']] as const;

export interface HookPlan {
  run: (readonly string[])[];
  notes: string[];
}

export function planHooks(root: string, kernelChanged: boolean, available: ReadonlySet<string>): HookPlan {
  if (root !== '/')
    return {
      run: [],
      notes: [`none ran: the root is ${root}, not the running system (/); boot hooks only run there`],
    };
  if (!kernelChanged) return { run: [], notes: ['none needed: no kernel or initramfs package changed'] };
  const run = BOOT_HOOKS.filter((h) => available.has(h[0]));
  const missing = BOOT_HOOKS.filter((h) => !available.has(h[0])).map(
    (h) => `${h[0]} is not installed: skipped`,
  );
  return { run, notes: missing };
}

async function onPath(tool: string): Promise<boolean> {
  for (const dir of APT_PATH.split(':')) if (await exists(`${dir}/${tool}`)) return true;
  return false;
}

/** Runs the planned hooks; returns one line per hook (ran, or why not). */
export async function runBootHooks(root: string, kernelChanged: boolean, ctx: JobContext): Promise<string[]> {
  const available = new Set<string>();
  for (const [tool] of BOOT_HOOKS) if (await onPath(tool)) available.add(tool);
  const plan = planHooks(root, kernelChanged, available);
  const lines = [...plan.notes];
  for (const [tool, ...args] of plan.run) {
    ctx.progress({ kind: 'os', phase: 'hooks', message: [tool, ...args].join(' ') });
    await runTool(tool!, args, { env: aptEnv(), extendEnv: false, cancelSignal: ctx.signal }).catch(
      (err: unknown) => {
        throw new KintsugiError(
          'OS_APT_FAILED',
          `${[tool, ...args].join(' ')} failed after the packages were installed`,
          {
            hint: `The packages are in place but the boot files may be stale: run \`sudo ${[tool, ...args].join(' ')}\` yourself and read what it says before rebooting.`,
            cause: err,
          },
        );
      },
    );
    lines.push(`ran ${[tool, ...args].join(' ')}`);
  }
  return lines;
}
