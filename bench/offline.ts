/**
 * The offline RL benchmark (`npm run bench:offline`, datasets from `npm run bench:offline-data`):
 * every (algorithm, dataset, seed) trained in a child process (`src/bench/pool.ts`, the runner
 * of `rxrl bench`) into `OUT/runs/<algo>-<dataset>-s<seed>/`, then a report of D4RL-normalised
 * scores with bootstrap CIs and the comparisons the offline issue asks for.
 *
 * Every finished run goes into `REPORT/runs.json` (`bench/offline-record.ts`) with the digests of
 * the datasets it trained on (`datasetDigest`); the sweep skips the runs recorded there and the report is built from
 * that record alone, so a sweep can be spread over several sessions (commit the record between
 * them) and a later call can add seeds or algorithms. The record pins the settings that must
 * agree between calls (steps, evaluation, network sizes, batch). Run folders stay in OUT.
 *
 * Options: `npx tsx bench/offline.ts --help`.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bootstrapDifferenceCI, aggregateMean, mean, stratifiedBootstrapCI } from '../src/bench/statistics.js';
import { evalCurve, writeRunFailure } from '../src/bench/results.js';
import { lockFolder } from '../src/bench/folder-lock.js';
import { runChild, runPool, type ChildJob } from '../src/bench/pool.js';
import { Rng } from '../src/core/rng.js';
import { loadDataset } from '../src/data/load-dataset.js';
import { datasetDigest } from '../src/data/dataset-digest.js';
import { normalizedScore, referenceScoresFor, type ReferenceScores } from '../src/data/scores.js';
import { returnStatistics, splitEpisodes } from '../src/data/episodes.js';
import { renderSvg, svgToPng } from '../src/bench/plots.js';
import type { RunSummary } from '../src/loop/events.js';
import { isOfflineAlgorithm, OFFLINE_ALGORITHMS } from '../src/agents/offline/offline-config.js';
import { OfflineRecord, runKey, type RecordedRun } from './offline-record.js';
import { intOption, parseBenchArgs, usageError } from './args.js';

const usage = `usage: npx tsx bench/offline.ts [options]
  --data DIR          dataset folder (default bench-results/offline/data)
  --datasets A,B      dataset names in it, without .h5 (default: the six hopper/halfcheetah ones)
  --algos A,B         default odice,iql,bc
  --seeds K           seeds 0 … K−1 (default 5)
  --steps N           gradient steps per run (default 100000: O-DICE is still rising at 50k)
  --eval-every N      default 10000; --eval-episodes K (default 10)
  --hidden H          width of the two hidden layers of every network (default 64)
  --workers W         runs at a time (default 2)
  --until TIME        start no run that would not finish by TIME (HH:MM today, or an ISO date),
                      judged by the longest run of its algorithm finished in this call, before
                      the first one by the longest recorded; shorter runs further down the list
                      still start, so the time left before a stop is not wasted
  --out DIR           default bench-results/offline-sweep
  --report DIR        the record (runs.json) and the report, offline.md, runs.csv, curves.png
                      (default docs/benchmarks/offline); --report-only skips training
  --baseline DIR      another record (e.g. the same sweep at another --steps) to set beside
                      this one in the report, seed for seed`;

const values = parseBenchArgs(
  {
    data: { type: 'string', default: 'bench-results/offline/data' },
    datasets: { type: 'string', default: 'hopper-medium,hopper-medium-replay,hopper-medium-expert,halfcheetah-medium,halfcheetah-medium-replay,halfcheetah-medium-expert' },
    algos: { type: 'string', default: 'odice,iql,bc' },
    seeds: { type: 'string', default: '5' },
    steps: { type: 'string', default: '100000' },
    'eval-every': { type: 'string', default: '10000' },
    'eval-episodes': { type: 'string', default: '10' },
    hidden: { type: 'string', default: '64' },
    workers: { type: 'string', default: '2' },
    until: { type: 'string' },
    out: { type: 'string', default: 'bench-results/offline-sweep' },
    report: { type: 'string', default: 'docs/benchmarks/offline' },
    baseline: { type: 'string' },
    'report-only': { type: 'boolean', default: false },
  },
  usage,
);
const datasets = values.datasets.split(',');
const algos = values.algos.split(',');
const unknownAlgo = algos.find((a) => !isOfflineAlgorithm(a));
if (unknownAlgo !== undefined) usageError(usage, `--algos: unknown algorithm "${unknownAlgo}"; the offline ones are ${OFFLINE_ALGORITHMS.join(', ')}`);
const seeds = intOption(values.seeds, 'seeds', usage);
const hidden = intOption(values.hidden, 'hidden', usage);
const workers = intOption(values.workers, 'workers', usage);
const settings = {
  steps: intOption(values.steps, 'steps', usage),
  evalEvery: intOption(values['eval-every'], 'eval-every', usage),
  evalEpisodes: intOption(values['eval-episodes'], 'eval-episodes', usage),
  hidden,
  batchSize: 256,
};
const out = values.out;

/** `--until` as epoch milliseconds: `HH:MM` is today (local time), anything else goes to `Date.parse`. */
function parseDeadline(text: string): number {
  const clock = /^(\d{1,2}):(\d{2})$/.exec(text);
  const valid = clock === null || (Number(clock[1]) < 24 && Number(clock[2]) < 60);
  const when = clock !== null ? new Date().setHours(Number(clock[1]), Number(clock[2]), 0, 0) : Date.parse(text);
  if (!valid || Number.isNaN(when)) usageError(usage, `--until ${text}: give HH:MM or an ISO date-time such as 2026-12-07T06:40`);
  if (when <= Date.now()) usageError(usage, `--until ${text} is already past (now ${new Date().toISOString()})`);
  return when;
}
const deadline = values.until === undefined ? undefined : parseDeadline(values.until);

