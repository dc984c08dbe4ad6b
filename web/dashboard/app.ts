/**
 * The dashboard page: the run list, one uPlot chart per curve with a line per selected run
 * (points streamed over Server-Sent Events, redrawn at most a few times a second), the focused
 * run's config, and the live run's env drawn on a canvas.
 */
import uPlot from 'uplot';
import { CURVES, type CurveName, type CurvePoint, type RunInfo, type Scene } from '../../src/dashboard/protocol.js';

const TITLES: Record<CurveName, string> = {
  return: 'Episode return (mean of the last 10 training episodes)',
  evalReturn: 'Evaluation return',
  policyLoss: 'Policy loss',
  valueLoss: 'Value loss',
  approxKl: 'Approximate KL',
  entropy: 'Entropy',
  stepsPerSecond: 'Env steps per second',
};
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4d7c0f', '#be185d'];

interface RunState {
  readonly info: RunInfo;
  readonly color: string;
  readonly points: CurvePoint[];
  stream: EventSource | null;
  selected: boolean;
}

const runs = new Map<string, RunState>();
const charts = new Map<CurveName, { plot: uPlot; box: HTMLElement; runs: string[] }>();
let dirty = false;

const el = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const status = (text: string) => (el('status').textContent = text);

async function main(): Promise<void> {
  const list = (await (await fetch('/api/runs')).json()) as RunInfo[];
  list.forEach((info, i) => runs.set(info.id, { info, color: COLORS[i % COLORS.length] as string, points: [], stream: null, selected: false }));
  // Live runs, or else the newest few, start selected.
  const initial = list.some((r) => r.live) ? list.filter((r) => r.live) : list.slice(0, 4);
  for (const r of initial) select(r.id, true);
  renderRunList();
  const focus = initial[0];
  if (focus !== undefined) await showConfig(focus.id);
  const liveRun = list.find((r) => r.live && !r.ended);
  if (liveRun !== undefined) watchScene(liveRun.id);
  else el('scene-note').textContent = 'No run is training in this process: the live picture shows while one does.';
  status(list.length === 0 ? 'no runs yet' : `${list.length} run(s)`);
  setInterval(() => {
    if (dirty) redraw();
  }, 200);
}

function renderRunList(): void {
  const ul = el<HTMLUListElement>('runs');
  ul.replaceChildren();
  for (const r of runs.values()) {
    const li = document.createElement('li');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.checked = r.selected;
    box.dataset['run'] = r.info.id;
    box.addEventListener('change', () => {
      select(r.info.id, box.checked);
      void showConfig(r.info.id);
    });
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.style.background = r.color;
    const label = document.createElement('label');
    label.append(box, swatch, `${r.info.id}`);
    if (r.info.live) {
      const badge = document.createElement('span');
      badge.className = 'live';
      badge.textContent = r.info.ended ? 'ended' : 'live';
      label.append(badge);
    }
    li.append(label);
    ul.append(li);
  }
}

function select(id: string, on: boolean): void {
  const r = runs.get(id);
  if (r === undefined) return;
  r.selected = on;
  if (on && r.stream === null && r.points.length === 0) {
    const stream = new EventSource(`/api/runs/${encodeURIComponent(id)}/points`);
    r.stream = stream;
    stream.addEventListener('points', (e) => {
      for (const p of JSON.parse((e as MessageEvent<string>).data) as CurvePoint[]) r.points.push(p);
      dirty = true;
    });
    stream.addEventListener('end', () => {
      stream.close();
      r.stream = null;
      if (r.info.live) status(`${r.info.id} finished`);
    });
  }
  dirty = true;
}

async function showConfig(id: string): Promise<void> {
  const config = (await (await fetch(`/api/runs/${encodeURIComponent(id)}/config`)).json()) as unknown;
  el('config-run').textContent = id;
  el('config').textContent = JSON.stringify(config, null, 2);
}

/** One chart per curve; rebuilt when the selection changes, fed new data otherwise. */
function redraw(): void {
  dirty = false;
  const selected = [...runs.values()].filter((r) => r.selected);
  const holder = el('charts');
  for (const curve of CURVES) {
    const tables = selected.map((r) => {
      const pts = r.points.filter((p) => p.values[curve] !== undefined);
      return [pts.map((p) => p.step), pts.map((p) => p.values[curve] as number)] as [number[], number[]];
    });
    const data = (tables.length > 0 ? uPlot.join(tables) : [[]]) as uPlot.AlignedData;
    const count = tables.reduce((n, t) => n + t[0].length, 0);
    const ids = selected.map((r) => r.info.id);
    let chart = charts.get(curve);
    if (chart !== undefined && chart.runs.join('\n') !== ids.join('\n')) {
      chart.plot.destroy();
      chart.box.remove();
      charts.delete(curve);
      chart = undefined;
    }
    if (chart === undefined) {
      const box = document.createElement('div');
      box.className = 'chart';
      box.dataset['curve'] = curve;
      const title = document.createElement('h3');
      title.textContent = TITLES[curve];
      box.append(title);
      holder.append(box);
      const plot = new uPlot(
        {
          width: 430,
          height: 220,
          scales: { x: { time: false } },
          legend: { show: ids.length > 1 },
          // Points show where a line is sparse (uPlot's default), e.g. a run with one evaluation.
          series: [{ label: 'step' }, ...selected.map((r) => ({ label: r.info.id, stroke: r.color, width: 1.5, spanGaps: true }))],
          axes: [{ label: 'env steps', values: (_u: uPlot, ticks: number[]) => ticks.map(compact) }, { size: 56, values: (_u: uPlot, ticks: number[]) => ticks.map(compact) }],
        },
        data,
        box,
      );
      chart = { plot, box, runs: ids };
      charts.set(curve, chart);
    } else {
      chart.plot.setData(data);
    }
    chart.box.dataset['points'] = String(count);
  }
}

