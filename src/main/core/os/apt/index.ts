import type { OsBackendFactory } from '../backend';

// Placeholder until the apt backend lands (issue 9): the factory's name and signature are the contract.
export const createAptBackend: OsBackendFactory = () => {
  throw new Error('the apt backend is not built yet');
};