/** Config keys beyond the defaults: the network widths (every algorithm's policy; the value networks where there are some). */
function overrides(algo: string, file: string): Record<string, unknown> {
  const layers = [hidden, hidden];
  return { dataset: path.resolve(file), batchSize: settings.batchSize, policy: { hidden: layers, logStdMin: -5, logStdMax: 2 }, ...(algo === 'bc' ? {} : algo === 'iql' ? { value: { hidden: layers } } : { value: { hidden: layers, layerNorm: true, twin: true } }) };
}

/** A finished run folder as a record entry (its summary's final evaluation and its eval events). */
function readRun(algo: string, dataset: string, seed: number): RecordedRun {
  const dir = path.join(out, 'runs', runKey(algo, dataset, seed));
  const summary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as RunSummary;
  if (summary.finalEval === null) throw new Error(`${dir}: the run has no final evaluation`);
  const evals = evalCurve(dir).map((p) => [p.step, p.value] as const);
  return { algo, dataset, seed, finalReturn: summary.finalEval.mean, wallSeconds: summary.wallSeconds, evals };
}

/** What the sweep and the report need of a dataset, read in one load (the rows themselves stay with the child runs). */
interface DatasetFacts {
  readonly digest: string;
  readonly envId: string;
  readonly rows: number;
  readonly ref: ReferenceScores;
  /** Its line of the report's dataset table. */
  readonly tableRow: string;
}

async function datasetFacts(ds: string): Promise<DatasetFacts> {
  const d = await loadDataset(path.join(values.data, `${ds}.h5`));
  const envId = d.metadata.envId;
  if (envId === undefined) throw new Error(`${ds}.h5 names no env in its metadata`);
  const ref = referenceScoresFor(d.metadata);
  if (ref === undefined) throw new Error(`${ds}: no reference scores for its env ${envId}`);
  const ep = splitEpisodes(d);
  const st = returnStatistics(ep.returns);
  const tableRow = `| ${ds} | ${envId} | ${d.size} | ${ep.count} | ${st.mean.toFixed(0)} ± ${st.std.toFixed(0)} | ${normalizedScore(st.mean, ref).toFixed(1)} | ${normalizedScore(st.max, ref).toFixed(1)} |`;
  return { digest: datasetDigest(d), envId, rows: d.size, ref, tableRow };
}

/** The record, with every dataset checked against the digest its runs were recorded with. */
async function openRecord(facts: ReadonlyMap<string, DatasetFacts>): Promise<OfflineRecord> {
  const record = new OfflineRecord(values.report, settings);
  for (const [ds, f] of facts) record.checkDataset(ds, f.digest);
  return record;
}

