import { recipeKind, type Recipe } from '../../../../shared/frameworks/entry';
import { aptRecipe } from './apt';
import { debRecipe } from './deb';
import { npmRecipe } from './npm';
import { pipxRecipe } from './pipx';
import type { RecipeRunner } from './recipe-runner';
import { vscodeRecipe } from './vscode';

/** The runner for a recipe (already validated by its schema: every value is a safe token). */
export function recipeRunner(recipe: Recipe): RecipeRunner {
  switch (recipeKind(recipe)) {
    case 'npm':
      return npmRecipe(recipe.npm!);
    case 'pipx':
      return pipxRecipe(recipe.pipx!);
    case 'apt':
      return aptRecipe(recipe.apt!);
    case 'deb':
      return debRecipe(recipe.deb!);
    case 'vscode':
      return vscodeRecipe(recipe.vscode!);
  }
}
