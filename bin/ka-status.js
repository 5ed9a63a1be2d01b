#!/usr/bin/env node
// `ka-status HOST [--root DIR] [--json]`: `kintsugi kernel status` under the fleet scripts' own name (exit 1 when
// the heartbeat is overdue, for cron and monitoring).
process.argv.splice(2, 0, 'kernel', 'status');
await import('../out/main/cli.js');
