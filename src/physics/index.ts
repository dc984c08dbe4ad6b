/**
 * Batched rigid-body physics: models (built in code or loaded from MuJoCo XML), structure-of-
 * arrays data for B worlds, and the forward-dynamics stages (kinematics, composite-rigid-body
 * mass matrix, Newton–Euler bias forces, passive and actuator forces, Cholesky solve), smooth
 * ground contact and joint limits, and semi-implicit Euler time stepping (`step`).
 * @module
 */
export { choleskyFactor, choleskySolve, choleskySolveInPlace } from './cholesky.js';
export { actuatorForces, crba, passiveForces, rneBias } from './dynamics.js';
export { forward } from './forward.js';
export { addImplicitTerms, CONTACT_IMPEDANCE_SIZE, contactForces, FAR_FIELD, limitForces, smoothNormalForce } from './contact.js';
export { geomPoses } from './geom.js';
export { dampedSolve, integrate } from './integrate.js';
export { step, substep } from './step.js';
export { combineInertia, geomInertia, geomVolume, principalFrame, type BodyInertial, type MassElement } from './inertia.js';
export { comKinematics, kinematics } from './kinematics.js';
export type { Mat3, Quat, Vec3 } from './math3.js';
export { loadMjcf, loadMjcfFile, MjcfError, mjcfToSpec, type MjcfLoadOptions } from './mjcf.js';
export {
  buildModel,
  DEFAULT_CONTACT_PARAMS,
  DEFAULT_LIMIT_PARAMS,
  GeomType,
  JointType,
  PhysicsModelError,
  withContactParams,
  type ActuatorSpec,
  type BodySpec,
  type ContactParams,
  type LimitParams,
  type GeomSpec,
  type GeomTypeCode,
  type IntegratorName,
  type JointSpec,
  type JointTypeCode,
  type ModelSpec,
  type PhysicsModel,
  type SiteSpec,
} from './model.js';
export {
  CINERT_SIZE,
  PhysicsData,
  type ActuatorBuffers,
  type BiasBuffers,
  type ComKinematicsBuffers,
  type ContactBuffers,
  type CrbaBuffers,
  type DampedSolveBuffers,
  type FactorBuffers,
  type GeomPoseBuffers,
  type IntegrateBuffers,
  type KinematicsBuffers,
  type LimitBuffers,
  type PassiveBuffers,
  type SolveBuffers,
} from './state.js';
export { parseXml, XmlSyntaxError, type XmlElement } from './xml.js';
export {
  actuatorForcesVjp,
  checkDirectional,
  checkVjp,
  comKinematicsVjp,
  contactForcesVjp,
  crbaVjp,
  dampedSolveVjp,
  forwardVjp,
  integrateVjp,
  kinematicsVjp,
  limitForcesVjp,
  ModelParamGrad,
  passiveForcesVjp,
  PhysicsGrad,
  rneBiasVjp,
  Rollout,
  SCALAR_PARAMS,
  scalarParam,
  solveVjp,
  substepRecompute,
  substepVjp,
  withScalarParams,
  type ModelParamName,
  type RolloutBackwardOptions,
  type RolloutOptions,
  type RolloutSeed,
  type RolloutStepHook,
  type ScalarParamName,
  type VjpCheckResult,
  type VjpCheckSpec,
} from './backward/index.js';
