import { RxrlError } from '../core/errors.js';

/** A bad inverse-kinematics request: an unknown name, a chain that does not exist, a target that is not finite. The message names the fix. */
export class IkError extends RxrlError {}
