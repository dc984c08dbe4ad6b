/**
 * Inverse kinematics on any loaded model: batched forward kinematics, effector poses and
 * analytic Jacobians (`KinematicBatch`), multi-task problems (`IkProblem`: position,
 * orientation, look-at, rest pose, trajectory smoothness), and batched solvers (`solveIk`:
 * damped least squares, Adam and cautious Adam, CCD, FABRIK). See `docs/ik.md`.
 * @module
 */
export { IkError } from './errors.js';
export { chainJoints, findEffector, isAncestor, KinematicBatch, quatFromRotationVector, rotationVectorOf, type Effector, type KinematicBatchOptions } from './kinematic-batch.js';
export { IK_MODELS } from './models.js';
export { IkProblem, type IkProblemOptions, type IkTaskSpec } from './problem.js';
export { IK_SOLVERS, solveIk, type IkSolveOptions, type IkSolveResult, type IkSolverName } from './solve.js';
