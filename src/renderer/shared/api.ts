import type { KintsugiBridge } from '../../shared/registry';

declare global {
  interface Window {
    kintsugi: KintsugiBridge;
  }
}

/** The only way the renderer reaches main: window.kintsugi.<domain>.<method>, as the preload exposes it. */
export const api = (): KintsugiBridge => window.kintsugi;
