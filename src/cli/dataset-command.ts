import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { OFF_POLICY_ALGORITHMS, ON_POLICY_ALGORITHMS, resolveConfig } from '../agents/algorithms.js';
import { ConfigError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { Discrete } from '../core/spaces.js';
import { renderSvg, svgToPng } from '../bench/plots.js';
import { collectDataset, observationShapeOf } from '../data/collect.js';
import { DatasetBuilder } from '../data/dataset-builder.js';
import { concatDatasets, type DatasetMetadata, type OfflineDataset } from '../data/dataset.js';
import { writeD4rl } from '../data/d4rl-format.js';
import { splitEpisodes, returnStatistics } from '../data/episodes.js';
import { formatReport, inspectDataset } from '../data/inspect.js';
import { datasetPlotSpec } from '../data/inspect-plot.js';
import { loadDataset } from '../data/load-dataset.js';
import { randomPolicy, requireBoxOrDiscrete, type DatasetPolicy } from '../data/policies.js';
import { recordNextVectorEnv, unrecordedEnvId } from '../data/record-training.js';
import '../envs/index.js';
import { make } from '../envs/registry.js';
import type { VectorEnv } from '../envs/vector/vector-env.js';
import { VectorNormalizeObservation } from '../envs/wrappers/normalize-observation.js';
import { stopOnRewardThreshold } from '../loop/early-stopping.js';
import { loadRunPolicy } from '../loop/evaluate-run.js';
import { writeRunFolder } from '../loop/run-folder.js';
import { train } from '../loop/train.js';
import { findWrapper } from '../loop/training-env.js';
import { parseIntInRange, parseNonNegativeInt, parseNonNegativeNumber, parseNumber, parsePositiveInt } from './parse.js';

/** What medium-replay may train with: the algorithms that learn from their own env steps (an off-policy run's recording is its replay buffer, as D4RL's SAC one). */
const REPLAY_ALGORITHMS = [...ON_POLICY_ALGORITHMS, ...OFF_POLICY_ALGORITHMS] as const;

/** D4RL's dataset recipes (Fu et al. 2020, §5): what policy produced the data. */
const RECIPES = ['random', 'medium', 'medium-replay', 'expert', 'medium-expert'] as const;
type Recipe = (typeof RECIPES)[number];

interface CollectFlags {
  env?: string;
  policy?: string;
  expertPolicy?: string;
  recipe?: string;
  steps: number;
  noise: number;
  seed?: number;
  numEnvs?: number;
  deterministic?: boolean;
  algo?: string;
  config?: string;
  stopReturn?: number;
  runDir?: string;
  compression?: number;
  out: string;
  quiet?: boolean;
}

interface InspectFlags {
  plot?: string | false;
  env?: string;
  refMin?: number;
  refMax?: number;
  deriveNextObservations?: boolean;
  json?: boolean;
}

/** A trained run as a dataset policy (its latest checkpoint, acting on observations normalised as in training). */
async function runPolicy(runDir: string, numEnvs: number, deterministic: boolean): Promise<{ policy: DatasetPolicy; envId: string }> {
  const { config, env, agent } = await loadRunPolicy(runDir, numEnvs);
  // Only the normaliser's statistics are kept: the collection builds its own env chain, with the
  // recorder below the normaliser so the dataset holds raw observations.
  const norm = findWrapper(env, VectorNormalizeObservation);
  const normState = norm?.getState();
  const normOptions = norm === undefined ? undefined : { epsilon: norm.epsilon, updateStats: false, ...(norm.clip !== undefined ? { clip: norm.clip } : {}) };
  await env.close();
  const policy: DatasetPolicy = {
    name: runDir,
    act: (observations, n) => agent.act(observations, n, deterministic).actions,
    ...(normOptions !== undefined && normState !== undefined
      ? {
          wrapEnv: (inner: VectorEnv) => {
            const wrapped = new VectorNormalizeObservation(inner, normOptions);
            wrapped.setState(normState);
            return wrapped;
          },
        }
      : {}),
  };
  return { policy, envId: unrecordedEnvId(config.env) };
}

function readConfigFile(file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read the config file ${file}: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`config file ${file} must hold a JSON object`);
  return value as Record<string, unknown>;
}

function log(flags: { quiet?: boolean }, message: string): void {
  if (flags.quiet !== true) console.error(`rxrl: ${message}`);
}

