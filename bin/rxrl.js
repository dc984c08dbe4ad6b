#!/usr/bin/env node
// Runs the compiled CLI in dist/, which `npm ci` / `npm install` build through the `prepare` script.
let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (err) {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist')) {
    console.error('rxrl: the compiled CLI is missing (dist/). Run `npm run build` in the rxrl package first.');
    process.exit(1);
  }
  throw err;
}
await cli.main();
