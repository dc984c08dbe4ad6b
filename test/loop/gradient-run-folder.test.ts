/** The run-folder commands on a gradient agent's run: eval and render load it, export says why it cannot. */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApgConfigInput } from '../../src/agents/apg/apg-config.js';
import { ConfigError } from '../../src/core/errors.js';
import { evaluateRun, loadRunPolicy } from '../../src/loop/evaluate-run.js';
import { exportRunPolicy } from '../../src/loop/export-run.js';
import { runToEnd, TempDirs } from '../helpers/run.js';

const dirs = new TempDirs('rxrl-gradient-run-');
afterAll(() => dirs.removeAll());

const SMALL: ApgConfigInput = { algo: 'apg', env: 'rxrl/HalfCheetah-v0', seed: 2, numEnvs: 2, horizon: 8, totalSteps: 64, maxEpisodeSteps: 40, evalEvery: 64, evalEpisodes: 1, policy: { hidden: [8] }, critic: { hidden: [8] } };

describe('an APG run folder', () => {
  it('evaluates with the trained policy, and export names what is missing instead of crashing', async () => {
    const dir = dirs.make();
    const { error } = await runToEnd({ config: SMALL, checkpointDir: path.join(dir, 'checkpoints') });
    expect(error).toBeUndefined();
    const loaded = await loadRunPolicy(dir);
    try {
      const reset = await loaded.env.reset({ seed: 0 });
      const a = loaded.agent.act(Float32Array.from(reset.observations), 1, true).actions as Float32Array;
      expect(a).toHaveLength(6);
      expect(Array.from(a).every((x) => Number.isFinite(x) && Math.abs(x) <= 1)).toBe(true);
    } finally {
      await loaded.env.close();
    }
    const a = await evaluateRun(dir, { episodes: 1, deterministic: true, seed: 3 });
    const b = await evaluateRun(dir, { episodes: 1, deterministic: true, seed: 3 });
    expect(a.returns).toHaveLength(1);
    expect(a.returns).toEqual(b.returns);
    await expect(exportRunPolicy(dir, path.join(dir, 'export'))).rejects.toThrow(ConfigError);
    await expect(exportRunPolicy(dir, path.join(dir, 'export'))).rejects.toThrow(/cannot be exported yet/);
  });
});