/** Runs `--policy` (random or a run folder) in the env for `steps` transitions. */
async function collectWith(policyArg: string, steps: number, flags: CollectFlags, metadata: DatasetMetadata): Promise<OfflineDataset> {
  const numEnvs = flags.numEnvs ?? 1;
  const trained = policyArg === 'random' ? undefined : await runPolicy(policyArg, numEnvs, flags.deterministic === true);
  if (trained !== undefined && flags.env !== undefined && flags.env !== trained.envId) {
    throw new ConfigError(`--env ${flags.env} differs from the env of ${policyArg} (${trained.envId}); drop --env or pick a run of that env`);
  }
  const envId = trained?.envId ?? flags.env;
  if (envId === undefined) throw new ConfigError('--policy random needs --env ID');
  const env = make(envId, { numEnvs });
  try {
    const space = requireBoxOrDiscrete(env.singleActionSpace, envId);
    const seed = flags.seed ?? 0;
    const policy = trained?.policy ?? randomPolicy(space, numEnvs, new Rng(seed).split('random-policy'));
    const every = Math.max(1000, Math.round(steps / 10));
    log(flags, `collecting ${steps} transitions of ${envId} with ${policy.name}${flags.noise > 0 ? ` (noise ${flags.noise})` : ''}`);
    return await collectDataset({
      env,
      policy,
      steps,
      seed,
      noise: flags.noise,
      metadata: { envId, ...(flags.deterministic === true ? { deterministic: true } : {}), ...metadata },
      progressEvery: every,
      onProgress: (rows) => log(flags, `  ${rows}/${steps} transitions`),
    });
  } finally {
    await env.close();
  }
}

/**
 * D4RL's medium-replay: every transition the training of the medium policy saw (with an off-policy
 * algorithm, its replay buffer while that holds them all). Trains with the
 * public `train()` on the private id `rxrl-record:ID`, which puts a recorder under the training
 * env (see `data/record-training.ts`); `--stop-return` ends training at a partial return, and
 * `--run-dir` keeps the run, whose final policy is then the matching "medium" policy.
 */
async function collectMediumReplay(flags: CollectFlags): Promise<OfflineDataset> {
  const algo = flags.algo ?? 'ppo';
  if (!(REPLAY_ALGORITHMS as readonly string[]).includes(algo)) throw new ConfigError(`--algo ${algo}: medium-replay trains with one of ${REPLAY_ALGORITHMS.join(', ')}`);
  const file = flags.config !== undefined ? readConfigFile(flags.config) : {};
  const overrides: Record<string, unknown> = { algo, totalSteps: flags.steps };
  if (flags.seed !== undefined) overrides['seed'] = flags.seed;
  if (flags.env !== undefined) overrides['env'] = flags.env;
  if (flags.numEnvs !== undefined) overrides['numEnvs'] = flags.numEnvs;
  // Resolved under the real id, so the env's tuned hyperparameters apply.
  const config = resolveConfig(overrides, file);
  let builder: DatasetBuilder | undefined;
  const recording = recordNextVectorEnv(config.env, (env) => {
    const space = requireBoxOrDiscrete(env.singleActionSpace, config.env);
    builder = new DatasetBuilder({ observationShape: observationShapeOf(env), actionDim: env.actionSize, discrete: space instanceof Discrete, numEnvs: env.numEnvs });
    return builder;
  });
  let lastStep = 0;
  try {
    const run = train({ config: { ...config, env: recording.envId }, ...(flags.runDir !== undefined ? { checkpointDir: path.join(flags.runDir, 'checkpoints') } : {}) });
    if (flags.runDir !== undefined) writeRunFolder(flags.runDir, run.events$);
    if (flags.stopReturn !== undefined) stopOnRewardThreshold(run, flags.stopReturn);
    log(flags, `training ${config.algo} on ${config.env} for up to ${config.totalSteps} steps${flags.stopReturn !== undefined ? ` (stopping at a mean return of ${flags.stopReturn} over 10 episodes)` : ''}, recording every transition`);
    let failure: Error | undefined;
    const recent: number[] = [];
    let nextReport = config.totalSteps / 10;
    run.events$.subscribe({
      next: (e) => {
        lastStep = e.step;
        if (e.type === 'episode') {
          recent.push(e.return);
          if (recent.length > 10) recent.shift();
        }
        if (e.type === 'update' && e.step >= nextReport) {
          nextReport += config.totalSteps / 10;
          log(flags, `  step ${e.step}: mean return of the last 10 episodes ${recent.length > 0 ? (recent.reduce((a, b) => a + b, 0) / recent.length).toFixed(1) : '-'}`);
        }
      },
      error: (err: Error) => (failure = err),
    });
    const stop = () => run.stop();
    process.once('SIGINT', stop);
    await run.finished;
    process.off('SIGINT', stop);
    if (failure !== undefined) throw failure;
  } finally {
    recording.disarm();
  }
  if (builder === undefined) throw new ConfigError(`training on ${config.env} stopped before building its env; nothing was recorded`);
  return builder.build({
    envId: config.env,
    recipe: 'medium-replay',
    policy: `${config.algo} training${flags.runDir !== undefined ? ` (${flags.runDir})` : ''}`,
    seed: config.seed,
    trainingSteps: lastStep,
    ...(flags.stopReturn !== undefined ? { stopReturn: flags.stopReturn } : {}),
  });
}

