/** `rxrl` from the TypeScript sources, for tests that need the CLI in a process of its own: `node --import tsx test/helpers/rxrl-cli.ts ARGS`. */
import { main } from '../../src/cli/main.js';

await main();
