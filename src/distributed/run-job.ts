import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ALGORITHMS } from '../agents/algorithms.js';
import { ConfigError } from '../core/errors.js';
import { registeredIds } from '../envs/registry.js';
import { runName, type SweepDefinition, type SweepRun } from '../bench/sweep.js';

/** The BullMQ queue every sweep's runs go to. */
export const RUN_QUEUE = 'rxrl-runs';

/**
 * What a queued job carries: one run of a sweep, as plain validated data. No code or paths
 * travel through the queue: the algorithm must be built in and the env registered in the worker
 * (built in, or by a module the worker was told to preload); where results go is the worker's
 * own `--store`.
 */
export const runJobSchema = z
  .object({
    format: z.literal('rxrl-run-job'),
    version: z.literal(1),
    /** The sweep's id ({@link sweepId}). */
    sweep: z.string().regex(/^[0-9a-f]{16}$/),
    algo: z.enum(ALGORITHMS),
    env: z.string().min(1).max(200),
    seed: z.number().int().min(0),
    steps: z.number().int().positive(),
    evalEvery: z.number().int().positive(),
    evalEpisodes: z.number().int().positive(),
    /** Checkpoints every this many steps, from which a run taken over by another worker continues. */
    checkpointEvery: z.number().int().positive(),
  })
  .strict();

export type RunJob = z.infer<typeof runJobSchema>;

/** Checks a job's data (a ConfigError naming what is wrong), including that its env is registered here. */
export function parseRunJob(data: unknown): RunJob {
  const parsed = runJobSchema.safeParse(data);
  if (!parsed.success) throw new ConfigError(`not an rxrl run job: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  if (!registeredIds().includes(parsed.data.env)) throw new ConfigError(`run job names env "${parsed.data.env}", which is not registered in this worker; preload the module that registers it (rxrl worker --preload FILE)`);
  return parsed.data;
}

/**
 * A sweep's id: a hash of its definition (list order ignored), so the same sweep enqueued twice,
 * from any machine, names the same jobs.
 */
export function sweepId(def: SweepDefinition): string {
  const canonical = JSON.stringify({ algos: [...def.algos].sort(), envs: [...def.envs].sort(), seeds: def.seeds, steps: def.steps, evalEvery: def.evalEvery, evalEpisodes: def.evalEpisodes });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** The deterministic BullMQ job id of a sweep's run. */
export const jobId = (sweep: string, run: Pick<SweepRun, 'name'>): string => `${sweep}.${run.name}`;

/** Where a run's folder lives in a results store: under its sweep. */
export const runKey = (job: { readonly sweep: string; readonly algo: string; readonly env: string; readonly seed: number }): string => `${job.sweep}/${runName(job.algo, job.env, job.seed)}`;

/** The job of a sweep's run. */
export function runJob(def: SweepDefinition, run: SweepRun, checkpointEvery: number): RunJob {
  return { format: 'rxrl-run-job', version: 1, sweep: sweepId(def), algo: run.algo as RunJob['algo'], env: run.env, seed: run.seed, steps: def.steps, evalEvery: def.evalEvery, evalEpisodes: def.evalEpisodes, checkpointEvery };
}
