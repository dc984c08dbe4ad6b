import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { parseQueueUrl } from '../../src/distributed/queue-url.js';
import { FolderStore, openResultsStore } from '../../src/distributed/results-store.js';
import { jobId, parseRunJob, runJob, sweepId } from '../../src/distributed/run-job.js';
import { sweepRuns, type SweepDefinition } from '../../src/bench/sweep.js';

const def: SweepDefinition = { algos: ['ppo', 'a2c'], envs: ['CartPole-v1'], seeds: 2, steps: 1000, evalEvery: 100, evalEpisodes: 2 };

describe('queue URLs', () => {
  it('reads host, port, database, user and password; rediss:// turns TLS on; the password never shows', () => {
    expect(parseQueueUrl('redis://localhost', {})).toEqual({ connection: { host: 'localhost', port: 6379, db: 0 }, display: 'redis://localhost' });
    const full = parseQueueUrl('rediss://rxrl:s%40cret@queue.example:6380/2', {});
    expect(full.connection).toEqual({ host: 'queue.example', port: 6380, db: 2, username: 'rxrl', password: 's@cret', tls: { servername: 'queue.example' } });
    expect(full.display).toBe('rediss://rxrl:***@queue.example:6380/2');
    expect(parseQueueUrl('redis://h:1', { RXRL_QUEUE_PASSWORD: 'from-env' }).connection.password).toBe('from-env');
  });

  it('refuses what is not a Redis URL, naming the expected form', () => {
    for (const bad of ['localhost:6379', 'http://h:6379', 'redis://h:6379/x', 'redis://h/1?x=1']) expect(() => parseQueueUrl(bad, {}), bad).toThrow(/redis:\/\/\[USER|must be a number|not used/);
    expect(() => parseQueueUrl('nonsense', {})).toThrow(ConfigError);
  });
});

describe('run jobs', () => {
  it('a sweep’s id ignores list order; job ids are deterministic per run', () => {
    expect(sweepId(def)).toBe(sweepId({ ...def, algos: ['a2c', 'ppo'] }));
    expect(sweepId(def)).not.toBe(sweepId({ ...def, seeds: 3 }));
    expect(jobId(sweepId(def), { name: 'ppo-CartPole-v1-s0' })).toBe(`${sweepId(def)}.ppo-CartPole-v1-s0`);
  });

  it('carries validated data only: unknown algorithms, unregistered envs and extra fields are refused', () => {
    const job = runJob(def, sweepRuns(def)[0]!, 100);
    expect(parseRunJob(JSON.parse(JSON.stringify(job)))).toEqual(job);
    expect(() => parseRunJob({ ...job, algo: 'rm -rf' })).toThrow(/algo/);
    expect(() => parseRunJob({ ...job, env: 'nobody/Registered-v0' })).toThrow(/not registered in this worker.*--preload/);
    expect(() => parseRunJob({ ...job, code: 'process.exit()' })).toThrow(/code/);
    expect(() => parseRunJob({ ...job, steps: -1 })).toThrow(/steps/);
  });
});

describe('results stores', () => {
  it('a folder store keeps keys inside its folder; other URL schemes are refused', async () => {
    const store = new FolderStore('/tmp/rxrl-store-test');
    await expect(store.workspace('../outside')).rejects.toThrow(/not a relative path/);
    await expect(store.workspace('a//b')).rejects.toThrow(/not a relative path/);
    expect(await openResultsStore('runs/store')).toBeInstanceOf(FolderStore);
    expect(((await openResultsStore('file:///srv/store')) as FolderStore).root).toBe(path.resolve('/srv/store'));
    await expect(openResultsStore('gs://bucket/x')).rejects.toThrow(/expected a folder path, a file:\/\/ URL or an s3:\/\/ URL/);
  });
});
