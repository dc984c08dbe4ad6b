/**
 * The offline benchmark's record of finished runs, `runs.json` beside its report: the sweep's
 * settings, the digest of every dataset the runs trained on, and per run its final return,
 * wall time and evaluation curve. The report is built from it alone and the sweep skips what it
 * holds, so a sweep spread over several machines' sessions adds up in the repository instead of
 * in a scratch folder; a dataset rebuilt differently (another digest) is refused, not mixed in.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Settings every recorded run shares. */
export interface SweepSettings {
  readonly steps: number;
  readonly evalEvery: number;
  readonly evalEpisodes: number;
  readonly hidden: number;
  readonly batchSize: number;
}

/** One finished (algorithm, dataset, seed) run. */
export interface RecordedRun {
  readonly algo: string;
  readonly dataset: string;
  readonly seed: number;
  /** Mean return of the final deterministic evaluation. */
  readonly finalReturn: number;
  readonly wallSeconds: number;
  /** [gradient step, mean evaluation return] at every evaluation. */
  readonly evals: readonly (readonly [number, number])[];
}

interface RecordFile {
  settings: SweepSettings;
  /** Dataset name → `datasetDigest` of its rows (not of the .h5 file, whose bytes hold write times). */
  datasets: Record<string, string>;
  runs: RecordedRun[];
}

export const runKey = (algo: string, dataset: string, seed: number): string => `${algo}-${dataset}-s${seed}`;

/** The record in `dir/runs.json` (created empty on the first {@link OfflineRecord.add}). */
export class OfflineRecord {
  private readonly file: string;
  private readonly data: RecordFile;
  private readonly byKey = new Map<string, RecordedRun>();

  /**
   * The record in `dir`, checked to hold runs of `settings`; without `settings`, an existing record
   * read with the settings it was recorded with (another sweep's, to compare against).
   */
  constructor(dir: string, settings?: SweepSettings) {
    this.file = path.join(dir, 'runs.json');
    if (existsSync(this.file)) this.data = JSON.parse(readFileSync(this.file, 'utf8')) as RecordFile;
    else if (settings !== undefined) this.data = { settings, datasets: {}, runs: [] };
    else throw new Error(`${this.file}: no offline record there`);
    const saved = this.data.settings;
    const diffs = settings === undefined ? [] : (Object.keys(settings) as (keyof SweepSettings)[]).filter((k) => saved[k] !== settings[k]).map((k) => `${k}: ${saved[k]} → ${settings[k]}`);
    if (diffs.length > 0) throw new Error(`${this.file} records runs of other settings (${diffs.join('; ')}); pass those settings, or another --report folder`);
    for (const r of this.data.runs) this.byKey.set(runKey(r.algo, r.dataset, r.seed), r);
  }

  /**
   * Checks that `dataset` holds the rows the recorded runs used (and notes its digest when no
   * run used it yet). Throws naming both digests otherwise.
   */
  checkDataset(dataset: string, digest: string): void {
    const known = this.data.datasets[dataset];
    if (known === undefined) {
      this.data.datasets[dataset] = digest;
      return;
    }
    if (known !== digest) {
      throw new Error(
        `${dataset}.h5 (digest ${digest.slice(0, 16)}…) does not hold the rows the runs in ${this.file} trained on (${known.slice(0, 16)}…): ` +
          'rebuild the datasets with `npm run bench:offline-data` from the commit that recorded them, or write to another --report folder',
      );
    }
  }

  /** The settings its runs were recorded with. */
  get settings(): SweepSettings {
    return this.data.settings;
  }

  /** The digest of `dataset`'s rows its runs trained on, if any did. */
  datasetDigest(dataset: string): string | undefined {
    return this.data.datasets[dataset];
  }

  has(algo: string, dataset: string, seed: number): boolean {
    return this.byKey.has(runKey(algo, dataset, seed));
  }

  /** Recorded runs of one (algorithm, dataset), by seed. */
  runsOf(algo: string, dataset: string): RecordedRun[] {
    return this.data.runs.filter((r) => r.algo === algo && r.dataset === dataset).sort((a, b) => a.seed - b.seed);
  }

  /** The longest wall time of a recorded run of `algo` (undefined before its first), to judge whether another fits in the time left. */
  longestWallSeconds(algo: string): number | undefined {
    let longest: number | undefined;
    for (const r of this.data.runs) if (r.algo === algo && (longest === undefined || r.wallSeconds > longest)) longest = r.wallSeconds;
    return longest;
  }

  /** Adds (or replaces) a run and saves the record at once, so an interrupted sweep keeps it. */
  add(run: RecordedRun): void {
    const key = runKey(run.algo, run.dataset, run.seed);
    const old = this.byKey.get(key);
    if (old !== undefined) this.data.runs.splice(this.data.runs.indexOf(old), 1);
    this.data.runs.push(run);
    this.byKey.set(key, run);
    this.save();
  }

  private save(): void {
    const runs = [...this.data.runs].sort((a, b) => a.dataset.localeCompare(b.dataset) || a.algo.localeCompare(b.algo) || a.seed - b.seed);
    // One run per line keeps the file's diffs readable as it grows.
    const text = [
      '{',
      `  "settings": ${JSON.stringify(this.data.settings)},`,
      `  "datasets": ${JSON.stringify(this.data.datasets, null, 4).replace(/\n}$/, '\n  }')},`,
      '  "runs": [',
      runs.map((r) => `    ${JSON.stringify(r)}`).join(',\n'),
      '  ]',
      '}',
      '',
    ].join('\n');
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.file);
  }
}
