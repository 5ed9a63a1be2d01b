import { execa } from 'execa';
import type { MeteredSetting } from '../../../shared/network/metered';
import type { NetworkState } from '../../../shared/repo/model';

// Whether the network costs money per byte, for every layer that downloads (repo fetch and clone now; models and
// frameworks later). The setting wins; 'auto' asks NetworkManager when nmcli exists, and an answer we cannot get
// (no nmcli, no NetworkManager running) reads as not metered, said as source 'unknown'.

export type { MeteredSetting };

export type NmcliRunner = () => Promise<string | null>;

/** `nmcli -t -f GENERAL.STATE,GENERAL.METERED device show`, in the C locale; null when nmcli cannot answer. */
export const runNmcli: NmcliRunner = async () => {
  const r = await execa('nmcli', ['-t', '-f', 'GENERAL.STATE,GENERAL.METERED', 'device', 'show'], {
    env: { LC_ALL: 'C', LANG: 'C' },
    reject: false,
    stdin: 'ignore',
    timeout: 5000,
  });
  return r.exitCode === 0 ? String(r.stdout) : null;
};

export async function networkState(
  setting: MeteredSetting,
  nmcli: NmcliRunner = runNmcli,
): Promise<NetworkState> {
  if (setting !== 'auto') return { metered: setting === 'yes', source: 'setting' };
  const out = await nmcli().catch(() => null);
  const metered = out === null ? null : meteredFromNmcli(out);
  return metered === null ? { metered: false, source: 'unknown' } : { metered, source: 'networkmanager' };
}

/**
 * Reads nmcli's terse multi-line output: per device a `GENERAL.STATE:100 (connected)` line and a
 * `GENERAL.METERED:yes (guessed)` line, devices separated by a blank line. Metered when any connected device is
 * metered ("yes" or "yes (guessed)": NetworkManager guesses from a phone's tethering hint, which is what we want
 * to respect). null when no device is connected (nothing to judge).
 */
export function meteredFromNmcli(out: string): boolean | null {
  let connected = false;
  let anyMetered = false;
  for (const block of out.split(/\n\s*\n/)) {
    const state = /^GENERAL\.STATE:(\d+)/m.exec(block);
    const meter = /^GENERAL\.METERED:(\S+)/m.exec(block);
    // 100 is NM_DEVICE_STATE_ACTIVATED; anything else carries no traffic.
    if (!state || Number(state[1]) !== 100) continue;
    connected = true;
    if (meter?.[1] === 'yes') anyMetered = true;
  }
  return connected ? anyMetered : null;
}