async function train(record: OfflineRecord, facts: ReadonlyMap<string, DatasetFacts>): Promise<void> {
  lockFolder(out, 'offline sweep'); // held until the process exits
  mkdirSync(path.join(out, 'runs'), { recursive: true });
  // Seed-major, so that an interrupted sweep has every algorithm on every dataset for its first seeds.
  const jobs: ChildJob[] = [];
  const datasetOf = new Map<string, string>();
  for (let seed = 0; seed < seeds; seed++) {
    for (const ds of datasets) {
      for (const algo of algos) {
        if (record.has(algo, ds, seed)) continue;
        const name = runKey(algo, ds, seed);
        const dir = path.join(out, 'runs', name);
        rmSync(dir, { recursive: true, force: true });
        datasetOf.set(dir, ds);
        jobs.push({ algo, env: (facts.get(ds) as DatasetFacts).envId, seed, steps: settings.steps, evalEvery: settings.evalEvery, evalEpisodes: settings.evalEpisodes, dir, preload: [], overrides: overrides(algo, path.join(values.data, `${ds}.h5`)) });
      }
    }
  }
  console.error(`offline sweep: ${jobs.length} runs to do in ${out}, recorded in ${values.report}/runs.json${deadline === undefined ? '' : `, starting only those that finish by ${new Date(deadline).toISOString()}`}`);
  let done = 0;
  const postponed: string[] = [];
  const started = performance.now();
  // Once a run of an algorithm finishes in this call, its wall time (today's code, today's load) is the estimate.
  const longestThisCall = new Map<string, number>();
  await runPool(jobs, workers, async (job) => {
    const expected = longestThisCall.get(job.algo) ?? record.longestWallSeconds(job.algo);
    if (deadline !== undefined && expected !== undefined && Date.now() + expected * 1000 > deadline) {
      postponed.push(path.basename(job.dir));
      return;
    }
    const t0 = performance.now();
    const r = await runChild(job);
    done++;
    const name = path.basename(job.dir);
    const minutes = ((performance.now() - started) / 60_000).toFixed(1);
    const seconds = (performance.now() - t0) / 1000;
    if (r.ok) {
      longestThisCall.set(job.algo, Math.max(seconds, longestThisCall.get(job.algo) ?? 0));
      record.add(readRun(job.algo, datasetOf.get(job.dir) as string, job.seed));
      console.error(`[${done}/${jobs.length}, ${minutes} min] ${name}: final eval ${r.summary.finalEval?.mean.toFixed(1)} (${seconds.toFixed(0)} s)`);
    } else {
      console.error(`[${done}/${jobs.length}, ${minutes} min] ${name} failed: ${r.error}`);
      writeRunFailure(job.dir, { error: r.error, wallSeconds: seconds });
    }
  });
  if (postponed.length > 0) console.error(`${postponed.length} runs left for a later call (they would not have finished by --until): ${postponed.join(', ')}`);
}

interface Cell {
  readonly scores: number[];
  readonly returns: number[];
}

