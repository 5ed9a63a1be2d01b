#!/usr/bin/env node
// `kintsugi-models ...`: the guide's own command lines (`kintsugi-models list --sizes`, `pull qwen3.5:4b`,
// `remove SLUG --delete-weights`, `verify --all`), run unchanged as `kintsugi models ...` by the same built CLI.
// `kintsugi-models version` (and --version) is the app's version, as `kintsugi version` prints it.
const first = process.argv[2];
if (first !== 'version' && first !== '--version' && first !== '-V') process.argv.splice(2, 0, 'models');
await import('../out/main/cli.js');
