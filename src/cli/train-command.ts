import { readFileSync } from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { InvalidArgumentError, type Command } from 'commander';
import { ConfigError } from '../core/errors.js';
import type { TrainEvent } from '../loop/events.js';
import { registration } from '../envs/registry.js';
import { stopOnNoImprovement, stopOnRewardThreshold } from '../loop/early-stopping.js';
import { uniqueRunDir, writeRunFolder } from '../loop/run-folder.js';
import { ALGORITHMS, OFFLINE_ALGORITHMS, resolveConfig } from '../agents/algorithms.js';
import { isOfflineAlgorithm } from '../agents/offline/offline-config.js';
import type { OfflineDataset } from '../data/dataset.js';
import { loadDataset } from '../data/load-dataset.js';
import { train, type TrainRun } from '../loop/train.js';
import { runName } from '../bench/sweep.js';
import { startDashboard, type Dashboard } from '../dashboard/server.js';
import { preloadModules } from '../core/user-module.js';
import { collectValues, parseNonNegativeInt, parsePort, parsePositiveInt, PRELOAD_HELP } from './parse.js';

interface TrainFlags {
  preload?: string[];
  algo?: string;
  dataset?: string;
  envKwargs?: Record<string, unknown>;
  env?: string;
  steps?: number;
  seed?: number;
  numEnvs?: number;
  config?: string;
  out?: string;
  resume?: string;
  network?: string;
  backend?: string;
  stopAtThreshold?: boolean;
  patience?: number;
  quiet?: boolean;
  json?: boolean;
  expert?: string;
  dashboard?: boolean;
  port: number;
}

const ALGOS: readonly string[] = ALGORITHMS;

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`cannot read config file ${file}`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`config file ${file} is not a JSON object: ${(err as Error).message}`);
  }
}

function parseJsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (err) {
    throw new InvalidArgumentError(`expected a JSON object, got ${JSON.stringify(value)}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidArgumentError(`expected a JSON object, got ${JSON.stringify(value)}`);
  return parsed as Record<string, unknown>;
}

/** A progress bar on stderr: steps, speed, recent mean return, ETA. */
function progressBar(total: number): { update: (e: TrainEvent) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    { format: '{bar} {percentage}% | {value}/{total} steps | {speed} steps/s | return {ret} | ETA {eta_formatted}', hideCursor: true, stream: process.stderr, etaBuffer: 20 },
    cliProgress.Presets.shades_classic,
  );
  const recent: number[] = [];
  let lastEval = '-';
  let started = false;
  let firstStep = 0;
  const t0 = performance.now();
  return {
    update(e) {
      if (e.type === 'start') {
        started = true;
        firstStep = e.step;
        bar.start(total, e.step, { speed: '-', ret: '-' });
        return;
      }
      if (!started) return;
      if (e.type === 'episode') {
        recent.push(e.return);
        if (recent.length > 10) recent.shift();
      }
      // Offline runs have no training episodes: their evaluations stand in.
      if (e.type === 'eval') lastEval = `${e.result.mean.toFixed(1)} (eval)`;
      if (e.type === 'update' || e.type === 'done' || e.type === 'eval') {
        const speed = (e.step - firstStep) / ((performance.now() - t0) / 1000);
        const ret = recent.length > 0 ? (recent.reduce((a, b) => a + b, 0) / recent.length).toFixed(1) : lastEval;
        bar.update(Math.min(e.step, total), { speed: speed.toFixed(0), ret });
      }
    },
    stop: () => bar.stop(),
  };
}

/** `rxrl train`: trains an agent into a run folder. */
export function addTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train an agent; writes runs/NAME/{config.json,metrics.jsonl,progress.csv,checkpoints/,summary.json}')
    .option('--algo <name>', `algorithm: ${ALGOS.join(', ')} (default ppo, or the config file's "algo")`)
    .option('--env <id>', "environment id, e.g. CartPole-v1 (offline algorithms: the env to evaluate in; default: the dataset's envId)")
    .option('--env-kwargs <json>', 'keyword arguments of the env as a JSON object, e.g. \'{"arm":"panda7"}\' (config key envKwargs)', parseJsonObject)
    .option('--dataset <file>', `offline algorithms (${OFFLINE_ALGORITHMS.join(', ')}): the dataset to learn from (D4RL-layout or Minari HDF5)`)
    .option('--steps <n>', 'total environment steps (offline algorithms: gradient steps)', parsePositiveInt)
    .option('--seed <n>', 'random seed', parseNonNegativeInt)
    .option('--num-envs <n>', 'parallel environment copies', parsePositiveInt)
    .option('--config <file>', 'JSON file of hyperparameters (overrides the per-env defaults; flags override it)')
    .option('--out <dir>', 'run folder (default runs/<algo>-<env>-s<seed>)')
    .option('--resume <dir>', 'continue the run in this folder from its latest checkpoint')
    .option('--network <engine>', 'what computes the networks: fast (typed-array engine, default) or tfjs')
    .option('--backend <name>', 'TensorFlow.js backend: auto, tensorflow, wasm, cpu (implies --network tfjs)')
    .option('--expert <file>', 'ILD (--algo ild): the expert trajectory to imitate (rxrl-expert-trajectory JSON; default: the one bundled for the env)')
    .option('--stop-at-threshold', "stop once the mean of the last 10 training episodes reaches the env's reward threshold")
    .option('--patience <n>', 'stop after n evaluations without improvement (use with evalEvery in --config)', parsePositiveInt)
    .option('--dashboard', 'watch the run in the browser: curves, config and the agent acting live (served on 127.0.0.1 only, closed when the run ends)')
    .option('--port <n>', 'with --dashboard: its port (0: a free one)', parsePort, 0)
    .option('--preload <file>', PRELOAD_HELP, collectValues)
    .option('--quiet', 'no progress bar')
    .option('--json', 'print the summary as JSON on stdout at the end')
    .action(async (flags: TrainFlags) => {
      await preloadModules(flags.preload ?? []);
      if (flags.algo !== undefined && !ALGOS.includes(flags.algo)) throw new ConfigError(`unknown algorithm "${flags.algo}"; available: ${ALGOS.join(', ')}`);
      const overrides: Record<string, unknown> = {};
      if (flags.algo !== undefined) overrides['algo'] = flags.algo;
      if (flags.env !== undefined) overrides['env'] = flags.env;
      if (flags.envKwargs !== undefined) overrides['envKwargs'] = flags.envKwargs;
      if (flags.steps !== undefined) overrides['totalSteps'] = flags.steps;
      if (flags.seed !== undefined) overrides['seed'] = flags.seed;
      if (flags.numEnvs !== undefined) overrides['numEnvs'] = flags.numEnvs;
      if (flags.network !== undefined) overrides['network'] = flags.network;
      if (flags.expert !== undefined) overrides['expert'] = path.resolve(flags.expert);
      let dataset: OfflineDataset | undefined;
      if (flags.dataset !== undefined) {
        const algo = flags.algo ?? (flags.config !== undefined ? readConfigFile(flags.config)['algo'] : undefined);
        if (!isOfflineAlgorithm(algo)) throw new ConfigError(`--dataset is for the offline algorithms (--algo ${OFFLINE_ALGORITHMS.join('|')}); ${String(algo ?? 'ppo')} learns from an env`);
        overrides['dataset'] = path.resolve(flags.dataset);
        dataset = await loadDataset(flags.dataset);
        if (flags.env === undefined) {
          if (dataset.metadata.envId === undefined) throw new ConfigError(`${flags.dataset} does not say which env it comes from (no envId in its metadata): pass --env ID to evaluate the policy in`);
          overrides['env'] = dataset.metadata.envId;
        }
      }
      if (flags.backend !== undefined) {
        overrides['backend'] = flags.backend;
        // A tensor backend only means something for TensorFlow.js networks.
        overrides['network'] ??= 'tfjs';
      }
      const fileConfig = flags.config !== undefined ? readConfigFile(flags.config) : {};
      let run: TrainRun;
      let dir: string;
      if (flags.resume !== undefined) {
        const conflicting = (
          [
            ['env', flags.env],
            ['steps', flags.steps],
            ['seed', flags.seed],
            ['num-envs', flags.numEnvs],
            ['network', flags.network],
            ['backend', flags.backend],
            ['config', flags.config],
            ['expert', flags.expert],
            ['dataset', flags.dataset],
            ['env-kwargs', flags.envKwargs],
            ['out', flags.out],
          ] as const
        ).filter(([, v]) => v !== undefined);
        if (conflicting.length > 0) throw new ConfigError(`--resume continues the run with its own saved configuration; drop ${conflicting.map(([k]) => `--${k}`).join(', ')}`);
        dir = flags.resume;
        run = train({ resumeFrom: dir });
      } else {
        const config = resolveConfig(overrides, fileConfig);
        dir = flags.out ?? uniqueRunDir('runs', runName(config.algo, config.env, config.seed));
        run = train({ config, checkpointDir: path.join(dir, 'checkpoints'), ...(dataset !== undefined ? { dataset } : {}) });
      }
      if (flags.stopAtThreshold === true) {
        const threshold = registration(run.config.env).rewardThreshold;
        if (threshold === undefined) throw new ConfigError(`${run.config.env} has no reward threshold; --stop-at-threshold needs one`);
        stopOnRewardThreshold(run, threshold);
      }
      if (flags.patience !== undefined) stopOnNoImprovement(run, flags.patience);
      const bar = flags.quiet === true ? undefined : progressBar(run.config.totalSteps);
      let failure: Error | undefined;
      let summary: unknown;
      let lastStep = 0;
      // The dashboard subscribes first, so its curves start at the run's first event.
      const dashboard = flags.dashboard === true ? startDashboard({ port: flags.port, runsDir: path.dirname(dir), live: { name: path.basename(dir), run } }) : undefined;
      writeRunFolder(dir, run.events$);
      run.events$.subscribe({
        next: (e) => {
          if (e.type === 'start' && flags.quiet !== true) console.error(`rxrl: ${e.resumed ? (e.exact ? 'resuming' : 'resuming (agent only: this env cannot save its state, so episodes start anew)') : 'training'} ${run.config.algo} on ${run.config.env} (seed ${run.config.seed}), networks on ${e.backend}, run folder ${dir}`);
          bar?.update(e);
          if (e.type === 'done') summary = e.summary;
          lastStep = e.step;
        },
        error: (err: Error) => (failure = err),
      });
      // Ctrl-C stops at the next iteration boundary and leaves a checkpoint to --resume from.
      const stop = () => run.stop();
      process.once('SIGINT', stop);
      let page: Dashboard | undefined;
      try {
        page = await dashboard;
      } catch (err) {
        run.stop();
        await run.finished;
        throw new ConfigError(`--dashboard: cannot serve on port ${flags.port}: ${(err as Error).message}`);
      }
      if (page !== undefined) console.error(`rxrl: dashboard at ${page.url}`);
      await run.finished;
      process.off('SIGINT', stop);
      await page?.close();
      bar?.stop();
      if (failure !== undefined) throw failure;
      if (summary === undefined) console.error(`rxrl: stopped at step ${lastStep} of ${run.config.totalSteps}; continue with \`rxrl train --resume ${dir}\``);
      if (flags.json === true) console.log(JSON.stringify(summary));
      else if (summary !== undefined) console.error(`run folder: ${dir}\n${JSON.stringify(summary, null, 2)}`);
    });
}
