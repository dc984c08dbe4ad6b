/**
 * What the dashboard's server sends its page (JSON over HTTP and Server-Sent Events). No
 * imports: the page's code (web/dashboard/) shares these types.
 */

/** The curves the dashboard draws, by name. */
export const CURVES = ['return', 'evalReturn', 'policyLoss', 'valueLoss', 'approxKl', 'entropy', 'stepsPerSecond'] as const;
export type CurveName = (typeof CURVES)[number];

/** One point of a run's curves: the env step and the values known there (a curve absent from a point has no value at it). */
export interface CurvePoint {
  readonly step: number;
  readonly values: Partial<Record<CurveName, number>>;
}

/** A run in `GET /api/runs`. */
export interface RunInfo {
  readonly id: string;
  readonly live: boolean;
  readonly ended: boolean;
  readonly algo?: string;
  readonly env?: string;
  readonly seed?: number;
}

/**
 * What the page draws of an env at one moment: the classic-control tasks as their few
 * coordinates (drawn on a canvas by the page), the physics bodies as an SVG frame, and the
 * text tasks (KeyDoor's grid, SeqTask, TextQuest, the T-maze) as lines of text.
 */
export type Scene =
  | { readonly kind: 'cartpole'; readonly x: number; readonly theta: number }
  | { readonly kind: 'pendulum'; readonly theta: number }
  | { readonly kind: 'mountaincar'; readonly position: number }
  | { readonly kind: 'acrobot'; readonly theta1: number; readonly theta2: number }
  | { readonly kind: 'svg'; readonly svg: string }
  | { readonly kind: 'text'; readonly text: string };
