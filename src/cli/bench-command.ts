import { availableParallelism } from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { ALGORITHMS } from '../agents/algorithms.js';
import { writePlotsAndReport, writeReport } from '../bench/report.js';
import { writeResults, type ThresholdOption } from '../bench/results.js';
import { runSweep, type SweepEvent } from '../bench/run-sweep.js';
import type { SweepDefinition } from '../bench/sweep.js';
import { ConfigError } from '../core/errors.js';
import { parseQueueUrl } from '../distributed/queue-url.js';
import { openResultsStore } from '../distributed/results-store.js';
import { collectSweep, enqueueSweep, openRunQueue, sweepStatus, type SweepStatus } from '../distributed/sweep-queue.js';
import { preloadModules } from '../core/user-module.js';
import { collectValues, parseNumber, parsePositiveInt, PRELOAD_HELP } from './parse.js';

interface BenchFlags {
  preload?: string[];
  algos: string;
  envs: string;
  seeds: number;
  steps: number;
  out?: string;
  workers?: number;
  queue?: string;
  store?: string;
  collect?: boolean;
  status?: boolean;
  wait: boolean;
  checkpointEvery?: number;
  attempts: number;
  evalEvery?: number;
  evalEpisodes: number;
  threshold?: ThresholdOption;
  quiet?: boolean;
}

const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** `--threshold`: one number for every env, or `ENV=X[,ENV=X…]` per env. */
function parseThreshold(value: string): ThresholdOption {
  if (!value.includes('=')) return parseNumber(value);
  const perEnv: Record<string, number> = {};
  for (const part of value.split(',')) {
    const [env, x] = part.split('=');
    if (env === undefined || env.trim() === '' || x === undefined) throw new InvalidArgumentError(`expected ENV=NUMBER, got "${part}"`);
    perEnv[env.trim()] = parseNumber(x);
  }
  return perEnv;
}

/** Progress lines on stderr: each run's start and end, and every 5 s the runs in flight. */
function progressPrinter(): { onEvent: (e: SweepEvent) => void; stop: () => void } {
  let total = 0;
  let done = 0;
  const current = new Map<string, number>();
  const status = () => `[${done}/${total}]`;
  const timer = setInterval(() => {
    if (current.size > 0) console.error(`rxrl bench: ${status()} running ${[...current].map(([name, step]) => `${name} @${step}`).join(', ')}`);
  }, 5_000);
  timer.unref();
  return {
    onEvent(e) {
      switch (e.type) {
        case 'plan':
          total = e.total;
          done = e.finished;
          console.error(`rxrl bench: ${e.total} runs, ${e.finished} already finished, ${e.pending} to run`);
          break;
        case 'start':
          current.set(e.run.name, 0);
          console.error(`rxrl bench: ${status()} start ${e.run.name}`);
          break;
        case 'progress':
          current.set(e.run.name, e.step);
          break;
        case 'done':
          current.delete(e.run.name);
          done++;
          console.error(`rxrl bench: ${status()} done ${e.run.name}: final eval ${e.finalEval?.toFixed(1) ?? '–'} in ${e.wallSeconds.toFixed(1)} s`);
          break;
        case 'failed':
          current.delete(e.run.name);
          done++;
          console.error(`rxrl bench: ${status()} FAILED ${e.run.name}: ${e.error}`);
          break;
      }
    },
    stop: () => clearInterval(timer),
  };
}

/** `rxrl bench`: a sweep of algorithms × envs × seeds, one child process per run; and `rxrl bench-report` beside it. */
export function addBenchCommand(program: Command): void {
  addSweepCommand(program);
  addBenchReportCommand(program);
}

