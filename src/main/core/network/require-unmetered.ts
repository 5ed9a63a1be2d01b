import { KintsugiError } from '../../../shared/errors';
import { networkState, type MeteredSetting, type NmcliRunner } from './metered';

// The gate every download passes: on a metered network it goes ahead only with the person's yes. SIZE says what
// it will cost when known (a git fetch cannot know before it runs; it says so).

export async function requireUnmeteredOrAllowed(
  opts: { setting: MeteredSetting; allowMetered: boolean; what: string; size?: string },
  nmcli?: NmcliRunner,
): Promise<void> {
  if (opts.allowMetered) return;
  const net = await networkState(opts.setting, nmcli);
  if (!net.metered) return;
  throw new KintsugiError(
    'NETWORK_METERED',
    `${opts.what} downloads ${opts.size ?? 'an amount git cannot tell before it runs (usually small for docs & scripts)'}; the network is metered (${net.source === 'setting' ? 'the metered setting is on' : 'NetworkManager says so'})`,
  );
}
