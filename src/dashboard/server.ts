import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrainRun } from '../loop/train.js';
import { folderSource, isRunFolder, isRunId, listRunFolders, liveSource, type RunSource } from './run-sources.js';
import type { CurvePoint, RunInfo } from './protocol.js';
import { LiveViewer } from './viewer.js';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** A folder of run folders to list beside the live run (finished runs, for comparison). */
  readonly runsDir?: string;
  /** A run training in this process, shown live under `name` (its run folder's name). */
  readonly live?: { readonly name: string; readonly run: TrainRun };
  /** Frames per second of the live picture at most (default 15; fewer when drawing one costs more than 2% of the time between them). */
  readonly fps?: number;
  /** The built front end (default the package's `dist/dashboard/web`). */
  readonly assetsDir?: string;
  /** Called whenever the number of open pages changes. */
  readonly onPages?: (open: number) => void;
}

/** A running dashboard. */
export interface Dashboard {
  readonly url: string;
  /** Pages connected now. */
  pages(): number;
  /** Ends every stream and closes the server. */
  close(): Promise<void>;
}

const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/** Where `npm run build` puts the front end: `dist/dashboard/web` of the package this module belongs to. */
export function defaultAssetsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'dashboard', 'web');
}

/**
 * Serves the dashboard on 127.0.0.1 only: the page, the list of runs, each run's curve points
 * and config as Server-Sent Events / JSON, and the live run's picture. Nothing from the browser
 * reaches the file system but a run id, checked against the runs the server lists itself; only
 * GET is answered, and only for a Host header naming this server (no DNS rebinding).
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const assetsDir = options.assetsDir ?? defaultAssetsDir();
  const fps = options.fps ?? 15;
  const live = options.live !== undefined ? liveSource(options.live.name, options.live.run) : undefined;
  const streams = new Set<ServerResponse>();
  const folderCache = new Map<string, RunSource>();

  const sources = (): RunSource[] => {
    const list: RunSource[] = live !== undefined ? [live] : [];
    if (options.runsDir !== undefined) for (const name of listRunFolders(options.runsDir)) if (name !== live?.id) list.push(source(name) as RunSource);
    return list;
  };
  const source = (id: string): RunSource | undefined => {
    if (!isRunId(id)) return undefined;
    if (live?.id === id) return live;
    if (options.runsDir === undefined || !isRunFolder(options.runsDir, id)) return undefined;
    // A folder run is read once; a run still being written elsewhere shows what it had then.
    let s = folderCache.get(id);
    if (s === undefined) folderCache.set(id, (s = folderSource(id, path.join(options.runsDir, id))));
    return s;
  };

  const openStream = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    streams.add(res);
    options.onPages?.(streams.size);
    res.on('close', () => {
      streams.delete(res);
      options.onPages?.(streams.size);
    });
  };
  const send = (res: ServerResponse, event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

  /** Curve points: the history at once, then new ones batched every 250 ms, then `end`. */
  const streamPoints = (res: ServerResponse, s: RunSource) => {
    openStream(res);
    send(res, 'points', s.points());
    if (s.ended()) {
      send(res, 'end', {});
      return;
    }
    let batch: CurvePoint[] = [];
    const flush = () => {
      if (batch.length > 0) send(res, 'points', batch);
      batch = [];
    };
    const timer = setInterval(flush, 250);
    const unsubscribe = s.subscribe((p) => {
      if (p !== null) return void batch.push(p);
      flush();
      send(res, 'end', {});
    });
    res.on('close', () => {
      clearInterval(timer);
      unsubscribe();
    });
  };

  /** The live run's picture, one step of its own env per frame, while someone watches. */
  const streamFrames = (res: ServerResponse, s: RunSource) => {
    openStream(res);
    const lent = s.run?.live();
    if (lent === undefined) {
      send(res, 'unavailable', { reason: 'the run has not built its policy yet' });
      return;
    }
    const viewer = new LiveViewer(lent);
    let open = true;
    const tick = async () => {
      if (!open || s.ended()) return;
      const t0 = performance.now();
      try {
        const scene = await viewer.frame();
        if (scene === null) {
          send(res, 'unavailable', { reason: `${lent.config.env} has no drawing` });
          return;
        }
        send(res, 'frame', scene);
      } catch (err) {
        send(res, 'unavailable', { reason: (err as Error).message });
        return;
      }
      // At most `fps` frames a second, and frames take at most 2% of the process's time (training shares its thread).
      setTimeout(() => void tick(), Math.max(1000 / fps, (performance.now() - t0) * 49));
    };
    void tick();
    res.on('close', () => {
      open = false;
      void viewer.close();
    });
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const address = server.address() as AddressInfo;
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${address.port}` && host !== `localhost:${address.port}`) return void reply(res, 403, 'forbidden host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return void reply(res, 405, 'only GET');
    const url = new URL(req.url ?? '/', `http://${host}`);
    const asset = ASSETS[url.pathname];
    if (asset !== undefined) {
      const file = path.join(assetsDir, asset.file);
      if (!existsSync(file)) return void reply(res, 500, `the dashboard's page is not built (${file} is missing): run \`npm run build\``);
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store' });
      return void res.end(readFileSync(file));
    }
    if (url.pathname === '/api/runs') {
      const list: RunInfo[] = sources().map((s) => ({ id: s.id, live: s.live, ended: s.ended(), ...describe(s.config) }));
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(list));
    }
    const m = /^\/api\/runs\/([^/]+)\/(config|points|frames)$/.exec(url.pathname);
    if (m === null) return void reply(res, 404, 'not found');
    const s = source(decodeURIComponent(m[1] as string));
    if (s === undefined) return void reply(res, 404, 'no such run');
    if (m[2] === 'config') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(s.config));
    }
    if (m[2] === 'points') return streamPoints(res, s);
    return streamFrames(res, s);
  });
  // SSE streams stay open: never time them out.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    pages: () => streams.size,
    close: () =>
      new Promise<void>((resolve) => {
        live?.dispose();
        for (const res of streams) res.end();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

/** The config fields the run list shows. */
function describe(config: unknown): { algo?: string; env?: string; seed?: number } {
  const c = (config ?? {}) as Record<string, unknown>;
  return { ...(typeof c['algo'] === 'string' ? { algo: c['algo'] } : {}), ...(typeof c['env'] === 'string' ? { env: c['env'] } : {}), ...(typeof c['seed'] === 'number' ? { seed: c['seed'] } : {}) };
}
