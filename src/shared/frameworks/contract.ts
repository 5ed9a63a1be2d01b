import { z } from 'zod';
import { domain, job, method, produced } from '../ipc/define';
import type { ManifestProblem } from '../manifest-problem';
import { meteredParams } from '../network/metered';
import { absolutePath } from '../paths';
import { recipeNeedsRoot, recipeSchema, type FrameworkEntry } from './entry';
import { binaryName, debianPackage, frameworkName } from './safe-tokens';

// Layer 3, agentic frameworks: the catalog (recommended + the user's own, with what is installed), and install /
// uninstall as jobs. The page sends a name (and a yes for an entry that needs one); main looks the entry up in
// its own catalog and builds the job from it, so no recipe ever comes from the renderer. npm, pipx and VS Code
// recipes run unprivileged in the utility process; apt and .deb run in the helper, which re-checks every value.

export type { ManifestProblem } from '../manifest-problem';

/** Whether a framework is usable now: its binary answered `--version`, or VS Code lists its extension. */
export interface InstalledState {
  installed: boolean;
  /** The first line of `--version` (or the extension's version from `code --list-extensions --show-versions`). */
  version?: string;
  /** Where the binary was found. */
  path?: string;
  /** Why it is not installed (not found, did not answer in time, code missing), for the page and `verify`. */
  reason?: string;
}

export interface CatalogEntry {
  entry: FrameworkEntry;
  source: 'recommended' | 'user';
  /** A user entry of the same name as a recommended one replaces it. */
  shadowsRecommended: boolean;
  needsRoot: boolean;
  /** `evaluating` and user entries install only with an explicit yes. */
  needsYes: boolean;
  state: InstalledState;
}

export interface FrameworkCatalog {
  entries: CatalogEntry[];
  /** Files and entries that did not load; the others did. */
  problems: ManifestProblem[];
  /** The recommended manifest read (the clone's when it has one, else the copy shipped with the app). */
  recommendedFile: { path: string; from: 'clone' | 'shipped' };
  userFile: string;
}

export interface FrameworkJobResult {
  name: string;
  state: InstalledState;
}

/** A recipe the utility process runs for the user: npm (global, into a prefix), pipx, a VS Code extension. */
export const userRecipe = recipeSchema.refine(
  (r) => !recipeNeedsRoot(r),
  'apt and deb recipes run in the helper',
);
/** A recipe the helper runs as root: an apt package, or a .deb by URL and sha256. */
export const systemRecipe = recipeSchema.refine(
  recipeNeedsRoot,
  'only apt and deb recipes run in the helper',
);

const installParams = <R extends z.ZodType>(recipe: R) =>
  z.strictObject({
    name: frameworkName,
    recipe,
    binary: binaryName.optional(),
    /** npm's global prefix to install into (the setting `npmPrefix`, else npm's own). */
    npmPrefix: absolutePath.optional(),
  });

/** An install downloads: it carries the metered gate's fields (the person's yes, the setting). */
export const userInstallParams = installParams(userRecipe).extend(meteredParams);
export type UserInstallParams = z.output<typeof userInstallParams>;
export const userUninstallParams = installParams(userRecipe);
export const systemInstallParams = installParams(systemRecipe).extend(meteredParams);
export type SystemInstallParams = z.output<typeof systemInstallParams>;
export const systemUninstallParams = z.strictObject({
  name: frameworkName,
  package: debianPackage,
  /** Checked after the removal: it must no longer answer. */
  binary: binaryName.optional(),
});
export type SystemUninstallParams = z.output<typeof systemUninstallParams>;

export const frameworksContract = domain({
  methods: {
    /** Every entry (recommended + user) with its status and whether it is installed, plus the problems. */
    catalog: method(z.tuple([]), produced<FrameworkCatalog>()),
    /** Only the installed ones. */
    installed: method(z.tuple([]), produced<CatalogEntry[]>()),
    /** Starts the install job of NAME; `yes` is the explicit consent an evaluating or user entry needs. */
    install: method(
      z.tuple([
        z.strictObject({
          name: frameworkName,
          yes: z.boolean().default(false),
          /** The person's yes to downloading on a metered network (asked after a NETWORK_METERED refusal). */
          allowMetered: z.boolean().default(false),
        }),
      ]),
      produced<{ jobId: string }>(),
    ),
    uninstall: method(z.tuple([z.strictObject({ name: frameworkName })]), produced<{ jobId: string }>()),
  },
  jobs: {
    'framework-install': job({
      title: 'Install an agentic framework',
      host: 'utility',
      params: userInstallParams,
      result: produced<FrameworkJobResult>(),
    }),
    'framework-uninstall': job({
      title: 'Uninstall an agentic framework',
      host: 'utility',
      params: userUninstallParams,
      result: produced<FrameworkJobResult>(),
    }),
    'framework-install-system': job({
      title: 'Install an agentic framework (system package)',
      host: 'helper',
      params: systemInstallParams,
      result: produced<FrameworkJobResult>(),
    }),
    'framework-uninstall-system': job({
      title: 'Uninstall an agentic framework (system package)',
      host: 'helper',
      params: systemUninstallParams,
      result: produced<FrameworkJobResult>(),
    }),
  },
});
