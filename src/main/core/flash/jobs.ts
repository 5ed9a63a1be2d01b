import type { RunnersFor } from '../jobs/runner-types';
import { flashDrive } from './flash';
import { verifyDrive } from './verify';

export const flashRunners: RunnersFor<'flash' | 'verify-drive'> = {
  flash: (params, ctx) => flashDrive(params, ctx),
  'verify-drive': (params, ctx) => verifyDrive(params, ctx),
};
