import type { RunnersFor } from '../jobs/runner-types';
import { checkImage } from './check';

export const imageRunners: RunnersFor<'image-check'> = {
  'image-check': (params, ctx, env) => checkImage(params, ctx, { cacheDir: env.cacheDir }),
};
