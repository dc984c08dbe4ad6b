import { availableParallelism } from 'node:os';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { ALGORITHMS } from '../agents/algorithms.js';
import { writePlotsAndReport, writeReport } from '../bench/report.js';
import type { ThresholdOption } from '../bench/results.js';
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
    .requiredOption('--out <dir>', 'sweep folder, e.g. bench-results/NAME')
    .option('--workers <n>', 'runs at the same time (default: available parallelism)', parsePositiveInt)
    .option('--eval-every <n>', 'deterministic evaluation every n steps (default: steps / 10)', parsePositiveInt)
    .option('--eval-episodes <n>', 'episodes per evaluation', parsePositiveInt, 10)
    .option('--threshold <x>', "steps-to-threshold target: X for every env, or ENV=X[,ENV=X] per env (default: each env's reward threshold)", parseThreshold)
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
        if (result.records !== undefined && result.summary !== undefined) {
          if (flags.quiet !== true) console.error('rxrl bench: drawing plots');
          try {
            await writePlotsAndReport(flags.out, result.records, result.summary);
          } catch (err) {
            // The runs and the tables are safe on disk by now: say how to redraw rather than lose them in a stack trace.
            console.error(`rxrl bench: drawing the plots failed (${(err as Error).message}); report.md has the tables only. Retry with: rxrl bench-report ${flags.out}`);
            process.exitCode = 1;
          }
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
