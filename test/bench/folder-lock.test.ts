import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCK_FILE, lockFolder } from '../../src/bench/folder-lock.js';

const root = mkdtempSync(path.join(tmpdir(), 'rxrl-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('lockFolder', () => {
  it('refuses a second claim while the holder lives, naming it, and frees the folder on release', () => {
    const dir = path.join(root, 'a');
    const release = lockFolder(dir, 'sweep');
    expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    expect(() => lockFolder(dir, 'offline sweep')).toThrow(new RegExp(`in use by another offline sweep \\(pid ${process.pid}, this process\\)`));
    release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
    lockFolder(dir, 'sweep')();
  });

  it('takes over a lock left by a process that has exited', () => {
    const dir = path.join(root, 'b');
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    lockFolder(dir, 'sweep')();
    writeFileSync(path.join(dir, LOCK_FILE), `${gone.stdout}\n`);
    const release = lockFolder(dir, 'sweep');
    expect(readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(process.pid));
    release();
  });
});
