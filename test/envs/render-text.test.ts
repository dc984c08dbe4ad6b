/** The text pictures of the task envs (what the dashboard draws of them), from states built by hand. */
import { describe, expect, it } from 'vitest';
import '../../src/envs/index.js';
import { make } from '../../src/envs/registry.js';
import { KeyDoorKernel } from '../../src/envs/tasks/key-door.js';
import { SeqTaskKernel } from '../../src/envs/tasks/seq-task.js';
import { TMazeKernel } from '../../src/envs/tasks/t-maze.js';
import { TextQuestKernel } from '../../src/envs/tasks/text-quest.js';
import { Rng } from '../../src/core/rng.js';
import { KernelVectorEnv } from '../../src/envs/vector/kernel-vector-env.js';

describe('renderText', () => {
  it('KeyDoor: walls, the door in the dividing wall, key, goal and agent where the state puts them', () => {
    const kernel = new KeyDoorKernel({ size: 7, minSolution: 0 });
    // [agent x, y, key x, y, has key, wall x, door y, open, goal x, y]
    const state = Float64Array.from([1, 1, 2, 3, 0, 3, 2, 0, 5, 4]);
    expect(kernel.renderText(state, 0)).toBe(['#######', '#A.#..#', '#..D..#', '#.K#..#', '#..#.G#', '#..#..#', '#######', 'key not taken'].join('\n'));
    // Key held and door open: no key on the floor, the door drawn open, the agent in the doorway.
    state.set([3, 2, 2, 3, 1, 3, 2, 1, 5, 4]);
    expect(kernel.renderText(state, 0)).toBe(['#######', '#..#..#', '#..A..#', '#..#..#', '#..#.G#', '#..#..#', '#######', 'holding the key'].join('\n'));
    state.set([4, 2, 2, 3, 1, 3, 2, 1, 5, 4]);
    expect(kernel.renderText(state, 0).split('\n')[2]).toBe('#../A.#');
  });

  it('SeqTask: the prompt and the digits emitted so far', () => {
    const kernel = new SeqTaskKernel({ task: 'reverse', length: 3, base: 12 });
    // [prompt (3), right answer (3), emitted (3), digits emitted]
    const state = Float64Array.from([1, 0, 11, 11, 0, 1, 11, 0, 0, 1]);
    expect(kernel.renderText(state, 0)).toBe('reverse\nprompt  1 0 b\nanswer  b · ·');
  });

  it('T-maze: the corridor, the agent, and the goal on the cued side of the junction', () => {
    const kernel = new TMazeKernel({ length: 3 });
    // [position, cue (0 up, 1 down), steps, outcome]
    expect(kernel.renderText(Float64Array.from([1, 1, 1, 0]), 0)).toBe('   ·\n.A.+\n   G');
    expect(kernel.renderText(Float64Array.from([3, 0, 3, 0]), 0)).toBe('   G\n...A\n   ·');
  });

  it('TextQuest: the turn\'s text, wrapped to lines of at most 40 characters', () => {
    const kernel = new TextQuestKernel();
    const state = new Float64Array(kernel.stateSize);
    kernel.resetState(state, 0, new Rng('render'));
    const picture = kernel.renderText(state, 0);
    expect(picture.split('\n').every((line) => line.length <= 40 && line.length > 0)).toBe(true);
    expect(picture.replace(/\n/g, ' ')).toBe(kernel.text(state, 0));
    expect(picture.split('\n').length).toBeGreaterThan(1);
  });

  it('a vector env draws the copy asked for, and says when its kernel draws nothing', () => {
    const env = make('rxrl/TMaze-v0', { numEnvs: 3, length: 4 }) as KernelVectorEnv;
    env.reset({ seed: 1 });
    expect(env.renderText(2)?.split('\n')[1]).toBe('A...+');
    expect(() => env.renderText(3)).toThrow(/copy out of range/);
    const cartpole = make('CartPole-v1', { numEnvs: 1 }) as KernelVectorEnv;
    expect(cartpole.renderText(0)).toBeNull();
  });
});
