import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Name of the lock file a sweep keeps in its folder while it runs. */
export const LOCK_FILE = '.lock';

/**
 * Claims `dir` for this process until the returned function is called (or the process exits):
 * `dir/.lock` holds the claimant's pid. Two sweeps writing into one folder would clear each
 * other's run folders, so a second claim fails while the first process lives; a lock left by a
 * process that died is taken over.
 *
 * @param what — what holds the folder, for the error message (`sweep`, `offline sweep`).
 */
export function lockFolder(dir: string, what: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  for (;;) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: number;
    try {
      holder = Number(readFileSync(file, 'utf8').trim());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released in between
      throw err;
    }
    if (Number.isInteger(holder) && holder > 0 && processLives(holder)) {
      throw new Error(`${dir} is in use by another ${what} (pid ${holder}${holder === process.pid ? ', this process' : ''}): wait for it to end, or write to another folder`);
    }
    unlinkSync(file); // left by a process that is gone
  }
  const release = (): void => {
    process.off('exit', release);
    try {
      if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
    } catch {
      // already gone
    }
  };
  process.on('exit', release);
  return release;
}

function processLives(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}