async function report(record: OfflineRecord, facts: ReadonlyMap<string, DatasetFacts>): Promise<void> {
  const cells = new Map<string, Cell>();
  const curves: { algo: string; dataset: string; seed: number; step: number; score: number }[] = [];
  const csv = ['algo,dataset,seed,final_return,normalized_score,wall_seconds'];
  for (const ds of datasets) {
    const ref = (facts.get(ds) as DatasetFacts).ref;
    for (const algo of algos) {
      const cell: Cell = { scores: [], returns: [] };
      for (const run of record.runsOf(algo, ds)) {
        cell.returns.push(run.finalReturn);
        cell.scores.push(normalizedScore(run.finalReturn, ref));
        csv.push(`${algo},${ds},${run.seed},${run.finalReturn},${normalizedScore(run.finalReturn, ref)},${run.wallSeconds}`);
        for (const [step, mean] of run.evals) curves.push({ algo, dataset: ds, seed: run.seed, step, score: normalizedScore(mean, ref) });
      }
      cells.set(`${algo}/${ds}`, cell);
    }
  }
  const rng = new Rng('offline-report');
  const ci = (xs: number[]) => (xs.length === 0 ? null : stratifiedBootstrapCI([xs], aggregateMean, { rng: rng.split(xs.join()) }));
  const fmt = (xs: number[]) => {
    const c = ci(xs);
    return c === null ? '–' : `${c.point.toFixed(1)} [${c.lower.toFixed(1)}, ${c.upper.toFixed(1)}] (${xs.length})`;
  };
  const baseline = values.baseline === undefined ? [] : baselineSection(values.baseline, facts, record);
  const lines: string[] = [];
  lines.push('| dataset (rows) | ' + algos.join(' | ') + ' |');
  lines.push('|---|' + algos.map(() => '---:|').join(''));
  for (const ds of datasets) lines.push(`| ${ds} (${facts.get(ds)?.rows}) | ${algos.map((a) => fmt(cells.get(`${a}/${ds}`)?.scores ?? [])).join(' | ')} |`);
  const comparisons: string[] = [];
  const diff = (a: string, b: string, ds: string) => {
    const x = cells.get(`${a}/${ds}`)?.scores ?? [];
    const y = cells.get(`${b}/${ds}`)?.scores ?? [];
    if (x.length === 0 || y.length === 0) return null;
    return bootstrapDifferenceCI([x], [y], { rng: rng.split(`${a}-${b}-${ds}`), statistic: aggregateMean });
  };
  if (algos.includes('odice')) {
    for (const ds of datasets) {
      for (const other of algos.filter((a) => a !== 'odice')) {
        const d = diff('odice', other, ds);
        if (d === null) continue;
        const few = Math.min(cells.get(`odice/${ds}`)?.scores.length ?? 0, cells.get(`${other}/${ds}`)?.scores.length ?? 0) < 3;
        const verdict = few ? 'too few seeds for a verdict (< 3)' : d.significant ? (d.point > 0 ? 'O-DICE higher' : 'O-DICE lower') : 'not significant';
        comparisons.push(`| ${ds} | O-DICE − ${other} | ${d.point.toFixed(1)} [${d.lower.toFixed(1)}, ${d.upper.toFixed(1)}] | ${verdict} |`);
      }
    }
  }
  // The offline issue's targets, on the means over seeds (provisional until every cell has 5 seeds).
  const targets: string[] = [];
  const target = (ds: string, other: string, what: string, holds: (difference: number) => boolean) => {
    const x = cells.get(`odice/${ds}`)?.scores ?? [];
    const y = cells.get(`${other}/${ds}`)?.scores ?? [];
    if (x.length === 0 || y.length === 0) return;
    const d = mean(x) - mean(y);
    targets.push(`| ${what} | ${ds} | ${d.toFixed(1)} | ${holds(d) ? 'holds' : 'fails'} | ${x.length} / ${y.length} |`);
  };
  if (algos.includes('odice')) {
    for (const ds of datasets.filter((d) => d.endsWith('-medium-replay'))) if (algos.includes('bc')) target(ds, 'bc', 'O-DICE > BC (medium-replay)', (d) => d > 0);
    if (algos.includes('iql')) for (const ds of datasets) target(ds, 'iql', 'O-DICE ≥ IQL − 2', (d) => d >= -2);
    for (const other of ['semi-dice', 'true-dice'].filter((a) => algos.includes(a))) for (const ds of datasets) target(ds, other, `O-DICE > ${other} (the paper's claim)`, (d) => d > 0);
  }
  mkdirSync(values.report, { recursive: true });
  writeFileSync(path.join(values.report, 'runs.csv'), `${csv.join('\n')}\n`);
  const text = [
    '# Offline RL on D4RL-recipe datasets',
    '',
    `\`npm run bench:offline-data\` builds the datasets, \`npm run bench:offline\` trains every (algorithm, dataset, seed) and writes this report. Settings: ${settings.steps} gradient steps per run at batch ${settings.batchSize}, every network two hidden layers of ${settings.hidden} (O-DICE's value networks with LayerNorm and twin heads), the algorithms' reference defaults otherwise (\`docs/offline.md\`); deterministic evaluation every ${settings.evalEvery} steps (${settings.evalEpisodes} episodes). Every run, with its evaluation curve, is in \`runs.json\` beside this report, together with the digest of each dataset it trained on (SHA-256 of its rows, \`datasetDigest\`); the sweep skips the runs recorded there, so it can be spread over several sessions and refuses datasets built differently.`,
    '',
    '## Datasets',
    '',
    'D4RL\'s recipes on rxrl\'s own physics: the expert is a PPO run of 1M steps, the seed that evaluated best in the PPO reports (`docs/benchmarks/hopper`, `docs/benchmarks/halfcheetah-ppo`); medium-replay is every transition of a PPO run trained until its last 10 episodes averaged about a third of the expert\'s return (that run is the medium policy); medium is 1M transitions of the medium policy; medium-expert is 1M medium and 1M expert transitions. Normalised scores use D4RL\'s reference returns (random and expert SAC on MuJoCo), which fit rxrl\'s physics only approximately; PPO\'s experts are far below D4RL\'s SAC experts on HalfCheetah (see the best episode of halfcheetah-medium-expert below), so every HalfCheetah score is low.',
    '',
    '| dataset | env | rows | episodes | return (mean ± sd) | normalised mean | normalised best episode |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...datasets.map((ds) => (facts.get(ds) as DatasetFacts).tableRow),
    '',
    '## Final normalised scores',
    '',
    'Mean over seeds of the D4RL-normalised score of the final deterministic evaluation (10 episodes), 100 · (return − random) / (expert − random) with D4RL\'s reference returns, with a 95% bootstrap interval over the seeds and the number of seeds.',
    '',
    ...lines,
    '',
    '## Targets',
    '',
    'The offline issue asks, on 5 seeds per cell: O-DICE above BC on the medium-replay sets and within 2 normalised points of IQL or better on every dataset; the paper also claims O-DICE above the semi- and true-gradient variants. Differences of the means over seeds; a verdict is provisional while a cell has fewer than 5 seeds.',
    '',
    '| target | dataset | O-DICE − other (mean) | verdict | seeds (O-DICE / other) |',
    '|---|---|---:|---|---:|',
    ...targets,
    '',
    '## Differences',
    '',
    'Difference of the mean normalised score, 95% bootstrap interval (seeds of each algorithm resampled independently).',
    '',
    '| dataset | difference | mean [95% CI] | verdict |',
    '|---|---|---:|---|',
    ...comparisons,
    '',
    ...baseline,
  ].join('\n');
  // Learning curves: mean normalised score over the seeds at each evaluation.
  const points = new Map<string, { algo: string; dataset: string; step: number; sum: number; n: number }>();
  for (const c of curves) {
    const key = `${c.algo}/${c.dataset}/${c.step}`;
    const p = points.get(key) ?? { algo: c.algo, dataset: c.dataset, step: c.step, sum: 0, n: 0 };
    p.sum += c.score;
    p.n++;
    points.set(key, p);
  }
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'D4RL-normalised score of the deterministic policy (mean over seeds)',
    data: { values: [...points.values()].map((p) => ({ algo: p.algo, dataset: p.dataset, step: p.step, score: p.sum / p.n })) },
    facet: { field: 'dataset', type: 'nominal', title: null },
    columns: 3,
    spec: { width: 220, height: 150, mark: { type: 'line', point: true }, encoding: { x: { field: 'step', type: 'quantitative', title: 'gradient steps' }, y: { field: 'score', type: 'quantitative', title: 'normalised score' }, color: { field: 'algo', type: 'nominal', title: 'algorithm' } } },
  };
  writeFileSync(path.join(values.report, 'curves.png'), await svgToPng(await renderSvg(spec as never)));
  writeFileSync(path.join(values.report, 'offline.md'), `${text}\n![learning curves](curves.png)\n`);
  console.log(text);
}