function addSweepCommand(program: Command): void {
  program
    .command('bench')
    .description('run algos × envs × seeds, each in its own process, into OUT/runs/; then write OUT/{runs.csv,summary.json,report.md} and OUT/plots/. Resumable: rerun to continue')
    .requiredOption('--algos <list>', `comma-separated algorithms (${ALGORITHMS.join(', ')})`)
    .requiredOption('--envs <list>', 'comma-separated env ids, e.g. CartPole-v1,Pendulum-v1')
    .requiredOption('--seeds <n>', 'number of seeds per (algo, env): seeds 0 … n−1', parsePositiveInt)
    .requiredOption('--steps <n>', 'environment steps per run', parsePositiveInt)
    .option('--out <dir>', 'sweep folder, e.g. bench-results/NAME (required but to enqueue or ask the status)')
    .option('--workers <n>', 'runs at the same time (default: available parallelism)', parsePositiveInt)
    .option('--queue <url>', 'spread the runs over machines: enqueue them on this Redis (redis://[USER[:PASSWORD]@]HOST[:PORT][/DB], rediss:// for TLS; password also from RXRL_QUEUE_PASSWORD) for `rxrl worker`s instead of training here')
    .option('--store <dir|url>', 'with --queue --collect: the results store the workers write to (a folder they all mount, or an s3:// URL)')
    .option('--collect', 'with --queue: wait for the queued runs, gather them from --store into --out and write the report')
    .option('--no-wait', 'with --collect: gather what is finished now instead of waiting for every run')
    .option('--status', 'with --queue: how many of the sweep\'s runs are queued, active, done and failed')
    .option('--checkpoint-every <n>', 'with --queue: steps between the runs\' checkpoints, from which a run taken over by another worker continues (default: steps / 10)', parsePositiveInt)
    .option('--attempts <n>', 'with --queue: attempts per run before it counts as failed', parsePositiveInt, 3)
    .option('--eval-every <n>', 'deterministic evaluation every n steps (default: steps / 10)', parsePositiveInt)
    .option('--eval-episodes <n>', 'episodes per evaluation', parsePositiveInt, 10)
    .option('--threshold <x>', "steps-to-threshold target: X for every env, or ENV=X[,ENV=X] per env (default: each env's reward threshold)", parseThreshold)
    .option('--preload <file>', `${PRELOAD_HELP}; each run imports it too (with --queue the workers need their own --preload)`, collectValues)
    .option('--quiet', 'no progress output')
    .action(async (flags: BenchFlags) => {
      await preloadModules(flags.preload ?? []);
      if (flags.workers === 0) throw new ConfigError('bench: expected --workers to be at least 1, got 0');
      const queueFlags = (['store', 'collect', 'status', 'checkpointEvery'] as const).filter((k) => flags[k] !== undefined);
      if (flags.queue === undefined && queueFlags.length > 0) throw new ConfigError(`bench: --${queueFlags.map((k) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)).join(', --')} only apply with --queue`);
      const definition: SweepDefinition = {
        algos: list(flags.algos),
        envs: list(flags.envs),
        seeds: flags.seeds,
        steps: flags.steps,
        evalEvery: flags.evalEvery ?? Math.max(1, Math.floor(flags.steps / 10)),
        evalEpisodes: flags.evalEpisodes,
      };
      if (flags.queue !== undefined) {
        await queuedSweep(flags as BenchFlags & { queue: string }, definition);
        return;
      }
      if (flags.out === undefined) throw new ConfigError('bench: expected --out DIR, the sweep folder');
      const out = flags.out;
      const printer = flags.quiet === true ? undefined : progressPrinter();
      const controller = new AbortController();
      const interrupt = () => controller.abort();
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      try {
        const result = await runSweep({
          out: out,
          definition,
          workers: flags.workers ?? availableParallelism(),
          preload: flags.preload ?? [],
          ...(flags.threshold !== undefined ? { threshold: flags.threshold } : {}),
          signal: controller.signal,
          ...(printer !== undefined ? { onEvent: printer.onEvent } : {}),
        });
        if (result.interrupted) {
          console.error(`rxrl bench: interrupted; finished runs are kept, rerun the same command to continue`);
          process.exitCode = 130;
          return;
        }
        if (result.records !== undefined && result.summary !== undefined) {
          if (flags.quiet !== true) console.error('rxrl bench: drawing plots');
          try {
            await writePlotsAndReport(out, result.records, result.summary);
          } catch (err) {
            // The runs and the tables are safe on disk by now: say how to redraw rather than lose them in a stack trace.
            console.error(`rxrl bench: drawing the plots failed (${(err as Error).message}); report.md has the tables only. Retry with: rxrl bench-report ${out}`);
            process.exitCode = 1;
          }
        }
        if (flags.quiet !== true) console.error(`rxrl bench: ${result.ran} run(s) trained, ${result.skipped} already finished; results in ${path.join(out, 'report.md')}`);
        if (result.failed > 0) {
          console.error(`rxrl bench: ${result.failed} run(s) failed (see ${path.join(out, 'runs.csv')}); rerun the same command to retry them`);
          process.exitCode = 1;
        }
      } finally {
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
        printer?.stop();
      }
    });
}

