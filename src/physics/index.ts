/**
 * Batched rigid-body physics: models (built in code or loaded from MuJoCo XML), structure-of-
 * arrays data for B worlds, and the forward-dynamics stages (kinematics, composite-rigid-body
 * mass matrix, Newton–Euler bias forces, passive and actuator forces, Cholesky solve).
 * @module
 */
export { choleskyFactor, choleskySolve, choleskySolveInPlace } from './cholesky.js';
export { actuatorForces, crba, passiveForces, rneBias } from './dynamics.js';
export { forward } from './forward.js';
export { combineInertia, geomInertia, geomVolume, principalFrame, type BodyInertial, type MassElement } from './inertia.js';
export { comKinematics, kinematics } from './kinematics.js';
export type { Mat3, Quat, Vec3 } from './math3.js';
export { loadMjcf, loadMjcfFile, MjcfError, mjcfToSpec, type MjcfLoadOptions } from './mjcf.js';
export {
  buildModel,
  GeomType,
  JointType,
  PhysicsModelError,
  type ActuatorSpec,
  type BodySpec,
  type GeomSpec,
  type GeomTypeCode,
  type IntegratorName,
  type JointSpec,
  type JointTypeCode,
  type ModelSpec,
  type PhysicsModel,
} from './model.js';
export {
  CINERT_SIZE,
  PhysicsData,
  type ActuatorBuffers,
  type BiasBuffers,
  type ComKinematicsBuffers,
  type CrbaBuffers,
  type FactorBuffers,
  type KinematicsBuffers,
  type PassiveBuffers,
  type SolveBuffers,
} from './state.js';
export { parseXml, XmlSyntaxError, type XmlElement } from './xml.js';
