import type { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { ConfigError } from '../core/errors.js';
import { startDashboard } from '../dashboard/server.js';
import { parsePort } from './parse.js';

/** How long the dashboard waits for a page to come back (a reload) before it stops. */
const GRACE_MS = 5_000;

/** `rxrl dashboard DIR`: the runs of a folder in the browser. */
export function addDashboardCommand(program: Command): void {
  program
    .command('dashboard')
    .description('show the runs of a folder in the browser (curves side by side, configs), served on 127.0.0.1 only; stops when its last page closes, or on Ctrl-C')
    .argument('[dir]', 'the folder of run folders', 'runs')
    .option('--port <n>', 'port (0: a free one)', parsePort, 0)
    .option('--keep-open', 'keep serving after the last page closes (until Ctrl-C)')
    .action(async (dir: string, flags: { port: number; keepOpen?: boolean }) => {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ConfigError(`dashboard: ${dir} is not a folder of runs (e.g. runs/, where rxrl train writes)`);
      let idle: NodeJS.Timeout | undefined;
      let stop: () => void = () => {};
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      const dashboard = await startDashboard({
        port: flags.port,
        runsDir: dir,
        onPages: (open) => {
          clearTimeout(idle);
          if (open === 0 && flags.keepOpen !== true) idle = setTimeout(stop, GRACE_MS);
        },
      });
      console.error(`rxrl: dashboard of ${dir} at ${dashboard.url} (Ctrl-C to stop)`);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await stopped;
      clearTimeout(idle);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await dashboard.close();
    });
}
