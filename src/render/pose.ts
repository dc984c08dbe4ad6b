/**
 * Pose records: what a drawing of one instant of a physics world needs (every body's and every
 * geom's world pose), as plain JSON-serialisable data copied out of the simulator.
 *
 * A record is computed from joint positions alone ({@link poseFromQpos}) into scratch buffers of
 * its own, so taking one never touches a `PhysicsData` (whose pose buffers, after a step,
 * describe the state before it, for the backward pass) and costs nothing until asked for.
 * @module
 */

import { describeValue, RxrlError } from '../core/errors.js';
import { geomPoses } from '../physics/geom.js';
import { kinematics } from '../physics/kinematics.js';
import type { Mat3, Quat, Vec3 } from '../physics/math3.js';
import type { PhysicsModel } from '../physics/model.js';
import type { GeomPoseBuffers, KinematicsBuffers } from '../physics/state.js';

/** A render input that does not fit the model, or an env that has no body poses to draw. */
export class RenderError extends RxrlError {}

/** World pose of one body. */
export interface BodyPose {
  /** The body's name in the model (may be empty). */
  readonly name: string;
  /** Origin of the body frame in world coordinates (m). */
  readonly pos: Readonly<Vec3>;
  /** Orientation, unit quaternion (w, x, y, z), body → world. */
  readonly quat: Readonly<Quat>;
}

/** World pose of one geom. */
export interface GeomPose {
  /** The geom's name in the model (may be empty). */
  readonly name: string;
  /** Centre of the geom in world coordinates (m). */
  readonly pos: Readonly<Vec3>;
  /** Rotation matrix, row-major, geom frame → world (the geom's own axes are its columns). */
  readonly mat: Readonly<Mat3>;
}

/**
 * Everything a drawing of one instant needs, in the model's order: `bodies[b]` is body b
 * (body 0 the world), `geoms[g]` geom g. Plain arrays, safe to keep, serialise or send.
 */
export interface PoseRecord {
  /** Name of the model the record belongs to. */
  readonly model: string;
  /** One per body of the model, body 0 (the world) first. */
  readonly bodies: readonly BodyPose[];
  /** One per geom of the model, in the model's order. */
  readonly geoms: readonly GeomPose[];
}

/** Scratch buffers of one world for {@link kinematics} and {@link geomPoses}. */
function scratch(model: PhysicsModel, qpos: Float64Array): KinematicsBuffers & GeomPoseBuffers {
  const { nbody, njnt, ngeom } = model;
  return {
    qpos,
    xpos: new Float64Array(3 * nbody),
    xquat: new Float64Array(4 * nbody),
    xmat: new Float64Array(9 * nbody),
    xanchor: new Float64Array(3 * njnt),
    xaxis: new Float64Array(3 * njnt),
    geomXpos: new Float64Array(3 * ngeom),
    geomXmat: new Float64Array(9 * ngeom),
  };
}

const tuple = <T extends number[]>(a: Float64Array, start: number, n: number): T => Array.from(a.subarray(start, start + n)) as T;

/**
 * The pose record of a world whose joint positions are `qpos` (length `model.nq`): forward
 * kinematics and geom poses computed into fresh buffers, then copied into plain arrays.
 * Throws {@link RenderError} for a `qpos` of the wrong length or with non-finite entries.
 */
export function poseFromQpos(model: PhysicsModel, qpos: ArrayLike<number>): PoseRecord {
  if (qpos.length !== model.nq) throw new RenderError(`poseFromQpos: model "${model.name}" has nq = ${model.nq}, got ${qpos.length} joint positions`);
  const q = Float64Array.from(qpos);
  const bad = q.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) throw new RenderError(`poseFromQpos: qpos[${bad}] is ${q[bad]}, expected a finite number`);
  const s = scratch(model, q);
  // B = 1: the batched layout (component·B + world) is then the plain per-element layout.
  kinematics(model, 1, s);
  geomPoses(model, 1, s);
  return {
    model: model.name,
    bodies: model.bodyNames.map((name, b) => ({ name, pos: tuple<Vec3>(s.xpos, 3 * b, 3), quat: tuple<Quat>(s.xquat, 4 * b, 4) })),
    geoms: model.geomNames.map((name, g) => ({ name, pos: tuple<Vec3>(s.geomXpos, 3 * g, 3), mat: tuple<Mat3>(s.geomXmat, 9 * g, 9) })),
  };
}

const finiteTuple = (v: unknown, n: number): boolean => Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x));

/**
 * Throws {@link RenderError} unless `pose` is a record of `model` (as many bodies and geoms,
 * every position, quaternion and matrix of the right size and finite). `where` prefixes the
 * message (e.g. "pose 12").
 */
export function checkPose(model: PhysicsModel, pose: PoseRecord, where = 'pose'): void {
  if (typeof pose !== 'object' || pose === null || !Array.isArray(pose.bodies) || !Array.isArray(pose.geoms)) {
    throw new RenderError(`${where}: expected a pose record { model, bodies, geoms }, got ${describeValue(pose)}`);
  }
  if (pose.bodies.length !== model.nbody || pose.geoms.length !== model.ngeom) {
    throw new RenderError(`${where}: has ${pose.bodies.length} bodies and ${pose.geoms.length} geoms, model "${model.name}" has ${model.nbody} and ${model.ngeom}`);
  }
  pose.bodies.forEach((b, i) => {
    if (!finiteTuple(b.pos, 3) || !finiteTuple(b.quat, 4)) throw new RenderError(`${where}: body ${i} "${b.name}" needs a finite pos [3] and quat [4]`);
  });
  pose.geoms.forEach((g, i) => {
    if (!finiteTuple(g.pos, 3) || !finiteTuple(g.mat, 9)) throw new RenderError(`${where}: geom ${i} "${g.name}" needs a finite pos [3] and mat [9]`);
  });
}