function checkRecipe(recipe: Recipe | undefined, flags: CollectFlags): void {
  const needPolicy = (what: string) => {
    if (flags.policy === undefined || flags.policy === 'random') throw new ConfigError(`--recipe ${recipe} needs --policy runs/NAME (${what})`);
  };
  if (recipe === 'random' && flags.policy !== undefined && flags.policy !== 'random') throw new ConfigError(`--recipe random uses the random policy; drop --policy ${flags.policy}`);
  if (recipe === 'medium') needPolicy('a run stopped at a partial return, e.g. a medium-replay --run-dir or `rxrl train --stop-at-threshold`');
  if (recipe === 'expert') needPolicy('a fully trained run');
  if (recipe === 'medium-expert') {
    needPolicy('the medium run');
    if (flags.expertPolicy === undefined) throw new ConfigError('--recipe medium-expert needs --expert-policy runs/NAME as well (the expert run)');
  }
  if (recipe === 'medium-replay' && flags.policy !== undefined) throw new ConfigError('--recipe medium-replay trains its own policy (--env, --steps, --algo, --config, --stop-return, --run-dir); drop --policy');
  if (recipe !== 'medium-replay') {
    for (const [flag, value] of [
      ['--stop-return', flags.stopReturn],
      ['--run-dir', flags.runDir],
      ['--algo', flags.algo],
      ['--config', flags.config],
    ] as const) {
      if (value !== undefined) throw new ConfigError(`${flag} only applies to --recipe medium-replay`);
    }
  }
  if (recipe !== 'medium-expert' && flags.expertPolicy !== undefined) throw new ConfigError('--expert-policy only applies to --recipe medium-expert');
}

async function runCollect(flags: CollectFlags): Promise<void> {
  if (flags.steps < 1) throw new ConfigError('--steps must be at least 1');
  if (flags.numEnvs !== undefined && flags.numEnvs < 1) throw new ConfigError('--num-envs must be at least 1');
  const recipe = flags.recipe as Recipe | undefined;
  if (recipe !== undefined && !RECIPES.includes(recipe)) throw new ConfigError(`unknown recipe "${flags.recipe}"; available: ${RECIPES.join(', ')}`);
  checkRecipe(recipe, flags);
  const tag: DatasetMetadata = recipe !== undefined ? { recipe } : {};
  let ds: OfflineDataset;
  if (recipe === 'medium-replay') {
    ds = await collectMediumReplay(flags);
  } else if (recipe === 'medium-expert') {
    // D4RL's medium-expert is the medium dataset followed by the expert one, in equal parts.
    const half = Math.floor(flags.steps / 2);
    const medium = await collectWith(flags.policy as string, half, flags, { recipe: 'medium' });
    // The expert half gets its own episodes (seed + 1), not a replay of the medium half's starts.
    const seed = flags.seed ?? 0;
    const expert = await collectWith(flags.expertPolicy as string, flags.steps - half, { ...flags, seed: seed + 1 }, { recipe: 'expert' });
    ds = concatDatasets([medium, expert], { ...expert.metadata, recipe: 'medium-expert', policy: `${flags.policy} + ${flags.expertPolicy}`, mediumRows: medium.size, expertRows: expert.size, seed });
  } else {
    ds = await collectWith(flags.policy ?? 'random', flags.steps, flags, tag);
  }
  mkdirSync(path.dirname(path.resolve(flags.out)), { recursive: true });
  await writeD4rl(flags.out, ds, flags.compression !== undefined ? { compression: flags.compression } : {});
  const returns = returnStatistics(splitEpisodes(ds).returns);
  log(flags, `wrote ${flags.out}: ${ds.size} transitions, ${returns.count} episodes, mean return ${returns.mean.toFixed(1)} (inspect with \`rxrl dataset inspect ${flags.out}\`)`);
}