/** `rxrl bench --queue`: enqueue the sweep, report its status, or collect it. */
async function queuedSweep(flags: BenchFlags & { queue: string }, definition: SweepDefinition): Promise<void> {
  const location = parseQueueUrl(flags.queue);
  if (flags.collect === true && flags.status === true) throw new ConfigError('bench: --collect and --status are separate steps; give one of them');
  if (flags.collect === true && (flags.out === undefined || flags.store === undefined)) throw new ConfigError('bench --collect: expected --out DIR (the sweep folder to write) and --store DIR (where the workers keep the runs)');
  const queue = openRunQueue(location);
  const say = (text: string) => {
    if (flags.quiet !== true) console.error(`rxrl bench: ${text}`);
  };
  const describe = (s: SweepStatus) => `sweep ${s.sweep}: ${s.total} runs — ${s.queued} queued, ${s.active} active, ${s.done} done, ${s.failed} failed${s.missing > 0 ? `, ${s.missing} not enqueued` : ''}`;
  try {
    if (flags.status === true) {
      console.log(describe(await sweepStatus(queue, definition)));
      return;
    }
    if (flags.collect === true) {
      const out = flags.out as string;
      const store = await openResultsStore(flags.store as string);
      const controller = new AbortController();
      const interrupt = () => controller.abort();
      process.once('SIGINT', interrupt);
      let last = '';
      try {
        const status = await collectSweep(queue, store, definition, out, {
          wait: flags.wait,
          signal: controller.signal,
          onStatus: (s) => {
            const line = describe(s);
            if (line !== last) say(line);
            last = line;
          },
        });
        if (controller.signal.aborted) {
          say('interrupted; the runs go on in the workers — collect again later');
          process.exitCode = 130;
          return;
        }
        const { records, summary } = writeResults(out, definition, flags.threshold);
        await writePlotsAndReport(out, records, summary);
        say(`gathered ${status.done} finished and ${status.failed} failed run(s) from ${store.description}; report in ${path.join(out, 'report.md')}`);
        if (status.failed > 0 || status.queued + status.active + status.missing > 0) process.exitCode = 1;
      } finally {
        process.off('SIGINT', interrupt);
      }
      return;
    }
    const { sweep, added, existing } = await enqueueSweep(queue, definition, { attempts: flags.attempts, ...(flags.checkpointEvery !== undefined ? { checkpointEvery: flags.checkpointEvery } : {}) });
    say(`sweep ${sweep}: ${added} run(s) enqueued on ${location.display}${existing > 0 ? `, ${existing} already there` : ''}. Start workers with \`rxrl worker --queue URL --store DIR|s3://BUCKET/PREFIX\`; gather with the same command plus --collect --store (the same) --out DIR`);
  } finally {
    await queue.close();
  }
}

/** `rxrl bench-report DIR`: recomputes a sweep folder's results, plots and report without training. */
export function addBenchReportCommand(program: Command): void {
  program
    .command('bench-report')
    .description('redraw a sweep folder written by `rxrl bench`: recompute runs.csv, summary.json, plots/ and report.md from its runs, training nothing')
    .argument('<dir>', 'the sweep folder (the --out of rxrl bench)')
    .option('--threshold <x>', "steps-to-threshold target: X for every env, or ENV=X[,ENV=X] per env (default: the one its summary.json used, else each env's reward threshold)", parseThreshold)
    .option('--quiet', 'no output')
    .action(async (dir: string, flags: { threshold?: ThresholdOption; quiet?: boolean }) => {
      const { summary, plots } = await writeReport(dir, flags.threshold !== undefined ? { threshold: flags.threshold } : {});
      if (flags.quiet === true) return;
      const r = summary.runs;
      console.error(`rxrl bench-report: ${r.ok} finished, ${r.failed} failed, ${r.missing} not run, of ${r.total} runs; ${plots.length} plot(s) in ${path.join(dir, 'plots')}; report in ${path.join(dir, 'report.md')}`);
    });
}
