import type { OsBackendFactory } from '../backend';

// Placeholder until the ostree backend lands (issue 9): the factory's name and signature are the contract.
export const createOstreeBackend: OsBackendFactory = () => {
  throw new Error('the ostree backend is not built yet');
};
