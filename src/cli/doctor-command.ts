import type { Command } from 'commander';
import { arch, platform } from 'node:os';
import { GymnasiumEnv } from '../envs/gymnasium/gymnasium-env.js';
import { describePython, probePython, resolvePython, setupHint, type PythonChoice, type ProbeResult } from '../envs/gymnasium/python.js';
import { fastEngineInfo } from '../nn/fast/arena.js';
import { VERSION } from '../version.js';

/**
 * Adds `--python PATH` to the program (recognised before or after any subcommand): it sets
 * `RXRL_PYTHON`, which every bridged env (`gymnasium:ID`) started by that command, and the
 * processes it starts, then use.
 */
export function addPythonOption(program: Command): void {
  program.option('--python <path>', 'Python interpreter for gymnasium: envs (sets RXRL_PYTHON; default .venv-bridge/bin/python, else python3)');
  program.hook('preSubcommand', (command) => {
    const python = command.opts<{ python?: string }>().python;
    if (python !== undefined) process.env['RXRL_PYTHON'] = python;
  });
}

/** What `rxrl doctor --json` prints. */
export interface DoctorReport {
  readonly rxrl: string;
  readonly node: string;
  readonly platform: string;
  readonly python: { readonly command: string; readonly source: PythonChoice['source'] } & ProbeResult;
  /** A bridged CartPole-v1 reset and step (with `--check`), or null when not tried. */
  readonly bridge: { readonly ok: boolean; readonly seconds?: number; readonly error?: string } | null;
  readonly networks: { readonly engine: 'fast'; readonly kernels: string; readonly reason: string };
  readonly tfjs: { readonly ok: true; readonly backend: string; readonly description: string } | { readonly ok: false; readonly error: string };
}

async function bridgeCheck(): Promise<NonNullable<DoctorReport['bridge']>> {
  const started = performance.now();
  try {
    const env = await GymnasiumEnv.create('CartPole-v1');
    try {
      await env.reset({ seed: 0 });
      await env.step(0);
    } finally {
      await env.close();
    }
    return { ok: true, seconds: (performance.now() - started) / 1000 };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

async function tfjsBackend(): Promise<DoctorReport['tfjs']> {
  try {
    const { describeBackend, initBackend } = await import('../nn/backend.js');
    const info = await initBackend('auto', () => {});
    return { ok: true, backend: info.name, description: describeBackend(info).replace(/^rxrl: tensor backend /, '') };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** Collects the report: the Python the bridge would use and its packages, the network engines. */
export async function doctorReport(options: { readonly check?: boolean } = {}): Promise<DoctorReport> {
  const choice = resolvePython();
  const probe = probePython(choice);
  const gymnasiumOk = probe.ok && probe.probe.gymnasium !== null;
  const engine = fastEngineInfo();
  return {
    rxrl: VERSION,
    node: process.version,
    platform: `${platform()} ${arch()}`,
    python: { command: choice.command, source: choice.source, ...probe },
    bridge: options.check === true && gymnasiumOk ? await bridgeCheck() : null,
    networks: { engine: 'fast', kernels: engine.kernels, reason: engine.reason },
    tfjs: await tfjsBackend(),
  };
}

function formatReport(r: DoctorReport): string {
  const lines = [`rxrl ${r.rxrl} on Node ${r.node} (${r.platform})`];
  const row = (name: string, value: string) => lines.push(`  ${name.padEnd(10)} ${value}`);
  const choice: PythonChoice = { command: r.python.command, source: r.python.source };
  if (!r.python.ok) {
    row('python', `not usable: ${r.python.reason}`);
    row('', `fix: ${setupHint()}`);
  } else {
    const p = r.python.probe;
    row('python', `${p.python} — ${describePython(choice)}${p.executable !== r.python.command ? `, ${p.executable}` : ''}`);
    const pkg = (name: 'numpy' | 'gymnasium' | 'mujoco', need: string) => {
      const version = p[name];
      const error = p[`${name}_error`];
      row(name, version !== null ? version : `not installed (${need})${error !== undefined ? `: ${error}` : ''}`);
    };
    pkg('numpy', 'needed by the bridge');
    pkg('gymnasium', 'needed by the bridge');
    pkg('mujoco', 'needed for the MuJoCo envs, e.g. gymnasium:Hopper-v5');
    if (p.gymnasium === null || p.numpy === null) row('', `fix: ${setupHint()}`);
  }
  if (r.bridge !== null) row('bridge', r.bridge.ok ? `ok: gymnasium:CartPole-v1 started, reset and stepped in ${(r.bridge.seconds ?? 0).toFixed(2)} s` : `FAILED: ${r.bridge.error ?? ''}`);
  row('networks', `fast engine (default), ${r.networks.kernels} kernels${r.networks.kernels === 'js' ? ` — ${r.networks.reason}` : ''}`);
  row('tfjs', r.tfjs.ok ? r.tfjs.description : `no backend loads: ${r.tfjs.error}`);
  return lines.join('\n');
}

/** `rxrl doctor`: what the Gymnasium bridge and the network engines would use on this machine. */
export function addDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('report the Python used by gymnasium: envs (python, numpy, gymnasium, mujoco versions) and the network backends')
    .option('--check', 'also start a bridged gymnasium:CartPole-v1 and step it')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { check?: boolean; json?: boolean }) => {
      const report = await doctorReport({ check: opts.check === true });
      console.log(opts.json === true ? JSON.stringify(report, null, 2) : formatReport(report));
      if (report.bridge !== null && !report.bridge.ok) process.exitCode = 1;
    });
}
