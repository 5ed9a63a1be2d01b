import { reflashStateSchema, freshReflashState, type ReflashState } from '../../../shared/reflash/state';
import { loadJsonFile, saveJsonFile } from '../util/json-file';

/** The reflash flow's state on disk, written atomically after every change, validated on load. */
export class ReflashStore {
  /** Set when the last load found a damaged file and moved it aside. */
  lastCorruptCopy?: string;

  constructor(readonly path: string) {}

  async load(): Promise<ReflashState> {
    const outcome = await loadJsonFile(this.path, reflashStateSchema, freshReflashState);
    if (outcome.corruptCopy) this.lastCorruptCopy = outcome.corruptCopy;
    return outcome.value;
  }

  async save(state: ReflashState): Promise<ReflashState> {
    const stamped = reflashStateSchema.parse({ ...state, updatedAt: new Date().toISOString() });
    await saveJsonFile(this.path, stamped);
    return stamped;
  }
}
