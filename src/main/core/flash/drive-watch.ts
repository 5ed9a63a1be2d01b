import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { KintsugiError } from '../../../shared/errors';

// A pulled USB stick does not always fail the write in flight: the node may vanish while a write waits in the
// kernel, or I/O may simply stall. So every device I/O runs against a watchdog (a single I/O taking longer than
// `ioTimeoutMs` means the drive is gone), and a poller checks the device itself once a second: node removed or
// replaced, sysfs entry gone, or — for loop devices — a detach requested (`losetup -d` on an open loop device only
// sets autoclear; the device keeps accepting writes until closed, which would otherwise hide the removal).

export interface DriveWatch {
  /** Races an I/O promise against the watchdog and the poller. */
  guard<T>(what: string, io: Promise<T>): Promise<T>;
  /** Throws DRIVE_GONE if the poller already saw the drive go. */
  check(): void;
  /** Looks at the drive right now (not waiting for the next poll); throws DRIVE_GONE if it went. */
  confirm(): Promise<void>;
  stop(): void;
}

export interface DriveWatchOptions {
  ioTimeoutMs?: number;
  pollMs?: number;
}

interface Fingerprint {
  rdev: number;
  autoclear?: string;
}

async function fingerprint(device: string): Promise<Fingerprint> {
  const st = await stat(device);
  if (!st.isBlockDevice())
    throw Object.assign(new Error(`${device} is no longer a block device`), { code: 'ENODEV' });
  const name = basename(device);
  await stat(`/sys/class/block/${name}`);
  let autoclear: string | undefined;
  if (/^loop\d+$/.test(name)) {
    // A detached loop device has no loop/ directory at all; an open one being detached gets autoclear=1.
    autoclear = (await readFile(`/sys/class/block/${name}/loop/autoclear`, 'utf8')).trim();
  }
  return { rdev: st.rdev, autoclear };
}

export async function watchDrive(device: string, opts: DriveWatchOptions = {}): Promise<DriveWatch> {
  const ioTimeoutMs = opts.ioTimeoutMs ?? 15_000;
  const pollMs = opts.pollMs ?? 1000;
  const initial = await fingerprint(device);
  let goneError: KintsugiError | undefined;
  const listeners = new Set<(e: KintsugiError) => void>();
  const markGone = (detail: string) => {
    if (goneError) return;
    goneError = new KintsugiError('DRIVE_GONE', detail);
    for (const l of listeners) l(goneError);
  };
  const probe = () =>
    fingerprint(device)
      .then((now) => {
        if (now.rdev !== initial.rdev) markGone(`${device} now names a different device`);
        else if (initial.autoclear === '0' && now.autoclear === '1')
          markGone(`${device} was detached while being written`);
      })
      .catch((err: unknown) =>
        markGone(`${device} disappeared (${(err as NodeJS.ErrnoException).code ?? String(err)})`),
      );
  let polling = false;
  const timer = setInterval(() => {
    if (polling || goneError) return;
    polling = true;
    void probe().finally(() => {
      polling = false;
    });
  }, pollMs);
  timer.unref();

  return {
    guard<T>(what: string, io: Promise<T>): Promise<T> {
      if (goneError) {
        io.catch(() => {});
        return Promise.reject(goneError);
      }
      return new Promise<T>((resolve, reject) => {
        const onGone = (e: KintsugiError) => finish(() => reject(e));
        const timeout = setTimeout(
          () =>
            finish(() =>
              reject(
                new KintsugiError(
                  'DRIVE_GONE',
                  `${device} did not complete ${what} within ${Math.round(ioTimeoutMs / 1000)} s`,
                ),
              ),
            ),
          ioTimeoutMs,
        );
        let settled = false;
        function finish(f: () => void) {
          if (settled) return;
          settled = true;
          clearTimeout(timeout);
          listeners.delete(onGone);
          f();
        }
        listeners.add(onGone);
        io.then(
          (v) => finish(() => resolve(v)),
          (e: unknown) => finish(() => reject(e)),
        );
      });
    },
    check() {
      if (goneError) throw goneError;
    },
    async confirm() {
      if (!goneError) await probe();
      if (goneError) throw goneError;
    },
    stop() {
      clearInterval(timer);
      listeners.clear();
    },
  };
}
