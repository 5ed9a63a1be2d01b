import type { JobContext } from '../../jobs/context';
import type { FrameworkTools } from '../tools';

// What each recipe kind (npm, pipx, apt, deb, vscode) provides to install.ts and uninstall.ts.
export interface RecipeRunner {
  /** e.g. `npm @anthropic-ai/claude-code`, for messages. */
  label: string;
  install(ctx: JobContext, tools: FrameworkTools): Promise<void>;
  /** `rollback`: undoing a failed install, so a package that never got installed is nothing to remove. */
  uninstall(ctx: JobContext, tools: FrameworkTools, opts?: { rollback?: boolean }): Promise<void>;
  /** Folders the recipe puts binaries in that may not be on PATH (npm's prefix/bin, pipx's bin dir). */
  binDirs(tools: FrameworkTools): Promise<string[]>;
}
