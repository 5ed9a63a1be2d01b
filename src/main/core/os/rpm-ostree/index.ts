import type { OsBackendFactory } from '../backend';

// Placeholder until the rpm-ostree backend lands (issue 9): the factory's name and signature are the contract.
export const createRpmOstreeBackend: OsBackendFactory = () => {
  throw new Error('the rpm-ostree backend is not built yet');
};
