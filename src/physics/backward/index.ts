/**
 * Backward passes (vector–Jacobian products) of the forward-dynamics stages, of contact, joint
 * limits and the integrator, and their compositions: {@link forwardVjp} (contact-free q̈),
 * {@link substepVjp} (one whole substep) and {@link Rollout} (checkpointed windows of steps).
 * See {@link PhysicsGrad} for the cotangent buffers and the calling contract.
 * @module
 */
export { solveVjp, type SolveVjpForward, type SolveVjpGrad } from './cholesky-vjp.js';
export { crbaVjp, type CrbaVjpForward, type CrbaVjpGrad } from './crba-vjp.js';
export {
  actuatorForcesVjp,
  passiveForcesVjp,
  type ActuatorVjpForward,
  type ActuatorVjpGrad,
  type PassiveVjpForward,
  type PassiveVjpGrad,
} from './forces-vjp.js';
export {
  contactForcesVjp,
  limitForcesVjp,
  normalLawVjp,
  subtreeWrenchesToDofsVjp,
  type ContactVjpForward,
  type ContactVjpGrad,
  type LimitVjpForward,
  type LimitVjpGrad,
} from './contact-vjp.js';
export { forwardVjp } from './forward-vjp.js';
export {
  ModelParamGrad,
  PhysicsGrad,
  SCALAR_PARAMS,
  scalarParam,
  withScalarParams,
  type ModelParamName,
  type ScalarParamName,
} from './grad.js';
export {
  dampedSolveVjp,
  integrateVjp,
  type DampedSolveVjpForward,
  type DampedSolveVjpGrad,
  type IntegrateVjpForward,
  type IntegrateVjpGrad,
} from './integrate-vjp.js';
export {
  Rollout,
  type RolloutBackwardOptions,
  type RolloutOptions,
  type RolloutSeed,
  type RolloutStepHook,
} from './rollout.js';
export { substepRecompute, substepVjp } from './substep-vjp.js';
export {
  comKinematicsVjp,
  kinematicsVjp,
  type ComKinematicsVjpForward,
  type ComKinematicsVjpGrad,
  type KinematicsVjpForward,
  type KinematicsVjpGrad,
} from './kinematics-vjp.js';
export { rneBiasVjp, type RneVjpForward, type RneVjpGrad } from './rne-vjp.js';
export {
  checkDirectional,
  checkVjp,
  relativeError,
  type DirectionalCheck,
  type NormalSource,
  type VjpCheckResult,
  type VjpCheckSpec,
} from './gradcheck.js';
