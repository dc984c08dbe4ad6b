import { GymnasiumError } from './errors.js';
import { runDiagnostic } from './handshake.js';
import { resolvePython } from './python.js';

/** One id of Gymnasium's registry, as `rxrl envs --gymnasium` shows it. */
export interface GymnasiumListing {
  /** The id to pass to rxrl: `gymnasium:` + Gymnasium's id. */
  readonly id: string;
  /** Gymnasium's entry point, `module:Class`. */
  readonly entryPoint: string;
  readonly maxEpisodeSteps: number | null;
  readonly rewardThreshold: number | null;
}

interface ListJSON {
  readonly envs: readonly { id: string; entry_point: string; max_episode_steps: number | null; reward_threshold: number | null }[];
}

/**
 * Every env id registered in the Python side's Gymnasium (without creating any env), as
 * `gymnasium:` ids. Ids that Gymnasium keeps only to raise an error (the mujoco-py v2/v3
 * versions) are left out. Throws the bridge's setup errors when Python or gymnasium is missing.
 */
export function listGymnasiumEnvs(options: { readonly python?: string; readonly timeoutMs?: number } = {}): GymnasiumListing[] {
  const python = resolvePython(options.python);
  const answer = runDiagnostic('gymnasium', { python, pythonPath: [], startTimeoutMs: options.timeoutMs ?? 120_000 }, '--list', '', 'listing the registry');
  if (answer['error'] !== undefined) throw new GymnasiumError(`gymnasium: listing the registry failed in Python: ${JSON.stringify(answer['error'])}`, 'gymnasium');
  return (answer as unknown as ListJSON).envs
    .filter((e) => !/:_raise_/.test(e.entry_point))
    .map((e) => ({ id: `gymnasium:${e.id}`, entryPoint: e.entry_point, maxEpisodeSteps: e.max_episode_steps, rewardThreshold: e.reward_threshold }));
}
