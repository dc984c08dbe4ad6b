import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** An object created or removed on the {@link S3Server}. */
export interface ObjectEvent {
  readonly name: string;
  readonly key: string;
}

/** A throwaway S3-compatible server (s3rver) on 127.0.0.1 with one bucket; it accepts the access key S3RVER. */
export interface S3Server {
  readonly endpoint: string;
  /** Every object event so far, in order; clear it with `events.length = 0`. */
  readonly events: ObjectEvent[];
  /** Resolves once every event of the requests answered so far has arrived in {@link events}. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

/** s3rver checks access key ids but not V4 signatures, so wrong secrets go unnoticed there. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/** Starts s3rver in its own process (see s3-server-main.cjs) storing under `directory`. */
export async function startS3Server(directory: string, bucket: string): Promise<S3Server> {
  const main = fileURLToPath(new URL('./s3-server-main.cjs', import.meta.url));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', main, directory, bucket], { stdio: ['pipe', 'pipe', 'pipe'] });
  const events: ObjectEvent[] = [];
  const waiting: (() => void)[] = [];
  let buffered = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start within 10 s: ${stderr}`)), 10_000);
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}): ${stderr}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = JSON.parse(buffered.slice(0, newline)) as ObjectEvent | { port: number } | { synced: true };
        buffered = buffered.slice(newline + 1);
        if ('port' in line) {
          clearTimeout(timer);
          resolve(line.port);
        } else if ('synced' in line) waiting.shift()?.();
        else events.push(line);
      }
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    events,
    settle: () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        child.stdin.write('\n');
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