/** Tick labels that fit: 12.5k, 3M, 0.004. */
function compact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  return `${+v.toPrecision(3)}`;
}

/** The live run's env: frames over Server-Sent Events, drawn on the canvas. */
function watchScene(id: string): void {
  el('scene-run').textContent = id;
  const canvas = el<HTMLCanvasElement>('scene');
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
  const stream = new EventSource(`/api/runs/${encodeURIComponent(id)}/frames`);
  let frames = 0;
  const drawn = () => (canvas.dataset['frames'] = String(++frames));
  stream.addEventListener('frame', (e) => {
    const scene = JSON.parse((e as MessageEvent<string>).data) as Scene;
    if (scene.kind === 'svg') {
      const img = new Image();
      img.onload = () => {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
        drawn();
      };
      img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(scene.svg)}`;
      return;
    }
    if (scene.kind === 'text') drawText(ctx, canvas.width, canvas.height, scene.text);
    else drawClassic(ctx, canvas.width, canvas.height, scene);
    drawn();
  });
  stream.addEventListener('unavailable', (e) => {
    el('scene-note').textContent = `No live picture: ${(JSON.parse((e as MessageEvent<string>).data) as { reason: string }).reason}`;
    stream.close();
  });
  stream.onerror = () => stream.close();
}

/** Lines of monospace text, as large as fits the canvas. */
function drawText(ctx: CanvasRenderingContext2D, w: number, h: number, text: string): void {
  ctx.clearRect(0, 0, w, h);
  const lines = text.split('\n');
  const columns = Math.max(1, ...lines.map((l) => l.length));
  // A monospace glyph is about 0.6 of the font size wide; lines are 1.2 of it apart.
  const size = Math.max(6, Math.min(28, (w - 16) / (0.6 * columns), (h - 16) / (1.2 * lines.length)));
  ctx.font = `${size}px ui-monospace, monospace`;
  ctx.fillStyle = '#1d2330';
  ctx.textBaseline = 'top';
  lines.forEach((line, i) => ctx.fillText(line, 8, 8 + i * 1.2 * size));
}

function drawClassic(ctx: CanvasRenderingContext2D, w: number, h: number, s: Exclude<Scene, { kind: 'svg' | 'text' }>): void {
  ctx.clearRect(0, 0, w, h);
  ctx.lineCap = 'round';
  ctx.strokeStyle = '#1d2330';
  const line = (x0: number, y0: number, x1: number, y1: number, width: number, color = '#1d2330') => {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
    ctx.stroke();
  };
  switch (s.kind) {
    case 'cartpole': {
      const scale = w / 4.8; // the track spans x ∈ [−2.4, 2.4]
      const ground = h * 0.7;
      line(0, ground, w, ground, 1, '#9ca3af');
      const cx = w / 2 + s.x * scale;
      ctx.fillStyle = '#1d2330';
      ctx.fillRect(cx - 25, ground - 15, 50, 30);
      const pole = 1.0 * scale; // pole length 2·0.5 m
      line(cx, ground - 15, cx + pole * Math.sin(s.theta), ground - 15 - pole * Math.cos(s.theta), 8, '#ca8a04');
      break;
    }
    case 'pendulum': {
      const L = Math.min(w, h) * 0.38;
      line(w / 2, h / 2, w / 2 + L * Math.sin(s.theta), h / 2 - L * Math.cos(s.theta), 14, '#c2410c');
      ctx.fillStyle = '#1d2330';
      ctx.beginPath();
      ctx.arc(w / 2, h / 2, 5, 0, 2 * Math.PI);
      ctx.fill();
      break;
    }
    case 'mountaincar': {
      const X = (x: number) => ((x + 1.2) / 1.8) * w;
      const Y = (x: number) => h * 0.85 - (Math.sin(3 * x) * 0.45 + 0.55) * h * 0.6;
      ctx.strokeStyle = '#6b7280';
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (let i = 0; i <= 100; i++) {
        const x = -1.2 + (1.8 * i) / 100;
        if (i === 0) ctx.moveTo(X(x), Y(x));
        else ctx.lineTo(X(x), Y(x));
      }
      ctx.stroke();
      line(X(0.5), Y(0.5), X(0.5), Y(0.5) - 30, 2, '#16a34a');
      ctx.fillStyle = '#1d2330';
      ctx.beginPath();
      ctx.arc(X(s.position), Y(s.position) - 8, 8, 0, 2 * Math.PI);
      ctx.fill();
      break;
    }
    case 'acrobot': {
      const L = Math.min(w, h) * 0.22;
      const x0 = w / 2;
      const y0 = h / 2;
      const x1 = x0 + L * Math.sin(s.theta1);
      const y1 = y0 + L * Math.cos(s.theta1);
      line(x0, y0, x1, y1, 8, '#0e7490');
      line(x1, y1, x1 + L * Math.sin(s.theta1 + s.theta2), y1 + L * Math.cos(s.theta1 + s.theta2), 8, '#0e7490');
      line(0, y0 - L, w, y0 - L, 1, '#9ca3af');
      break;
    }
  }
}

main().catch((err: unknown) => status(`error: ${(err as Error).message}`));
