#!/usr/bin/env node
// `ka-install HOST --package FILE [--root DIR] [--backup-dir DIR] [--yes] [--json]`: the fleet scripts' own
// name for `kintsugi kernel install`, run by the same built CLI over the same core.
process.argv.splice(2, 0, 'kernel', 'install');
await import('../out/main/cli.js');
