// What the recipes and the installed-checks run with: the environment (PATH, NPM_CONFIG_PREFIX, PIPX_HOME,
// PIPX_BIN_DIR, APT_CONFIG...) and the npm prefix a setting names. Passed in, never read from globals deep down,
// so a test points every tool at its own temp prefix or throwaway root and the machine's own are never touched.

export type ToolEnv = Record<string, string | undefined>;

export interface FrameworkTools {
  env: ToolEnv;
  /** npm's global prefix to use instead of npm's own (the setting `npmPrefix`). */
  npmPrefix?: string;
  /** How long a binary may take to answer `--version` (default 10 s: a cold Python or Node start is slow). */
  versionTimeoutMs?: number;
}

export const processTools = (npmPrefix?: string): FrameworkTools => ({
  env: { ...process.env },
  ...(npmPrefix ? { npmPrefix } : {}),
});
