import { join } from 'node:path';
import { uiStateSchema, type UiState } from '../../../shared/app/routes';
import { loadJsonFile, saveJsonFile } from '../util/json-file';

/** The page the user was on (userData/ui.json), so it survives a restart. */
export class UiStore {
  readonly path: string;

  constructor(dir: string) {
    this.path = join(dir, 'ui.json');
  }

  async load(): Promise<UiState> {
    return (await loadJsonFile(this.path, uiStateSchema, () => uiStateSchema.parse({}))).value;
  }

  async save(state: UiState): Promise<UiState> {
    const next = uiStateSchema.parse(state);
    await saveJsonFile(this.path, next);
    return next;
  }
}
