#!/usr/bin/env node
// `koder-os-update status|check|apply|rollback [--json] [--yes]`: the fleet tools' name for `kintsugi os ...`, run
// unchanged by the same built CLI over the same core, with the same exit codes (check: 0 up to date, 10 updates
// available, 1 failed; 2 bad arguments). `koder-os-update version` (and --version) is the app's version.
const first = process.argv[2];
if (first !== 'version' && first !== '--version' && first !== '-V') process.argv.splice(2, 0, 'os');
await import('../out/main/cli.js');
