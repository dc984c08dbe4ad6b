import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { checkEnv, make } from '../../src/envs/index.js';
import { TEXT_QUEST_VOCABULARY, TextQuestKernel } from '../../src/envs/tasks/text-quest.js';

/** A scripted player reading the text: take what lies here, unlock the door ahead, visit side rooms with items, carry the gem home. */
function scriptedCommand(k: TextQuestKernel, text: string, commands: Map<string, number>, sideHasItems: (corridorRoom: number) => boolean): number {
  const words = text.split(' ');
  const seen = words.slice(words.indexOf('see') + 1, words.indexOf('inventory'));
  const held = words.slice(words.indexOf('inventory') + 1, -1);
  const room = words[4] as string;
  const cmd = (c: string) => commands.get(c) as number;
  for (let i = 0; i < seen.length; i++) if (seen[i + 1] === 'key') return cmd(`take ${seen[i]} key`);
  if (seen.includes('gem')) return cmd('take gem');
  const exits = words.slice(words.indexOf('exits') + 1, words.indexOf('see')).filter((w) => ['north', 'south', 'east', 'west'].includes(w));
  const isSide = k.sideRoomNames.includes(room);
  if (held.includes('gem')) {
    if (room === 'hall') return cmd('put gem on altar');
    if (isSide) return cmd(`go ${exits[0]}`);
    return cmd('go west');
  }
  if (isSide) return cmd(`go ${exits[0]}`);
  const door = words.indexOf('door');
  for (let i = door; i >= 0 && i < words.length; i = words.indexOf('door', i + 1)) {
    if (words[i + 1] === 'east' && words[i + 3] === 'locked' && held.includes(words[i + 2] as string)) return cmd(`use ${words[i + 2]} key on door`);
  }
  // Detour into a side room only when something lies there (read from the state: the text shows a room's contents only from inside).
  const side = exits.find((e) => e === 'north' || e === 'south');
  if (side !== undefined && sideHasItems(ROOMS.indexOf(room))) return cmd(`go ${side}`);
  return cmd('go east');
}
const ROOMS = ['hall', 'kitchen', 'library', 'cellar', 'attic', 'garden', 'study', 'pantry'];

describe('rxrl/TextQuest-v0', () => {
  it('passes checkEnv with both observations', async () => {
    expect((await checkEnv(make('rxrl/TextQuest-v0'))).ok).toBe(true);
    expect((await checkEnv(make('rxrl/TextQuest-v0', { observation: 'tokens' }))).ok).toBe(true);
  });

  it('every instance needs 30+ turns, and a scripted player solves each in exactly the shortest number of turns', () => {
    const k = new TextQuestKernel();
    const commands = new Map(Array.from({ length: k.actionSpace.n }, (_, a) => [k.command(a), a] as const));
    const state = new Float64Array(k.stateSize);
    const out = { reward: 0, terminated: false };
    const rng = new Rng('text-quest');
    for (let episode = 0; episode < 50; episode++) {
      k.resetState(state, 0, rng);
      const shortest = k.solutionLength(state);
      expect(shortest).toBeGreaterThanOrEqual(30);
      let turns = 0;
      let total = 0;
      do {
        // State layout: [room, valid, side × C, gap × D, open × D, key room × D, gem room]; side room of i is C + i.
        const C = k.rooms;
        const items = Array.from(state.subarray(2 + C + 2 * k.doors, 2 + C + 3 * k.doors + 1));
        k.step(state, 0, Int32Array.of(scriptedCommand(k, k.text(state), commands, (i) => items.includes(C + i))), 0, out);
        expect(state[1]).toBe(1);
        total += out.reward;
        turns++;
      } while (!out.terminated && turns < 200);
      expect(total).toBe(1);
      expect(turns).toBe(shortest);
      expect(k.finalInfo(state, 0)).toEqual({ is_success: true });
    }
  });

  it('penalises commands that cannot be carried out, and says so', () => {
    const k = new TextQuestKernel({ invalidPenalty: 0.25 });
    const state = new Float64Array(k.stateSize);
    k.resetState(state, 0, new Rng(3));
    const out = { reward: 0, terminated: false };
    // Nothing to put yet, and the hall has no exit west.
    for (const c of ['put gem on altar', 'go west', 'take gem']) {
      const a = Array.from({ length: k.actionSpace.n }, (_, i) => i).find((i) => k.command(i) === c) as number;
      k.step(state, 0, Int32Array.of(a), 0, out);
      expect(out).toEqual({ reward: -0.25, terminated: false });
      expect(k.text(state).endsWith('invalid')).toBe(true);
    }
    k.step(state, 0, Int32Array.of(k.actionSpace.n - 1), 0, out); // look
    expect(out.reward).toBe(0);
    expect(k.text(state).endsWith('ok')).toBe(true);
  });

  it('word counts and token ids describe the same text', () => {
    const bow = new TextQuestKernel();
    const seq = new TextQuestKernel({ observation: 'tokens' });
    const state = new Float64Array(bow.stateSize);
    bow.resetState(state, 0, new Rng(5));
    const counts = new Float32Array(bow.observationSpace.flatDim);
    const ids = new Float32Array(seq.observationSpace.flatDim);
    bow.observe(state, 0, counts, 0);
    seq.observe(state, 0, ids, 0);
    const words = Array.from(ids).filter((i) => i > 0).map((i) => TEXT_QUEST_VOCABULARY[i - 1]);
    expect(words.join(' ')).toBe(bow.text(state));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(words.length);
  });

  it('replays instances by seed and rejects bad keyword arguments', () => {
    const env = make('rxrl/TextQuest-v0', { numEnvs: 4 });
    const obs = (env.reset({ seeds: ['q', 'q', 'r', 'r'] }) as { observations: Float32Array }).observations;
    const D = env.observationSize;
    expect(Array.from(obs.subarray(D, 2 * D))).toEqual(Array.from(obs.subarray(0, D)));
    expect(() => make('rxrl/TextQuest-v0', { rooms: 9 })).toThrow(/rooms must be an integer in \[3, 8\]/);
    expect(() => make('rxrl/TextQuest-v0', { rooms: 4, doors: 3 })).toThrow(/doors must be an integer in \[1, 2\]/);
    expect(() => make('rxrl/TextQuest-v0', { observation: 'pixels' })).toThrow(/bow.*tokens/);
  });
});
