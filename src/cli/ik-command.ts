import { InvalidArgumentError, type Command } from 'commander';
import { chainJoints, findEffector, IK_SOLVERS, IkError, IkProblem, solveIk, type IkSolverName } from '../ik/index.js';
import { loadMjcfFile } from '../physics/mjcf.js';
import { parseNonNegativeInt, parsePositiveInt } from './parse.js';

interface IkFlags {
  model: string;
  chain: string;
  target: readonly number[];
  solver: IkSolverName;
  tolerance: number;
  maxIterations: number;
  seed: number;
  json?: boolean;
}

function parseTarget(value: string): number[] {
  const parts = value.split(',').map((v) => v.trim());
  const xyz = parts.map(Number);
  if (parts.length !== 3 || parts.some((p) => p === '') || xyz.some((v) => !Number.isFinite(v))) throw new InvalidArgumentError(`expected three finite numbers x,y,z (metres), got "${value}"`);
  return xyz;
}

function parseSolver(value: string): IkSolverName {
  if (!(IK_SOLVERS as readonly string[]).includes(value)) throw new InvalidArgumentError(`unknown solver "${value}"; available: ${IK_SOLVERS.join(', ')}`);
  return value as IkSolverName;
}

function parseMetres(value: string): number {
  const v = Number(value);
  if (!(v > 0)) throw new InvalidArgumentError(`expected a positive distance in metres, got "${value}"`);
  return v;
}

/** `rxrl ik`: one inverse-kinematics solve on a chain of an MJCF model. */
export function addIkCommand(program: Command): void {
  program
    .command('ik')
    .description('solve inverse kinematics for a chain of an MJCF model: joint angles that put TIP at the target')
    .requiredOption('--model <file>', 'MJCF model (e.g. ../shared/fixtures/mujoco/humanoid.xml)')
    .requiredOption('--chain <root:tip>', 'ROOT body (or "world") and TIP body, geom or site, e.g. torso:right_hand; the hinge and slide joints between them move')
    .requiredOption('--target <x,y,z>', 'target position of TIP in world coordinates (metres)', parseTarget)
    .option('--solver <name>', `${IK_SOLVERS.join(', ')}`, parseSolver, 'dls')
    .option('--tolerance <m>', 'success when the position error is at most this (metres)', parseMetres, 0.001)
    .option('--max-iterations <n>', 'iteration budget', parsePositiveInt, 500)
    .option('--seed <n>', 'seed of the restarts', parseNonNegativeInt, 0)
    .option('--json', 'print one JSON object {angles, positionError, iterations, ms, success}')
    .action((flags: IkFlags) => {
      const model = loadMjcfFile(flags.model);
      const [rootName, tipName, ...extra] = flags.chain.split(':');
      if (rootName === undefined || tipName === undefined || rootName === '' || tipName === '' || extra.length > 0) throw new IkError(`--chain must be ROOT:TIP (a body, then a body, geom or site), got "${flags.chain}"`);
      const root = rootName === 'world' ? 0 : findEffector(model, rootName);
      if (typeof root !== 'number' && root.kind !== 'body') throw new IkError(`the chain's root "${rootName}" is a ${root.kind}; it must be a body (or "world")`);
      const tip = findEffector(model, tipName);
      const joints = chainJoints(model, typeof root === 'number' ? root : root.body, tip.body);
      const problem = new IkProblem(model, 1, { joints, tasks: [{ kind: 'position', effector: tip }] });
      problem.setTarget(0, 0, flags.target);
      const start = new Float64Array(problem.size);
      joints.forEach((j, i) => (start[i] = model.qpos0[model.jntQposAdr[j] as number] as number));
      const t0 = performance.now();
      const r = solveIk(problem, start, { solver: flags.solver, tolerance: flags.tolerance, maxIterations: flags.maxIterations, seed: flags.seed });
      const ms = performance.now() - t0;
      const angles = Object.fromEntries(joints.map((j, i) => [model.jntNames[j] as string, r.q[i] as number]));
      const result = { angles, positionError: r.errors[0] as number, iterations: r.iterations[0] as number, ms, success: r.success[0] === 1 };
      if (flags.json === true) {
        console.log(JSON.stringify(result));
      } else {
        for (const [name, v] of Object.entries(angles)) console.log(`${name.padEnd(20)} ${v.toFixed(6)} rad (${((v * 180) / Math.PI).toFixed(2)}°)`);
        console.log(`position error ${(result.positionError * 1000).toFixed(3)} mm after ${result.iterations} iterations (${flags.solver}, ${ms.toFixed(2)} ms): ${result.success ? 'reached' : `not reached within ${(flags.tolerance * 1000).toFixed(1)} mm (the closest configuration found is shown)`}`);
      }
      if (!result.success) process.exitCode = 2;
    });
}
