import { fileURLToPath } from 'node:url';

/** The arm models bundled with rxrl (MJCF files in `src/ik/assets/`). */
export const IK_MODELS = {
  /** A 7-DOF arm with the Franka Emika Panda's kinematics and joint limits; end effector site `ee`. */
  panda7: fileURLToPath(new URL('./assets/panda7.xml', import.meta.url)),
  /** A three-link planar arm (links 0.3, 0.25, 0.2 m; ±170°); end effector site `ee`. */
  planar3: fileURLToPath(new URL('./assets/planar3.xml', import.meta.url)),
} as const;