/** Default figure path: the dataset's path with `.png` for its extension. */
function defaultPlotPath(file: string): string {
  const ext = path.extname(file);
  return `${ext === '' ? file : file.slice(0, -ext.length)}.png`;
}

async function runInspect(file: string, flags: InspectFlags): Promise<void> {
  if ((flags.refMin === undefined) !== (flags.refMax === undefined)) throw new ConfigError('--ref-min and --ref-max go together (the random and expert returns)');
  const ds = await loadDataset(file, { deriveNextObservations: flags.deriveNextObservations === true });
  const report = inspectDataset(ds, {
    ...(flags.refMin !== undefined && flags.refMax !== undefined ? { reference: { min: flags.refMin, max: flags.refMax } } : {}),
    ...(flags.env !== undefined ? { envId: flags.env } : {}),
  });
  let plotPath: string | undefined;
  if (flags.plot !== false) {
    plotPath = typeof flags.plot === 'string' ? flags.plot : defaultPlotPath(file);
    const svg = await renderSvg(datasetPlotSpec(report, path.basename(file)));
    mkdirSync(path.dirname(path.resolve(plotPath)), { recursive: true });
    writeFileSync(plotPath, await svgToPng(svg));
  }
  if (flags.json === true) {
    console.log(JSON.stringify({ file, ...report, episodeReturns: Array.from(report.episodeReturns), plot: plotPath ?? null }));
  } else {
    console.log(formatReport(report, file));
    if (plotPath !== undefined) console.log(`histogram: ${plotPath}`);
  }
}

/** `rxrl dataset collect|inspect`: offline datasets in the D4RL layout (HDF5). */
export function addDatasetCommand(program: Command): void {
  const dataset = program.command('dataset').description('collect and inspect offline datasets (D4RL-layout HDF5; Minari files read too)');
  dataset
    .command('collect')
    .description('collect transitions with a policy (random or a run folder), or record a training run (medium-replay), into a D4RL-layout .h5 file')
    .option('--env <id>', 'environment id (required for random and medium-replay; a run folder brings its own)')
    .option('--policy <random|dir>', 'behaviour policy: "random" or a run folder (its latest checkpoint)')
    .option('--expert-policy <dir>', 'medium-expert: the expert run folder (--policy is the medium one)')
    .option('--recipe <name>', `D4RL recipe: ${RECIPES.join(', ')}`)
    .requiredOption('--steps <n>', 'transitions to collect (medium-replay: training steps)', parsePositiveInt)
    .option('--noise <sigma>', 'action noise: Gaussian σ × half-range on Box actions (clipped), ε-random on Discrete', parseNonNegativeNumber, 0)
    .option('--seed <n>', 'seed of the episodes, the noise and the random policy (default 0; medium-replay: the training seed, default the config\'s)', parseNonNegativeInt)
    .option('--num-envs <n>', 'env copies stepped together (default 1; medium-replay: the config\'s)', parsePositiveInt)
    .option('--deterministic', "act with the policy's mode instead of sampling it")
    .option('--algo <name>', `medium-replay: algorithm to train (default ppo; ${REPLAY_ALGORITHMS.join(', ')}; D4RL's is sac)`)
    .option('--config <file>', 'medium-replay: JSON hyperparameters, as `rxrl train --config`')
    .option('--stop-return <r>', 'medium-replay: stop training once the mean return of the last 10 episodes reaches r', parseNumber)
    .option('--run-dir <dir>', 'medium-replay: keep the training run here (its final policy is the matching medium policy)')
    .option('--compression <level>', 'gzip level 1-9 for the HDF5 datasets (default none)', parseIntInRange(1, 9))
    .requiredOption('--out <file>', 'output .h5 file')
    .option('--quiet', 'no progress messages')
    .action(runCollect);
  dataset
    .command('inspect')
    .description('print size, episodes, return distribution (normalised scores where references are known) and state/action coverage; write a PNG figure')
    .argument('<file>', 'dataset: D4RL-layout .h5/.hdf5, or a Minari dataset folder / main_data.hdf5')
    .option('--plot <png>', 'where to write the figure (default: the dataset path with .png)')
    .option('--no-plot', 'do not write the figure')
    .option('--env <id>', 'env id for the D4RL reference returns, when the file does not name one')
    .option('--ref-min <r>', 'return of a random policy, for normalised scores', parseNumber)
    .option('--ref-max <r>', 'return of an expert policy, for normalised scores', parseNumber)
    .option('--derive-next-observations', 'for files without next_observations: rebuild them from the next row (as D4RL qlearning_dataset)')
    .option('--json', 'print the report as JSON')
    .action(runInspect);
}
