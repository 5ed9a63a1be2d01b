#!/usr/bin/env node
// The `kintsugi` command: a launcher for the built CLI bundle (npm run build writes out/main/cli.js).
import '../out/main/cli.js';
