/**
 * Backward passes (vector–Jacobian products) of the forward-dynamics stages, and their
 * composition {@link forwardVjp}. See {@link PhysicsGrad} for the cotangent buffers and the
 * calling contract.
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
export { forwardVjp } from './forward-vjp.js';
export { ModelParamGrad, PhysicsGrad, type ModelParamName } from './grad.js';
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
