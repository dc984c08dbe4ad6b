import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { ConfigError } from '../core/errors.js';
import { LOCOMOTION_TASKS } from '../envs/locomotion/tasks.js';
import { make } from '../envs/registry.js';
import type { VectorEnv } from '../envs/vector/vector-env.js';
import { loadRunPolicy } from '../loop/evaluate-run.js';
import { renderEpisodeSvg, timeLabel } from '../render/animate.js';
import { renderFilmstripPng } from '../render/filmstrip.js';
import { svgToPng } from '../render/png.js';
import { VIEWS, type ViewName } from '../render/projection.js';
import { recordEpisode, type EpisodePolicy, type RecordedEpisode } from '../render/record.js';
import { renderFrameSvg, type FrameOptions } from '../render/svg-frame.js';
import { parseNonNegativeInt, parsePositiveInt } from './parse.js';

/** The flags of `rxrl render`. */
interface RenderFlags {
  env?: string;
  run?: string;
  out?: string;
  png?: string;
  frame?: number;
  filmstrip?: string;
  frames: number;
  steps: number;
  seed: number;
  actions: 'random' | 'zero';
  stochastic?: boolean;
  terminate: boolean;
  view?: ViewName;
  fixedCamera?: boolean;
  every: number;
  width?: number;
}

const choice =
  <T extends string>(allowed: readonly T[]) =>
  (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}, got "${value}"`);
    return value as T;
  };

/** Writes `data` to `file`, creating its folder, and says so. */
function write(file: string, data: string | Buffer, what: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, data);
  console.log(`wrote ${file} (${what})`);
}

/** Rolls out the episode: the run's policy, or random / zero actions on `--env`. */
async function rollOut(flags: RenderFlags): Promise<{ episode: RecordedEpisode; actor: string }> {
  let env: VectorEnv;
  let policy: EpisodePolicy | 'random' | 'zero' = flags.actions;
  let actor = `${flags.actions} actions`;
  if (flags.run !== undefined) {
    if (!flags.terminate) throw new ConfigError('rxrl render: --no-terminate applies to random and zero actions, not to a trained run');
    const loaded = await loadRunPolicy(flags.run, 1);
    if (flags.env !== undefined && flags.env !== loaded.config.env) {
      await loaded.env.close();
      throw new ConfigError(`rxrl render: --env ${flags.env} does not match the run's env ${loaded.config.env}; drop --env`);
    }
    env = loaded.env;
    const deterministic = flags.stochastic !== true;
    policy = (obs) => loaded.agent.act(obs, 1, deterministic).actions;
    actor = `the policy of ${flags.run} (${deterministic ? 'deterministic' : 'sampled'})`;
  } else if (flags.env !== undefined) {
    // Only the tasks with a health rule take terminateWhenUnhealthy (the cheetah never terminates).
    const task = LOCOMOTION_TASKS.find((t) => t.id === flags.env);
    const keepGoing = !flags.terminate && task !== undefined && task.healthy !== null;
    env = make(flags.env, { numEnvs: 1, ...(keepGoing ? { terminateWhenUnhealthy: false } : {}) });
  } else {
    throw new ConfigError('rxrl render: give --env ID (random or zero actions) or --run DIR (a trained policy)');
  }
  try {
    return { episode: await recordEpisode(env, { policy, steps: flags.steps, seed: flags.seed }), actor };
  } finally {
    await env.close();
  }
}

/** `rxrl render`: rolls out an episode of a locomotion env and draws it. */
export function addRenderCommand(program: Command): void {
  program
    .command('render')
    .description('roll out an episode of a locomotion env (a trained run, or random actions) and draw it: animated SVG, PNG still, PNG filmstrip')
    .option('--env <id>', 'environment id, e.g. rxrl/Hopper-v0 (default: the run\'s)')
    .option('--run <dir>', 'run folder written by `rxrl train`: act with its latest checkpoint')
    .option('--out <file>', 'animated SVG of the episode (plays and loops in a browser)')
    .option('--png <file>', 'PNG still of one frame (see --frame)')
    .option('--frame <k>', 'pose shown by --png, counted from 0 (default: the last)', parseNonNegativeInt)
    .option('--filmstrip <file>', 'PNG filmstrip: frames spread over the episode, side by side')
    .option('--frames <n>', 'panels of the filmstrip', parsePositiveInt, 8)
    .option('--steps <n>', 'most steps to roll out (the episode may end sooner)', parsePositiveInt, 1000)
    .option('--seed <n>', 'seed of the reset and of random actions', parseNonNegativeInt, 0)
    .option('--actions <kind>', 'without --run: random or zero', choice(['random', 'zero'] as const), 'random')
    .option('--stochastic', 'with --run: sample actions instead of taking the policy\'s mode')
    .option('--no-terminate', 'without --run: keep stepping after the body falls (terminateWhenUnhealthy: false)')
    .option('--view <name>', `projection: ${Object.keys(VIEWS).join(', ')} (default side; oblique for the ant)`, choice(Object.keys(VIEWS) as ViewName[]))
    .option('--fixed-camera', 'one camera that fits the whole episode instead of following the torso')
    .option('--every <k>', 'animated SVG: keep every k-th pose (smaller file)', parsePositiveInt, 1)
    .option('--width <px>', 'width of the PNGs (default: 960 for --png, 1920 for --filmstrip)', parsePositiveInt)
    .action(async (flags: RenderFlags) => {
      if (flags.out === undefined && flags.png === undefined && flags.filmstrip === undefined) {
        throw new ConfigError('rxrl render: nothing to write; give --out FILE.svg, --png FILE.png and/or --filmstrip FILE.png');
      }
      const { episode, actor } = await rollOut(flags);
      const { model, poses, dt, geomRgba } = episode;
      console.log(`${episode.envId}: ${episode.steps} steps with ${actor}, ended by ${episode.end}, return ${episode.episodeReturn.toFixed(2)}`);
      const style: FrameOptions = { geomRgba, ...(flags.view !== undefined ? { view: flags.view } : {}), ...(flags.fixedCamera === true ? { follow: false } : {}) };
      if (flags.out !== undefined) {
        const svg = renderEpisodeSvg(model, poses, { ...style, dt, every: flags.every });
        const frames = Math.ceil(poses.length / flags.every);
        write(flags.out, svg, `animated SVG, ${frames} frames over ${(poses.length * dt).toFixed(2)} s`);
      }
      if (flags.png !== undefined) {
        const k = flags.frame ?? poses.length - 1;
        if (k >= poses.length) throw new ConfigError(`rxrl render: --frame ${k} is past the episode's last pose (${poses.length - 1})`);
        const svg = renderFrameSvg(model, poses[k] as RecordedEpisode['poses'][number], { ...style, label: `${episode.envId} · ${timeLabel(k * dt, dt)}` });
        write(flags.png, await svgToPng(svg, flags.width ?? 960), `frame ${k}`);
      }
      if (flags.filmstrip !== undefined) {
        const png = await renderFilmstripPng(model, poses, { ...style, dt, frames: flags.frames, width: flags.width ?? 1920 });
        write(flags.filmstrip, png, `filmstrip, ${Math.min(flags.frames, poses.length)} frames`);
      }
    });
}
