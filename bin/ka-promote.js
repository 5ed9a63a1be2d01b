#!/usr/bin/env node
// `ka-promote HOST [options]`: the kernel agent's own command line, run unchanged as `kintsugi kernel promote HOST ...` by
// the same built CLI (same options: --workspace, --out, --json...). `ka-promote version` is the app's version.
const first = process.argv[2];
if (first !== 'version' && first !== '--version' && first !== '-V')
  process.argv.splice(2, 0, 'kernel', 'promote');
await import('../out/main/cli.js');
