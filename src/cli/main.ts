#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { RxrlError } from '../core/errors.js';
import '../envs/index.js';
import { addBenchCommand } from './bench-command.js';
import { addCheckEnvCommand } from './check-env-command.js';
import { addDashboardCommand } from './dashboard-command.js';
import { addDatasetCommand } from './dataset-command.js';
import { addDoctorCommand, addPythonOption } from './doctor-command.js';
import { addEnvsCommand } from './envs-command.js';
import { addEvalCommand } from './eval-command.js';
import { addOpeCommand } from './ope-command.js';
import { addIkCommand } from './ik-command.js';
import { addExportCommand } from './export-command.js';
import { addRenderCommand } from './render-command.js';
import { addTrainCommand } from './train-command.js';
import { addWorkerCommand } from './worker-command.js';
import { VERSION } from '../version.js';

/** Builds the `rxrl` command line. */
export function buildProgram(): Command {
  const program = new Command();
  // exitOverride before adding subcommands, so they inherit it: errors reach main() instead of process.exit().
  program.name('rxrl').description('Reinforcement learning for TypeScript on Node.js').version(VERSION).exitOverride();
  addTrainCommand(program);
  addEvalCommand(program);
  addExportCommand(program);
  addRenderCommand(program);
  addEnvsCommand(program);
  addCheckEnvCommand(program);
  addBenchCommand(program);
  addWorkerCommand(program);
  addDashboardCommand(program);
  addDatasetCommand(program);
  addOpeCommand(program);
  addIkCommand(program);
  addDoctorCommand(program);
  addPythonOption(program);
  return program;
}

/** Entry point of the `rxrl` binary: typed rxrl errors print their message alone and exit 1. */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    if (err instanceof RxrlError) {
      console.error(`rxrl: ${err.name}: ${err.message}`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}
