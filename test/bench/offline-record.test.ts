import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OfflineRecord, type RecordedRun } from '../../bench/offline-record.js';

const root = mkdtempSync(path.join(tmpdir(), 'rxrl-offline-record-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const settings = { steps: 1000, evalEvery: 500, evalEpisodes: 2, hidden: 8, batchSize: 16 };
const run = (algo: string, seed: number, finalReturn: number): RecordedRun => ({
  algo,
  dataset: 'hopper-medium',
  seed,
  finalReturn,
  wallSeconds: 1.5 + seed,
  evals: [
    [500, finalReturn / 2],
    [1000, finalReturn],
  ],
});

describe('OfflineRecord', () => {
  it('saves every run at once and reads them back, exactly, by (algorithm, dataset)', () => {
    const dir = path.join(root, 'a');
    const record = new OfflineRecord(dir, settings);
    record.checkDataset('hopper-medium', 'ab'.repeat(32));
    record.add(run('odice', 1, 1234.5678901234567));
    record.add(run('odice', 0, -0.1));
    record.add(run('bc', 0, 3));
    const again = new OfflineRecord(dir, settings);
    expect(again.has('odice', 'hopper-medium', 1)).toBe(true);
    expect(again.has('iql', 'hopper-medium', 0)).toBe(false);
    expect(again.runsOf('odice', 'hopper-medium')).toEqual([run('odice', 0, -0.1), run('odice', 1, 1234.5678901234567)]);
    // A rerun replaces the recorded one rather than adding a second.
    again.add(run('bc', 0, 4));
    expect(new OfflineRecord(dir, settings).runsOf('bc', 'hopper-medium')).toEqual([run('bc', 0, 4)]);
    expect(() => JSON.parse(readFileSync(path.join(dir, 'runs.json'), 'utf8')) as unknown).not.toThrow();
    expect(again.longestWallSeconds('odice')).toBe(2.5);
    expect(again.longestWallSeconds('iql')).toBeUndefined();
  });

  it('refuses other settings and a dataset other than the recorded one, naming them', () => {
    const dir = path.join(root, 'b');
    const record = new OfflineRecord(dir, settings);
    record.checkDataset('hopper-medium', '01'.repeat(32));
    record.add(run('bc', 0, 1));
    expect(() => new OfflineRecord(dir, { ...settings, steps: 2000 })).toThrow(/steps: 1000 → 2000/);
    const reopened = new OfflineRecord(dir, settings);
    expect(() => reopened.checkDataset('hopper-medium', '01'.repeat(32))).not.toThrow();
    expect(() => reopened.checkDataset('hopper-medium', '02'.repeat(32))).toThrow(/hopper-medium\.h5 \(digest 0202.*does not hold the rows.*0101/);
  });
});
