import type { Command } from 'commander';
import { exportRunPolicy } from '../loop/export-run.js';
import { initBackend } from '../nn/backend.js';

/** `rxrl export`: writes a run's policy in the TensorFlow.js layers format. */
export function addExportCommand(program: Command): void {
  program
    .command('export')
    .description('export the policy of a run folder as TensorFlow.js model.json + weights.bin (loads in a browser with tf.loadLayersModel)')
    .requiredOption('--run <dir>', 'run folder written by `rxrl train`')
    .requiredOption('--out <dir>', 'folder to write model.json and weights.bin into')
    .action(async (flags: { run: string; out: string }) => {
      // Building the model needs no speed: the plain cpu backend, without tfjs's "install our node backend" banner.
      await initBackend('cpu', () => {});
      console.log(await exportRunPolicy(flags.run, flags.out));
    });
}
