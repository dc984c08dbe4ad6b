import type { Command } from 'commander';
import { preloadModules } from '../core/user-module.js';
import { parseQueueUrl } from '../distributed/queue-url.js';
import { openResultsStore } from '../distributed/results-store.js';
import { startWorker, type WorkerEvent } from '../distributed/worker.js';
import { collectValues, parsePositiveInt, PRELOAD_HELP } from './parse.js';

interface WorkerFlags {
  queue: string;
  store: string;
  concurrency: number;
  heartbeatSeconds: number;
  preload?: string[];
  quiet?: boolean;
}

function describe(e: WorkerEvent): string {
  switch (e.type) {
    case 'ready':
      return 'waiting for runs';
    case 'start':
      return `start ${e.job}${e.resumeFrom !== null ? ` (continuing from its checkpoint at step ${e.resumeFrom})` : ''}`;
    case 'done':
      return `done ${e.job}: final eval ${e.finalEval?.toFixed(1) ?? '–'} in ${e.wallSeconds.toFixed(1)} s`;
    case 'failed':
      return `FAILED ${e.job} (attempt ${e.attempt} of ${e.attempts}): ${e.error}`;
    case 'connection-error':
      return `queue connection: ${e.error}; retrying`;
    case 'store-error':
      return `saving ${e.job} after a checkpoint failed: ${e.error}; the run goes on and the next save tries again`;
  }
}

/** `rxrl worker`: trains the runs `rxrl bench --queue` enqueued, until stopped. */
export function addWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('train runs that `rxrl bench --queue` enqueued, on this machine, until stopped (Ctrl-C / SIGTERM: its runs go back to the queue and continue elsewhere from their checkpoints)')
    .requiredOption('--queue <url>', 'the Redis holding the queue: redis://[USER[:PASSWORD]@]HOST[:PORT][/DB], rediss:// for TLS (password also from RXRL_QUEUE_PASSWORD)')
    .requiredOption('--store <dir|url>', 'results store: a folder every worker and the collecting machine mount (runs are trained in it), or s3://BUCKET[/PREFIX][?endpoint=URL] (runs train in a local copy that every checkpoint uploads)')
    .option('--concurrency <n>', 'runs trained at the same time, each in its own process', parsePositiveInt, 1)
    .option('--heartbeat-seconds <n>', 'lock renewal period: a dead worker\'s runs move to others after about twice this', parsePositiveInt, 30)
    .option('--preload <file>', `${PRELOAD_HELP}; every run imports it as well`, collectValues)
    .option('--quiet', 'only errors')
    .action(async (flags: WorkerFlags) => {
      const location = parseQueueUrl(flags.queue);
      const store = await openResultsStore(flags.store);
      // The worker checks each job's env against its registry, so it loads the modules too (each run's process does again).
      await preloadModules(flags.preload ?? []);
      const say = (e: WorkerEvent) => {
        if (flags.quiet !== true || e.type === 'failed' || e.type === 'connection-error' || e.type === 'store-error') console.error(`rxrl worker: ${describe(e)}`);
      };
      if (flags.quiet !== true) console.error(`rxrl worker: queue ${location.display}, ${store.description}, ${flags.concurrency} run(s) at a time`);
      const worker = await startWorker({ queue: location, store, concurrency: flags.concurrency, heartbeatSeconds: flags.heartbeatSeconds, preload: flags.preload ?? [], onEvent: say });
      await new Promise<void>((resolve) => {
        const stop = () => {
          if (flags.quiet !== true) console.error('rxrl worker: stopping; runs in flight go back to the queue');
          void worker.close(true).then(resolve, resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