/**
 * The report's section setting another record beside this one: per algorithm and dataset, the
 * mean normalised final score over the seeds both records hold. Refuses a record whose runs
 * trained on other rows of a dataset.
 */
function baselineSection(dir: string, facts: ReadonlyMap<string, DatasetFacts>, here: OfflineRecord): string[] {
  const other = new OfflineRecord(dir);
  const rows: string[] = [];
  for (const ds of datasets) {
    const f = facts.get(ds) as DatasetFacts;
    const digest = other.datasetDigest(ds);
    if (digest !== undefined && digest !== f.digest) throw new Error(`--baseline ${dir}: its ${ds} runs trained on other rows (digest ${digest.slice(0, 16)}…, this one ${f.digest.slice(0, 16)}…)`);
    for (const algo of algos) {
      const theirs = new Map(other.runsOf(algo, ds).map((r) => [r.seed, r.finalReturn] as const));
      const pairs = here.runsOf(algo, ds).filter((r) => theirs.has(r.seed)).map((r) => [normalizedScore(r.finalReturn, f.ref), normalizedScore(theirs.get(r.seed) as number, f.ref)] as const);
      if (pairs.length === 0) continue;
      const a = mean(pairs.map((p) => p[0]));
      const b = mean(pairs.map((p) => p[1]));
      rows.push(`| ${ds} | ${algo} | ${pairs.length} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a - b).toFixed(1).replace(/^-0\.0$/, '0.0')} |`);
    }
  }
  return [
    `## Beside ${dir} (${other.settings.steps} gradient steps)`,
    '',
    `Mean normalised final score over the seeds both records hold: this record (${settings.steps} steps) and the other one.`,
    '',
    '| dataset | algorithm | seeds | this record | other | difference |',
    '|---|---|---:|---:|---:|---:|',
    ...rows,
    '',
  ];
}

const facts = new Map<string, DatasetFacts>();
for (const ds of datasets) facts.set(ds, await datasetFacts(ds));
const record = await openRecord(facts);
if (!values['report-only']) await train(record, facts);
await report(record, facts);
