import { join } from 'node:path';
import type { WizardState } from '../../../shared/model';
import { loadJsonFile, saveJsonFile } from './json-file';
import { freshWizardState, wizardStateSchema } from './schema';

/** The reflash wizard's state on disk (userData/wizard.json): saved after every change, resumed at start. */
export class WizardStore {
  readonly path: string;
  /** Set when the last load found a damaged file and moved it here. */
  lastCorruptCopy?: string;

  constructor(dir: string, fileName = 'wizard.json') {
    this.path = join(dir, fileName);
  }

  async load(): Promise<WizardState> {
    const outcome = await loadJsonFile(this.path, wizardStateSchema, freshWizardState);
    if (outcome.corruptCopy) this.lastCorruptCopy = outcome.corruptCopy;
    return outcome.value as WizardState;
  }

  async save(state: WizardState): Promise<WizardState> {
    const parsed = wizardStateSchema.parse(state) as WizardState;
    const stamped = { ...parsed, updatedAt: new Date().toISOString() };
    await saveJsonFile(this.path, stamped);
    return stamped;
  }

  async reset(): Promise<WizardState> {
    const fresh = freshWizardState();
    await saveJsonFile(this.path, fresh);
    return fresh;
  }
}
