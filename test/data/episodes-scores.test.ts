import { describe, expect, it } from 'vitest';
import { concatDatasets, createDataset, d4rlReferenceScores, EpisodeEndKind, inspectDataset, normalizedScore, referenceScoresFor, returnStatistics, splitEpisodes, taskName, formatReport, datasetDigest } from '../../src/data/index.js';
import { randomDataset } from './helpers.js';

describe('episodes and normalised scores', () => {
  it('splits at terminals, timeouts, unflagged discontinuities and the last row', () => {
    const ds = createDataset({
      observations: Float32Array.of(0, 1, 2, 10, 11, 20, 21),
      nextObservations: Float32Array.of(1, 2, 3, 11, 99, 21, 22),
      actions: new Float32Array(7),
      rewards: [1, 1, 1, 2, 2, 3, 3],
      terminals: [0, 0, 1, 0, 0, 0, 0],
      timeouts: [0, 0, 0, 0, 0, 0, 0],
      observationShape: [1],
    });
    const e = splitEpisodes(ds);
    expect(Array.from(e.starts)).toEqual([0, 3, 5]);
    expect(Array.from(e.lengths)).toEqual([3, 2, 2]);
    expect(Array.from(e.returns)).toEqual([3, 4, 6]);
    expect(Array.from(e.ends)).toEqual([EpisodeEndKind.Terminal, EpisodeEndKind.Unflagged, EpisodeEndKind.Unflagged]);
    expect(splitEpisodes(ds, { detectUnflaggedCuts: false }).count).toBe(2);
  });

  it("uses D4RL's reference returns for the locomotion tasks, whatever the id's form", () => {
    for (const id of ['rxrl/Hopper-v0', 'gymnasium:Hopper-v5', 'Hopper-v4', 'hopper-medium-replay-v2', 'rxrl-record:rxrl/Hopper-v0']) expect(taskName(id)).toBe('hopper');
    expect(d4rlReferenceScores('rxrl/HalfCheetah-v0')).toMatchObject({ min: -280.178953, max: 12135.0 });
    expect(d4rlReferenceScores('walker2d-expert-v2')).toMatchObject({ min: 1.629008, max: 4592.3 });
    expect(d4rlReferenceScores('antmaze-umaze-v2')).toBeUndefined();
    expect(d4rlReferenceScores('CartPole-v1')).toBeUndefined();
    expect(normalizedScore(-20.272305, d4rlReferenceScores('hopper')!)).toBe(0);
    expect(normalizedScore(3234.3, d4rlReferenceScores('hopper')!)).toBeCloseTo(100, 10);
    // The user's references win over the dataset's, which win over D4RL's.
    expect(referenceScoresFor({ envId: 'rxrl/Hopper-v0', refMinScore: 0, refMaxScore: 10 })).toMatchObject({ min: 0, max: 10 });
    expect(referenceScoresFor({ envId: 'rxrl/Hopper-v0' }, { min: 1, max: 2 })).toMatchObject({ min: 1, max: 2, source: 'given by the user' });
    expect(() => referenceScoresFor({}, { min: 1, max: 1 })).toThrow(/different min and max/);
  });

  it('summarises returns (numpy-style quartiles) and reports normalised scores and coverage', () => {
    expect(returnStatistics([4, 1, 3, 2])).toEqual({ count: 4, mean: 2.5, std: Math.sqrt(1.25), min: 1, max: 4, p25: 1.75, median: 2.5, p75: 3.25 });
    const ds = randomDataset(11, 8);
    const report = inspectDataset(ds);
    expect(report.episodes.count).toBe(8);
    expect(report.episodes.terminal + report.episodes.timeout).toBe(8);
    expect(report.normalized?.reference.min).toBe(-20.272305);
    expect(report.observations).toHaveLength(4);
    expect(report.actions[0]!.min).toBeGreaterThanOrEqual(-1);
    expect(report.actions[0]!.coverage).toBeGreaterThan(0.5);
    const text = formatReport(report, 'x.h5');
    expect(text).toMatch(/x\.h5: \d+ transitions, observations \[4\], actions \[2\]/);
    expect(text).toMatch(/normalised score: mean/);
    expect(report.digest).toBe(datasetDigest(ds));
    expect(text).toContain(`rows digest: sha256 ${report.digest}`);
  });

  it('concatenates datasets of the same env and refuses different ones', () => {
    const a = randomDataset(1, 3);
    const b = randomDataset(2, 4);
    const c = concatDatasets([a, b], { recipe: 'medium-expert' });
    expect(c.size).toBe(a.size + b.size);
    expect(splitEpisodes(c).count).toBe(7);
    expect(c.metadata).toEqual({ recipe: 'medium-expert' });
    expect(() => concatDatasets([a, randomDataset(3, 2, 5)])).toThrow(/cannot concatenate dataset 1 \(observations \[5\]/);
  });
});
