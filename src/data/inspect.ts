/**
 * What `rxrl dataset inspect` reports: size, the rows' digest, episodes, the return distribution
 * (and normalised scores when references are known), and per-dimension state/action coverage.
 *
 * @module
 */

import type { DatasetMetadata, OfflineDataset } from './dataset.js';
import { datasetDigest } from './dataset-digest.js';
import { EpisodeEndKind, returnStatistics, splitEpisodes, type ReturnStatistics } from './episodes.js';
import { normalizedScore, referenceScoresFor, type ReferenceScores } from './scores.js';
import { dimensionStatistics, type DimensionStatistics } from './statistics.js';

/** A dataset's summary. */
export interface DatasetReport {
  readonly size: number;
  readonly observationShape: readonly number[];
  readonly actionDim: number;
  readonly discrete: boolean;
  readonly metadata: DatasetMetadata;
  /** {@link datasetDigest} of the rows: equal digests, the same transitions bit for bit (whatever the file bytes). */
  readonly digest: string;
  readonly episodes: {
    readonly count: number;
    readonly terminal: number;
    readonly timeout: number;
    /** Ended without a flag (unflagged cut, or the dataset's last row). */
    readonly unflagged: number;
    readonly length: ReturnStatistics;
  };
  /** Undiscounted episode returns. */
  readonly returns: ReturnStatistics;
  /** Returns of every episode, in dataset order (for the histogram). */
  readonly episodeReturns: Float64Array;
  /** Normalised scores of the episodes (0 random, 100 expert), when reference returns are known. */
  readonly normalized: (ReturnStatistics & { readonly reference: ReferenceScores }) | null;
  readonly rewards: { readonly mean: number; readonly min: number; readonly max: number };
  readonly observations: readonly DimensionStatistics[];
  /** Box actions: per-dimension statistics; Discrete: statistics of the index. */
  readonly actions: readonly DimensionStatistics[];
  /** Discrete actions: how often each index was taken. */
  readonly actionCounts: Readonly<Record<number, number>> | null;
}

/** Options of {@link inspectDataset}. */
export interface InspectOptions {
  /** Reference returns for normalised scores (default: the dataset's own, else D4RL's for its env). */
  readonly reference?: { readonly min: number; readonly max: number };
  /** Env id to look D4RL's references up by, when the metadata has none. */
  readonly envId?: string;
}

/** Summarises a dataset (one pass over the episodes, two over observations and actions). */
export function inspectDataset(ds: OfflineDataset, options: InspectOptions = {}): DatasetReport {
  const episodes = splitEpisodes(ds);
  let terminal = 0;
  let timeout = 0;
  for (const end of episodes.ends) {
    if (end === EpisodeEndKind.Terminal) terminal++;
    else if (end === EpisodeEndKind.Timeout) timeout++;
  }
  const metadata = options.envId !== undefined && ds.metadata.envId === undefined ? { ...ds.metadata, envId: options.envId } : ds.metadata;
  const reference = referenceScoresFor(metadata, options.reference);
  let rewardSum = 0;
  let rewardMin = Infinity;
  let rewardMax = -Infinity;
  for (let i = 0; i < ds.size; i++) {
    const r = ds.rewards[i] as number;
    rewardSum += r;
    if (r < rewardMin) rewardMin = r;
    if (r > rewardMax) rewardMax = r;
  }
  let actionCounts: Record<number, number> | null = null;
  if (ds.discrete) {
    actionCounts = {};
    for (let i = 0; i < ds.size; i++) {
      const a = ds.actions[i] as number;
      actionCounts[a] = (actionCounts[a] ?? 0) + 1;
    }
  }
  return {
    size: ds.size,
    observationShape: ds.observationShape,
    actionDim: ds.actionDim,
    discrete: ds.discrete,
    metadata,
    digest: datasetDigest(ds),
    episodes: { count: episodes.count, terminal, timeout, unflagged: episodes.count - terminal - timeout, length: returnStatistics(episodes.lengths) },
    returns: returnStatistics(episodes.returns),
    episodeReturns: episodes.returns,
    normalized: reference === undefined ? null : { ...returnStatistics(episodes.returns.map((r) => normalizedScore(r, reference))), reference },
    rewards: { mean: ds.size > 0 ? rewardSum / ds.size : NaN, min: ds.size > 0 ? rewardMin : NaN, max: ds.size > 0 ? rewardMax : NaN },
    observations: dimensionStatistics(ds.observations, ds.size, ds.observationDim),
    actions: dimensionStatistics(ds.actions, ds.size, ds.actionDim),
    actionCounts,
  };
}

const num = (x: number, digits = 3): string => (Number.isNaN(x) ? '-' : Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(2) : x.toFixed(digits));

function statsLine(label: string, s: ReturnStatistics, digits = 1): string {
  return `${label}: mean ${num(s.mean, digits)} ± ${num(s.std, digits)} (min ${num(s.min, digits)}, p25 ${num(s.p25, digits)}, median ${num(s.median, digits)}, p75 ${num(s.p75, digits)}, max ${num(s.max, digits)})`;
}

function dimensionTable(title: string, dims: readonly DimensionStatistics[]): string[] {
  const header = `${title.padEnd(10)}${['mean', 'std', 'min', 'p5', 'p95', 'max', 'coverage'].map((h) => h.padStart(10)).join('')}`;
  const lines = dims.map((d, j) => `${`  [${j}]`.padEnd(10)}${[d.mean, d.std, d.min, d.p5, d.p95, d.max].map((v) => num(v).padStart(10)).join('')}${num(d.coverage, 2).padStart(10)}`);
  return [header, ...lines];
}

/** The report as text for a terminal. */
export function formatReport(r: DatasetReport, file?: string): string {
  const meta = Object.entries(r.metadata)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
  const lines = [
    `${file ?? 'dataset'}: ${r.size} transitions, observations ${JSON.stringify(r.observationShape)}, ${r.discrete ? 'discrete actions' : `actions [${r.actionDim}]`}`,
    meta.length > 0 ? `metadata: ${meta}` : 'metadata: (none)',
    `rows digest: sha256 ${r.digest}`,
    `episodes: ${r.episodes.count} (${r.episodes.terminal} terminated, ${r.episodes.timeout} cut/time limit, ${r.episodes.unflagged} unflagged)`,
    statsLine('episode length', r.episodes.length, 1),
    statsLine('return', r.returns),
  ];
  if (r.normalized !== null) {
    lines.push(`${statsLine('normalised score', r.normalized)}  [0 = random ${r.normalized.reference.min}, 100 = expert ${r.normalized.reference.max}; ${r.normalized.reference.source}]`);
  } else {
    lines.push('normalised score: no reference returns for this env (pass --ref-min and --ref-max)');
  }
  lines.push(`reward per step: mean ${num(r.rewards.mean)}, min ${num(r.rewards.min)}, max ${num(r.rewards.max)}`);
  lines.push(...dimensionTable('state', r.observations));
  if (r.actionCounts !== null) {
    lines.push(`actions: ${Object.entries(r.actionCounts)
      .map(([a, n]) => `${a}: ${n} (${((100 * n) / Math.max(1, r.size)).toFixed(1)}%)`)
      .join(', ')}`);
  } else {
    lines.push(...dimensionTable('action', r.actions));
  }
  lines.push('coverage: effective fraction of [min, max] used (histogram perplexity over 20 bins / 20; 1 = uniform, small = concentrated)');
  return lines.join('\n');
}
