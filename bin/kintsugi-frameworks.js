#!/usr/bin/env node
// `kintsugi-frameworks ...`: the guide's own command lines (`kintsugi-frameworks list --installed`,
// `install aider`, `verify --all`), run unchanged as `kintsugi frameworks ...` by the same built CLI.
process.argv.splice(2, 0, 'frameworks');
await import('../out/main/cli.js');
