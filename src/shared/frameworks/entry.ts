import { z } from 'zod';
import {
  binaryName,
  debianPackage,
  debUrl,
  frameworkName,
  npmSpec,
  pipxSpec,
  sha256Hex,
  vscodeExtensionId,
} from './safe-tokens';

// One framework as a manifest declares it (manifest/agentic-frameworks-recommended.yaml, the user's
// frameworks.yaml), and the recipe that installs it. Every field that reaches a command line is a safe token
// (safe-tokens.ts); the rest is text shown to the person.

export const debRecipe = z.strictObject({
  url: debUrl,
  sha256: sha256Hex,
  /** The package the .deb installs: checked against the file's own control field, and what uninstall removes. */
  package: debianPackage,
});

/** Exactly one way to install it. */
export const recipeSchema = z
  .strictObject({
    npm: npmSpec.optional(),
    pipx: pipxSpec.optional(),
    apt: debianPackage.optional(),
    deb: debRecipe.optional(),
    vscode: vscodeExtensionId.optional(),
  })
  .refine(
    (r) => Object.values(r).filter((v) => v !== undefined).length === 1,
    'a recipe names exactly one of npm, pipx, apt, deb, vscode',
  );
export type Recipe = z.output<typeof recipeSchema>;
export type RecipeKind = keyof Recipe;

export const RECIPE_KINDS = ['npm', 'pipx', 'apt', 'deb', 'vscode'] as const satisfies readonly RecipeKind[];

export function recipeKind(r: Recipe): RecipeKind {
  const kind = RECIPE_KINDS.find((k) => r[k] !== undefined);
  if (!kind) throw new Error('recipe without a kind (the schema should have refused it)');
  return kind;
}

/** apt and .deb recipes write into the system's package database: root, through the helper. */
export const recipeNeedsRoot = (r: Recipe): boolean => r.apt !== undefined || r.deb !== undefined;

export const frameworkStatus = z.enum(['recommended', 'evaluating']);
export type FrameworkStatus = z.output<typeof frameworkStatus>;

export const frameworkEntrySchema = z
  .strictObject({
    name: frameworkName,
    /** A user entry without a status is `evaluating`: it needs an explicit yes. */
    status: frameworkStatus.default('evaluating'),
    recipe: recipeSchema,
    /** The command it puts on PATH (answers `--version`); not for a vscode recipe, whose id is the check. */
    binary: binaryName.optional(),
    /** Said by the manifest for the reader; must agree with the recipe (apt and deb need root, others do not). */
    needs_root: z.boolean().optional(),
    /** What the person does after install to sign in: the app never asks for, stores or prints keys. */
    sign_in: z.string().max(1000).optional(),
    description: z.string().max(1000).optional(),
  })
  .superRefine((e, ctx) => {
    const vscode = e.recipe.vscode !== undefined;
    if (!vscode && !e.binary)
      ctx.addIssue({
        code: 'custom',
        path: ['binary'],
        message: 'the command this recipe installs is required',
      });
    if (vscode && e.binary)
      ctx.addIssue({
        code: 'custom',
        path: ['binary'],
        message: 'a vscode recipe is checked by its extension id; leave binary out',
      });
    if (e.needs_root !== undefined && e.needs_root !== recipeNeedsRoot(e.recipe))
      ctx.addIssue({
        code: 'custom',
        path: ['needs_root'],
        message: `${recipeKind(e.recipe)} recipes ${recipeNeedsRoot(e.recipe) ? 'need' : 'do not need'} root`,
      });
  });
export type FrameworkEntry = z.output<typeof frameworkEntrySchema>;
