import type { KintsugiBridge } from '../shared/contract';

declare global {
  interface Window {
    kintsugi: KintsugiBridge;
  }
}

/** The only way the renderer reaches main: the named functions the preload exposes. */
export const api = (): KintsugiBridge => window.kintsugi;
