import { availableParallelism } from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { ALGORITHMS } from '../agents/algorithms.js';
import { runSweep, type SweepEvent } from '../bench/run-sweep.js';
import type { SweepDefinition } from '../bench/sweep.js';
import { ConfigError } from '../core/errors.js';
import { parsePositiveInt } from './parse.js';

interface BenchFlags {
  algos: string;
  envs: string;
  seeds: number;
  steps: number;
  out: string;
  workers?: number;
  evalEvery?: number;
  evalEpisodes: number;
  threshold?: number;
  quiet?: boolean;
}

const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number, got "${value}"`);
  return n;
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

/** `rxrl bench`: a sweep of algorithms × envs × seeds, one child process per run. */
export function addBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('run algos × envs × seeds, each in its own process, into OUT/runs/; then write OUT/{runs.csv,summary.json,report.md}. Resumable: rerun to continue')
    .requiredOption('--algos <list>', `comma-separated algorithms (${ALGORITHMS.join(', ')})`)
    .requiredOption('--envs <list>', 'comma-separated env ids, e.g. CartPole-v1,Pendulum-v1')
    .requiredOption('--seeds <n>', 'number of seeds per (algo, env): seeds 0 … n−1', parsePositiveInt)
    .requiredOption('--steps <n>', 'environment steps per run', parsePositiveInt)
    .requiredOption('--out <dir>', 'sweep folder, e.g. bench-results/NAME')
    .option('--workers <n>', 'runs at the same time (default: available parallelism)', parsePositiveInt)
    .option('--eval-every <n>', 'deterministic evaluation every n steps (default: steps / 10)', parsePositiveInt)
    .option('--eval-episodes <n>', 'episodes per evaluation', parsePositiveInt, 10)
    .option('--threshold <x>', "steps-to-threshold target for every env (default: each env's reward threshold)", parseNumber)
    .option('--quiet', 'no progress output')
    .action(async (flags: BenchFlags) => {
      if (flags.workers === 0) throw new ConfigError('bench: expected --workers to be at least 1, got 0');
      const definition: SweepDefinition = {
        algos: list(flags.algos),
        envs: list(flags.envs),
        seeds: flags.seeds,
        steps: flags.steps,
        evalEvery: flags.evalEvery ?? Math.max(1, Math.floor(flags.steps / 10)),
        evalEpisodes: flags.evalEpisodes,
      };
      const printer = flags.quiet === true ? undefined : progressPrinter();
      const controller = new AbortController();
      const interrupt = () => controller.abort();
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      try {
        const result = await runSweep({
          out: flags.out,
          definition,
          workers: flags.workers ?? availableParallelism(),
          ...(flags.threshold !== undefined ? { threshold: flags.threshold } : {}),
          signal: controller.signal,
          ...(printer !== undefined ? { onEvent: printer.onEvent } : {}),
        });
        if (result.interrupted) {
          console.error(`rxrl bench: interrupted; finished runs are kept, rerun the same command to continue`);
          process.exitCode = 130;
          return;
        }
        if (flags.quiet !== true) console.error(`rxrl bench: ${result.ran} run(s) trained, ${result.skipped} already finished; results in ${path.join(flags.out, 'report.md')}`);
        if (result.failed > 0) {
          console.error(`rxrl bench: ${result.failed} run(s) failed (see ${path.join(flags.out, 'runs.csv')}); rerun the same command to retry them`);
          process.exitCode = 1;
        }
      } finally {
        process.off('SIGINT', interrupt);
        process.off('SIGTERM', interrupt);
        printer?.stop();
      }
    });
}
