/**
 * Loader for the subset of MuJoCo's MJCF XML used by the Gymnasium locomotion models (hopper,
 * walker2d, half_cheetah, ant, humanoid, reacher): compiler settings, default classes (nested,
 * with `childclass`), options, the body tree with hinge/slide/free joints and primitive geoms,
 * explicit `<inertial>` elements, and motors.
 *
 * Mass properties follow MuJoCo's compiler: with `inertiafromgeom` ("auto" by default: when the
 * body has no `<inertial>`) each geom is a uniform solid (density 1000 kg/m³ unless set, or its
 * `mass`), and the body's inertial frame is the principal frame of their summed inertia tensor
 * about the common centre of mass (see {@link combineInertia}); `settotalmass` then rescales all
 * masses and inertias.
 *
 * Strictness: every attribute is either used, known to be harmless for rigid-body dynamics
 * (visual, contact solver and sensor settings, names of assets, ...) and ignored, or rejected
 * with an {@link MjcfError} that names the element, its position in the file and the attribute,
 * so a model never loads with part of its physics silently dropped. Elements that matter but
 * are not supported (ball joints, meshes, equality constraints, tendons with springs, actuators
 * other than motors, ...) are rejected the same way.
 * @module
 */

import { readFileSync } from 'node:fs';
import { RxrlError } from '../core/errors.js';
import { combineInertia, geomInertia, geomVolume, principalFrame, type MassElement } from './inertia.js';
import {
  matMul,
  matT,
  normalize3,
  quatFromAxisAngle,
  quatMul,
  quatNormalize,
  quatToMat,
  quatZToVec,
  cross3,
  dot3,
  matToQuat,
  type Mat3,
  type Quat,
  type Vec3,
} from './math3.js';
import {
  buildModel,
  GeomType,
  JointType,
  type ActuatorSpec,
  type BodySpec,
  type GeomSpec,
  type GeomTypeCode,
  type IntegratorName,
  type JointSpec,
  type ModelSpec,
  type PhysicsModel,
  type SiteSpec,
} from './model.js';
import { parseXml, type XmlElement } from './xml.js';

/** An MJCF file that is malformed or uses a feature this loader does not support. */
export class MjcfError extends RxrlError {}

/** Options of {@link loadMjcf}. */
export interface MjcfLoadOptions {
  /** Name used in error messages (default `"MJCF"`). */
  readonly fileName?: string;
}

/** Parses MJCF text and compiles it into a {@link PhysicsModel}. */
export function loadMjcf(xml: string, options: MjcfLoadOptions = {}): PhysicsModel {
  return buildModel(mjcfToSpec(xml, options));
}

/** Reads an MJCF file (UTF-8) and compiles it; error messages name the file. */
export function loadMjcfFile(path: string): PhysicsModel {
  return loadMjcf(readFileSync(path, 'utf8'), { fileName: path });
}

// ---------------------------------------------------------------------------------------------
// Attribute tables: per element, which attributes are used and which are known to be harmless.
// Anything else raises an error naming it.

const ORIENTATION = ['quat', 'axisangle', 'euler', 'xyaxes', 'zaxis'];

const USED: Record<string, readonly string[]> = {
  compiler: ['angle', 'inertiafromgeom', 'coordinate', 'settotalmass', 'eulerseq', 'autolimits', 'boundmass', 'boundinertia', 'inertiagrouprange', 'balanceinertia', 'fusestatic', 'alignfree'],
  option: ['timestep', 'gravity', 'integrator', 'wind', 'density', 'viscosity'],
  body: ['name', 'childclass', 'pos', ...ORIENTATION, 'mocap', 'gravcomp'],
  joint: ['name', 'class', 'type', 'pos', 'axis', 'range', 'limited', 'damping', 'stiffness', 'armature', 'ref', 'springref', 'frictionloss', 'actuatorfrclimited', 'actuatorfrcrange', 'springdamper', 'actuatorgravcomp'],
  freejoint: ['name', 'align'],
  site: ['name', 'class', 'pos', ...ORIENTATION, 'fromto'],
  geom: ['name', 'class', 'type', 'size', 'pos', ...ORIENTATION, 'fromto', 'density', 'mass', 'friction', 'contype', 'conaffinity', 'condim', 'margin', 'group', 'mesh', 'hfield', 'shellinertia', 'fluidshape'],
  inertial: ['pos', ...ORIENTATION, 'mass', 'diaginertia', 'fullinertia'],
  motor: ['name', 'class', 'joint', 'gear', 'ctrlrange', 'ctrllimited', 'forcerange', 'forcelimited', 'tendon', 'site', 'body', 'jointinparent', 'cranksite', 'slidersite', 'refsite'],
  fixed: ['stiffness', 'damping', 'frictionloss', 'limited', 'range', 'armature'],
  spatial: ['stiffness', 'damping', 'frictionloss', 'limited', 'range', 'armature'],
};

const IGNORED: Record<string, readonly string[]> = {
  // File locations and mesh/visual processing: no effect on dynamics.
  compiler: ['meshdir', 'texturedir', 'assetdir', 'discardvisual', 'convexhull', 'usethread', 'fitaabb', 'strippath', 'exactmeshinertia', 'saveinertial', 'maxhullvert'],
  // Constraint-solver and collision settings (contacts and limits are a later phase), API rate.
  option: ['iterations', 'solver', 'tolerance', 'ls_iterations', 'ls_tolerance', 'noslip_iterations', 'noslip_tolerance', 'ccd_iterations', 'ccd_tolerance', 'sdf_iterations', 'sdf_initpoints', 'cone', 'jacobian', 'impratio', 'o_margin', 'o_solref', 'o_solimp', 'o_friction', 'magnetic', 'apirate', 'collision', 'mpr_iterations', 'mpr_tolerance', 'actuatorgroupdisable'],
  body: ['user'],
  // Limit softness only shapes the (not yet simulated) limit constraint.
  joint: ['margin', 'solreflimit', 'solimplimit', 'solreffriction', 'solimpfriction', 'user', 'group'],
  freejoint: ['group'],
  // Appearance, contact softness and priorities, user data.
  geom: ['rgba', 'material', 'solimp', 'solref', 'solmix', 'priority', 'gap', 'user', 'fluidcoef'],
  // Appearance only: a site is a frame.
  site: ['type', 'size', 'rgba', 'material', 'group', 'user'],
  inertial: [],
  motor: ['group', 'user', 'lengthrange', 'actearly', 'actrange', 'actlimited', 'cranklength'],
  fixed: ['name', 'class', 'rgba', 'width', 'material', 'group', 'user', 'margin', 'solreflimit', 'solimplimit', 'solreffriction', 'solimpfriction', 'springlength', 'frcrange', 'frclimited'],
  spatial: ['name', 'class', 'rgba', 'width', 'material', 'group', 'user', 'margin', 'solreflimit', 'solimplimit', 'solreffriction', 'solimpfriction', 'springlength', 'frcrange', 'frclimited'],
};

/** Top-level sections that do not affect contact-free rigid-body dynamics. */
const IGNORED_SECTIONS = new Set(['visual', 'asset', 'statistic', 'custom', 'size', 'sensor', 'keyframe']);
/** Body children that do not affect dynamics. */
const IGNORED_BODY_CHILDREN = new Set(['camera', 'light']);
/** Actuator kinds other than motor: they have dynamics or gains this engine does not model yet. */
const UNSUPPORTED_ACTUATORS = new Set(['general', 'position', 'velocity', 'intvelocity', 'damper', 'cylinder', 'muscle', 'adhesion', 'plugin']);

const DEG = Math.PI / 180;

/** One attribute value and where it came from (for messages). */
interface AttrValue {
  readonly value: string;
  readonly origin: string;
}

/** A `<default>` class: per element tag, the accumulated attribute values. */
interface DefaultClass {
  readonly name: string;
  readonly tags: Map<string, Map<string, AttrValue>>;
}

interface CompilerSettings {
  degree: boolean;
  inertiaFromGeom: 'true' | 'false' | 'auto';
  settotalmass: number;
  eulerseq: string;
  autolimits: boolean;
  boundmass: number;
  boundinertia: number;
  inertiaGroupRange: [number, number];
}

const describeEl = (el: XmlElement, file: string): string => {
  const name = el.attrs.get('name');
  return `<${el.name}${name !== undefined ? ` name="${name}"` : ''}> at ${file}:${el.line}:${el.column}`;
};

/**
 * The resolved attributes of one element: its own, over those of its default class. Typed
 * readers check counts and number syntax and throw {@link MjcfError}s naming the element.
 */
class Attrs {
  private readonly values: Map<string, AttrValue>;

  constructor(
    readonly el: XmlElement,
    readonly file: string,
    defaults: ReadonlyMap<string, AttrValue> | undefined,
    tag: string = el.name,
  ) {
    this.values = new Map(defaults ?? []);
    for (const [k, v] of el.attrs) if (k !== 'class') this.values.set(k, { value: v, origin: 'element' });
    const used = USED[tag] ?? [];
    const ignored = IGNORED[tag] ?? [];
    for (const [k, v] of this.values) {
      if (k === 'class' || used.includes(k) || ignored.includes(k)) continue;
      throw this.error(k, `unsupported attribute "${k}"${v.origin === 'element' ? '' : ` (from ${v.origin})`}`);
    }
  }

  /** An error about attribute `key` (null: the element as a whole); the message always names the attribute. */
  error(key: string | null, msg: string): MjcfError {
    const v = key === null ? undefined : this.values.get(key);
    const from = v !== undefined && v.origin !== 'element' ? ` (value inherited from ${v.origin})` : '';
    const named = key === null || v === undefined || msg.includes(key) ? '' : `${key}="${v.value}": `;
    return new MjcfError(`${describeEl(this.el, this.file)}: ${named}${msg}${from}`);
  }

  has(key: string): boolean {
    return this.values.has(key);
  }

  str(key: string): string | undefined {
    return this.values.get(key)?.value;
  }

  /** One of `allowed`, or `def` when absent. */
  choice<T extends string>(key: string, allowed: readonly T[], def: T): T {
    const v = this.str(key);
    if (v === undefined) return def;
    if (!(allowed as readonly string[]).includes(v)) {
      throw this.error(key, `attribute "${key}" must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got "${v}"`);
    }
    return v as T;
  }

  bool(key: string, def: boolean): boolean {
    return this.choice(key, ['true', 'false'], def ? 'true' : 'false') === 'true';
  }

  /** Whitespace-separated numbers; between `min` and `max` of them. */
  numbers(key: string, min: number, max: number): number[] | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    const parts = v.trim().split(/\s+/).filter((s) => s.length > 0);
    if (parts.length < min || parts.length > max) {
      const want = min === max ? `${min}` : `${min} to ${max}`;
      throw this.error(key, `attribute "${key}" needs ${want} number(s), got ${parts.length} ("${v}")`);
    }
    return parts.map((p) => {
      // Decimal floating-point syntax as strtod accepts it (no hex, no "Infinity" words).
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(p)) {
        throw this.error(key, `attribute "${key}": "${p}" is not a number`);
      }
      return Number(p);
    });
  }

  num(key: string, def: number): number {
    return this.numbers(key, 1, 1)?.[0] ?? def;
  }

  /** Exactly n numbers, or `def`. */
  vec<N extends number>(key: string, n: N, def: readonly number[]): number[] {
    return this.numbers(key, n, n) ?? [...def];
  }

  /** Up to n numbers; missing trailing entries keep `def`'s values (as MuJoCo does for size, friction). */
  partial(key: string, n: number, def: readonly number[]): number[] {
    const given = this.numbers(key, 1, n);
    const out = [...def];
    given?.forEach((x, i) => (out[i] = x));
    return out;
  }
}

// ---------------------------------------------------------------------------------------------

class Loader {
  private readonly compiler: CompilerSettings = {
    degree: true,
    inertiaFromGeom: 'auto',
    settotalmass: -1,
    eulerseq: 'xyz',
    autolimits: true,
    boundmass: 0,
    boundinertia: 0,
    inertiaGroupRange: [0, 5],
  };
  private timestep = 0.002;
  private gravity: Vec3 = [0, 0, -9.81];
  private integrator: IntegratorName = 'Euler';
  private readonly classes = new Map<string, DefaultClass>();
  private readonly bodies: BodySpec[] = [];
  private readonly jointIndex = new Map<string, number>();
  private jointCount = 0;
  private readonly actuators: ActuatorSpec[] = [];
  private readonly excludes: [number, number][] = [];

  constructor(private readonly file: string) {}

  private fail(el: XmlElement, msg: string): MjcfError {
    return new MjcfError(`${describeEl(el, this.file)}: ${msg}`);
  }

  load(root: XmlElement): ModelSpec {
    if (root.name !== 'mujoco') throw this.fail(root, 'the root element must be <mujoco>');
    for (const k of root.attrs.keys()) if (k !== 'model') throw this.fail(root, `unsupported attribute "${k}"`);
    const byTag = (tag: string): XmlElement[] => root.children.filter((c) => c.name === tag);
    // MuJoCo reads the compiler settings before anything else, wherever they appear.
    for (const el of byTag('compiler')) this.readCompiler(el);
    for (const el of byTag('option')) this.readOption(el);
    this.classes.set('main', { name: 'main', tags: new Map() });
    for (const el of byTag('default')) this.readDefault(el, null);
    const worldbodies = byTag('worldbody');
    this.bodies.push({
      name: 'world',
      parent: -1,
      pos: [0, 0, 0],
      quat: [1, 0, 0, 0],
      mass: 0,
      ipos: [0, 0, 0],
      iquat: [1, 0, 0, 0],
      inertia: [0, 0, 0],
      joints: [],
      geoms: [],
      sites: [],
    });
    for (const wb of worldbodies) this.readWorldbody(wb);
    for (const el of byTag('actuator')) this.readActuators(el);
    for (const el of root.children) {
      switch (el.name) {
        case 'compiler':
        case 'option':
        case 'default':
        case 'worldbody':
        case 'actuator':
          break;
        case 'tendon':
          this.checkTendons(el);
          break;
        case 'contact':
          for (const c of el.children) {
            if (c.name !== 'exclude') throw this.fail(c, `<contact><${c.name}> is not supported (only <exclude> is accepted)`);
            this.readExclude(c);
          }
          break;
        case 'equality':
          if (el.children.length > 0) throw this.fail(el.children[0] as XmlElement, 'equality constraints are not supported');
          break;
        default:
          if (!IGNORED_SECTIONS.has(el.name)) throw this.fail(el, `unsupported element <${el.name}>`);
      }
    }
    this.applyMassSettings();
    return {
      name: root.attrs.get('model') ?? 'model',
      bodies: this.bodies,
      actuators: this.actuators,
      timestep: this.timestep,
      gravity: this.gravity,
      integrator: this.integrator,
      contactExcludes: this.excludes,
    };
  }

  /** `<exclude body1 body2>`: the pair never touches (pairs with the world switch off ground contact). */
  private readExclude(el: XmlElement): void {
    const index = (key: string): number => {
      const name = el.attrs.get(key);
      if (name === undefined) throw this.fail(el, `<exclude> needs a ${key} attribute`);
      const i = this.bodies.findIndex((b) => b.name === name);
      if (i < 0) throw this.fail(el, `<exclude> ${key}: unknown body "${name}"`);
      return i;
    };
    for (const k of el.attrs.keys()) if (k !== 'body1' && k !== 'body2' && k !== 'name') throw this.fail(el, `unsupported attribute "${k}" on <exclude>`);
    this.excludes.push([index('body1'), index('body2')]);
  }

  private readCompiler(el: XmlElement): void {
    const a = new Attrs(el, this.file, undefined);
    for (const c of el.children) if (c.name !== 'lengthrange') throw this.fail(c, `unsupported element <${c.name}> in <compiler>`);
    const c = this.compiler;
    if (a.has('angle')) c.degree = a.choice('angle', ['degree', 'radian'], 'degree') === 'degree';
    if (a.has('inertiafromgeom')) c.inertiaFromGeom = a.choice('inertiafromgeom', ['true', 'false', 'auto'], 'auto');
    if (a.choice('coordinate', ['local', 'global'], 'local') === 'global') {
      throw a.error('coordinate', 'coordinate="global" is not supported (MuJoCo ≥ 2.3 removed it too): use local coordinates');
    }
    if (a.has('settotalmass')) c.settotalmass = a.num('settotalmass', -1);
    if (a.has('eulerseq')) {
      const seq = a.str('eulerseq') ?? 'xyz';
      if (!/^[xyzXYZ]{3}$/.test(seq)) throw a.error('eulerseq', `eulerseq must be three of x, y, z, X, Y, Z, got "${seq}"`);
      c.eulerseq = seq;
    }
    if (a.has('autolimits')) c.autolimits = a.bool('autolimits', true);
    if (a.has('boundmass')) c.boundmass = a.num('boundmass', 0);
    if (a.has('boundinertia')) c.boundinertia = a.num('boundinertia', 0);
    if (a.has('inertiagrouprange')) c.inertiaGroupRange = a.vec('inertiagrouprange', 2, [0, 5]) as [number, number];
    for (const flag of ['balanceinertia', 'fusestatic', 'alignfree']) {
      if (a.bool(flag, false)) throw a.error(flag, `${flag}="true" is not supported`);
    }
  }

  private readOption(el: XmlElement): void {
    const a = new Attrs(el, this.file, undefined);
    if (a.has('timestep')) this.timestep = a.num('timestep', 0.002);
    if (!(this.timestep > 0)) throw a.error('timestep', `timestep must be > 0, got ${this.timestep}`);
    if (a.has('gravity')) this.gravity = a.vec('gravity', 3, [0, 0, -9.81]) as Vec3;
    if (a.has('integrator')) this.integrator = a.choice('integrator', ['Euler', 'RK4', 'implicit', 'implicitfast'], 'Euler');
    for (const key of ['density', 'viscosity']) {
      if (a.num(key, 0) !== 0) throw a.error(key, `${key} > 0 adds fluid forces, which are not supported`);
    }
    if (a.vec('wind', 3, [0, 0, 0]).some((x) => x !== 0)) throw a.error('wind', 'wind adds fluid forces, which are not supported');
    for (const c of el.children) {
      if (c.name !== 'flag') throw this.fail(c, `unsupported element <${c.name}> in <option>`);
      // Disabling any of these changes the forces this engine computes; the rest concern
      // constraints, warm starts, sensors and other phases.
      for (const [k, v] of c.attrs) {
        if (['gravity', 'passive', 'actuation', 'clampctrl', 'spring', 'damper'].includes(k) && v === 'disable') {
          throw this.fail(c, `flag ${k}="disable" is not supported`);
        }
      }
    }
  }

  private readDefault(el: XmlElement, parent: DefaultClass | null): void {
    const cls = el.attrs.get('class');
    for (const k of el.attrs.keys()) if (k !== 'class') throw this.fail(el, `unsupported attribute "${k}" on <default>`);
    let me: DefaultClass;
    if (parent === null) {
      // The top-level <default> is class "main" (it may say so explicitly).
      if (cls !== undefined && cls !== 'main') throw this.fail(el, `the top-level <default> must be class "main" or unnamed, got "${cls}"`);
      me = this.classes.get('main') as DefaultClass;
    } else {
      if (cls === undefined) throw this.fail(el, 'a nested <default> needs a class attribute');
      if (this.classes.has(cls)) throw this.fail(el, `default class "${cls}" is defined twice`);
      const tags = new Map<string, Map<string, AttrValue>>();
      for (const [t, m] of parent.tags) tags.set(t, new Map(m));
      me = { name: cls, tags };
      this.classes.set(cls, me);
    }
    for (const c of el.children) {
      if (c.name === 'default') continue;
      if (UNSUPPORTED_ACTUATORS.has(c.name)) {
        throw this.fail(c, `defaults for <${c.name}> actuators are not supported (they also apply to motors in MuJoCo)`);
      }
      const m = me.tags.get(c.name) ?? new Map<string, AttrValue>();
      for (const [k, v] of c.attrs) {
        if (k === 'class' || k === 'name') throw this.fail(c, `attribute "${k}" is not allowed in a default class`);
        m.set(k, { value: v, origin: `default class "${me.name}" (${this.file}:${c.line})` });
      }
      me.tags.set(c.name, m);
    }
    for (const c of el.children) if (c.name === 'default') this.readDefault(c, me);
  }

  /** Defaults for element `el` of kind `tag` inside a body whose active childclass is `childclass`. */
  private defaultsFor(el: XmlElement, tag: string, childclass: string): ReadonlyMap<string, AttrValue> | undefined {
    const cls = el.attrs.get('class') ?? childclass;
    const c = this.classes.get(cls);
    if (c === undefined) throw this.fail(el, `unknown default class "${cls}"`);
    return c.tags.get(tag);
  }

  /** The orientation attributes of an element as a unit quaternion, or null if none is given. */
  private orientation(a: Attrs): Quat | null {
    const given = ORIENTATION.filter((k) => a.has(k));
    if (given.length > 1) throw a.error(given[1] as string, `orientation given twice (${given.join(' and ')}); use one`);
    const angle = (x: number): number => (this.compiler.degree ? x * DEG : x);
    switch (given[0]) {
      case undefined:
        return null;
      case 'quat': {
        const q = a.vec('quat', 4, [1, 0, 0, 0]) as Quat;
        if (!(Math.hypot(...q) > 0)) throw a.error('quat', 'quat must not be zero');
        return quatNormalize(q);
      }
      case 'axisangle': {
        const v = a.vec('axisangle', 4, [0, 0, 1, 0]);
        const axis = v.slice(0, 3) as Vec3;
        if (!(Math.hypot(...axis) > 0)) throw a.error('axisangle', 'axisangle needs a non-zero axis');
        return quatFromAxisAngle(axis, angle(v[3] as number));
      }
      case 'euler': {
        const e = a.vec('euler', 3, [0, 0, 0]);
        let q: Quat = [1, 0, 0, 0];
        const seq = this.compiler.eulerseq;
        for (let i = 0; i < 3; i++) {
          const ch = seq[i] as string;
          const lower = ch.toLowerCase();
          const axis: Vec3 = lower === 'x' ? [1, 0, 0] : lower === 'y' ? [0, 1, 0] : [0, 0, 1];
          const r = quatFromAxisAngle(axis, angle(e[i] as number));
          // Lower case: axes that move with the frame (post-multiply); upper case: fixed axes.
          q = ch === lower ? quatMul(q, r) : quatMul(r, q);
        }
        return quatNormalize(q);
      }
      case 'xyaxes': {
        const v = a.vec('xyaxes', 6, [1, 0, 0, 0, 1, 0]);
        const x = normalize3(v.slice(0, 3) as Vec3);
        const y0 = v.slice(3, 6) as Vec3;
        const d = dot3(x, y0);
        const y = normalize3([y0[0] - d * x[0], y0[1] - d * x[1], y0[2] - d * x[2]]);
        const z = cross3(x, y);
        return matToQuat([x[0], y[0], z[0], x[1], y[1], z[1], x[2], y[2], z[2]]);
      }
      default: {
        const z = a.vec('zaxis', 3, [0, 0, 1]) as Vec3;
        if (!(Math.hypot(...z) > 0)) throw a.error('zaxis', 'zaxis must not be zero');
        return quatZToVec(z);
      }
    }
  }

  private readWorldbody(wb: XmlElement): void {
    for (const k of wb.attrs.keys()) throw this.fail(wb, `unsupported attribute "${k}" on <worldbody>`);
    // The world body was pushed by load() with a fresh, mutable geom array.
    const geoms = (this.bodies[0] as BodySpec).geoms as GeomSpec[];
    for (const c of wb.children) {
      if (c.name === 'body') this.readBody(c, 0, 'main');
      else if (c.name === 'geom') geoms.push(this.readGeom(c, 'main').geom);
      else if (c.name === 'site') ((this.bodies[0] as BodySpec).sites as SiteSpec[]).push(this.readSite(c, 'main'));
      else if (c.name === 'joint' || c.name === 'freejoint' || c.name === 'inertial') {
        throw this.fail(c, `<${c.name}> cannot be a child of <worldbody>`);
      } else if (!IGNORED_BODY_CHILDREN.has(c.name)) throw this.fail(c, `unsupported element <${c.name}>`);
    }
  }

  private readBody(el: XmlElement, parent: number, inheritedClass: string): void {
    const a = new Attrs(el, this.file, undefined);
    const childclass = a.str('childclass') ?? inheritedClass;
    if (!this.classes.has(childclass)) throw a.error('childclass', `unknown default class "${childclass}"`);
    if (a.bool('mocap', false)) throw a.error('mocap', 'mocap bodies are not supported');
    if (a.num('gravcomp', 0) !== 0) throw a.error('gravcomp', 'gravity compensation is not supported');
    const index = this.bodies.length;
    const joints: JointSpec[] = [];
    const geoms: GeomSpec[] = [];
    const sites: SiteSpec[] = [];
    const massElements: MassElement[] = [];
    const placeholder: BodySpec = {
      name: a.str('name') ?? '',
      parent,
      pos: a.vec('pos', 3, [0, 0, 0]) as Vec3,
      quat: this.orientation(a) ?? [1, 0, 0, 0],
      mass: 0,
      ipos: [0, 0, 0],
      iquat: [1, 0, 0, 0],
      inertia: [0, 0, 0],
      joints,
      geoms,
      sites,
    };
    this.bodies.push(placeholder);
    let inertial: XmlElement | null = null;
    const children: XmlElement[] = [];
    for (const c of el.children) {
      switch (c.name) {
        case 'joint':
        case 'freejoint':
          joints.push(this.readJoint(c, childclass));
          break;
        case 'geom': {
          const { geom, mass } = this.readGeom(c, childclass);
          geoms.push(geom);
          if (mass !== null) massElements.push(mass);
          break;
        }
        case 'site':
          sites.push(this.readSite(c, childclass));
          break;
        case 'inertial':
          if (inertial !== null) throw this.fail(c, 'a body may have only one <inertial>');
          inertial = c;
          break;
        case 'body':
          children.push(c);
          break;
        default:
          if (!IGNORED_BODY_CHILDREN.has(c.name)) throw this.fail(c, `unsupported element <${c.name}> in <body>`);
      }
    }
    const mode = this.compiler.inertiaFromGeom;
    const fromGeoms = mode === 'true' || (mode === 'auto' && inertial === null);
    const props = fromGeoms
      ? combineInertia(massElements)
      : inertial !== null
        ? this.readInertial(inertial)
        : { mass: 0, ipos: [0, 0, 0] as Vec3, iquat: [1, 0, 0, 0] as Quat, inertia: [0, 0, 0] as Vec3 };
    this.bodies[index] = { ...placeholder, ...props };
    for (const c of children) this.readBody(c, index, childclass);
  }

  private readInertial(el: XmlElement): { mass: number; ipos: Vec3; iquat: Quat; inertia: Vec3 } {
    const a = new Attrs(el, this.file, undefined);
    if (!a.has('pos')) throw a.error(null, '<inertial> needs pos');
    if (!a.has('mass')) throw a.error(null, '<inertial> needs mass');
    const ipos = a.vec('pos', 3, [0, 0, 0]) as Vec3;
    const mass = a.num('mass', 0);
    if (!(mass >= 0)) throw a.error('mass', `mass must be ≥ 0, got ${mass}`);
    const frame = this.orientation(a) ?? [1, 0, 0, 0];
    if (a.has('diaginertia') === a.has('fullinertia')) throw a.error(null, '<inertial> needs exactly one of diaginertia and fullinertia');
    if (a.has('diaginertia')) {
      return { mass, ipos, iquat: frame, inertia: a.vec('diaginertia', 3, [0, 0, 0]) as Vec3 };
    }
    const [ixx, iyy, izz, ixy, ixz, iyz] = a.vec('fullinertia', 6, [0, 0, 0, 0, 0, 0]) as [number, number, number, number, number, number];
    const full: Mat3 = [ixx, ixy, ixz, ixy, iyy, iyz, ixz, iyz, izz];
    // fullinertia is in the frame given by the orientation attributes; express it in the body frame.
    const r = quatToMat(frame);
    const p = principalFrame(matMul(matMul(r, full), matT(r)));
    return { mass, ipos, iquat: p.iquat, inertia: p.inertia };
  }

  private readJoint(el: XmlElement, childclass: string): JointSpec {
    if (el.name === 'freejoint') {
      // <freejoint/> is MuJoCo's shorthand for a free joint without defaults.
      const a = new Attrs(el, this.file, undefined);
      if (a.bool('align', false)) throw a.error('align', 'align="true" is not supported');
      return this.registerJoint(el, {
        name: a.str('name') ?? '',
        type: JointType.Free,
        pos: [0, 0, 0],
        axis: [0, 0, 1],
        range: [0, 0],
        limited: false,
        damping: 0,
        armature: 0,
        stiffness: 0,
        springref: 0,
        ref: 0,
      });
    }
    const a = new Attrs(el, this.file, this.defaultsFor(el, 'joint', childclass));
    const typeName = a.str('type') ?? 'hinge';
    const type = typeName === 'hinge' ? JointType.Hinge : typeName === 'slide' ? JointType.Slide : typeName === 'free' ? JointType.Free : null;
    if (type === null) {
      throw a.error('type', `unsupported joint type "${typeName}" (supported: hinge, slide, free)`);
    }
    const angular = type === JointType.Hinge && this.compiler.degree ? DEG : 1;
    const limitedMode = a.choice('limited', ['true', 'false', 'auto'], 'auto');
    const limited = limitedMode === 'auto' ? this.compiler.autolimits && a.has('range') : limitedMode === 'true';
    const range = a.vec('range', 2, [0, 0]).map((x) => x * angular) as [number, number];
    if (limited && type !== JointType.Free && !(range[0] < range[1])) {
      throw a.error('range', `a limited joint needs range low < high, got (${range.join(', ')})`);
    }
    if (a.num('frictionloss', 0) !== 0) throw a.error('frictionloss', 'joint friction loss is not supported');
    if (a.vec('springdamper', 2, [0, 0]).some((x) => x !== 0)) throw a.error('springdamper', 'springdamper is not supported');
    if (a.bool('actuatorgravcomp', false)) throw a.error('actuatorgravcomp', 'actuatorgravcomp is not supported');
    const frcMode = a.choice('actuatorfrclimited', ['true', 'false', 'auto'], 'auto');
    if (frcMode === 'true' || (frcMode === 'auto' && this.compiler.autolimits && a.has('actuatorfrcrange'))) {
      throw a.error('actuatorfrcrange', 'actuator force limits on joints are not supported');
    }
    const axis = a.vec('axis', 3, [0, 0, 1]) as Vec3;
    if (type !== JointType.Free && !(Math.hypot(...axis) > 0)) throw a.error('axis', 'joint axis must not be zero');
    const stiffness = a.num('stiffness', 0);
    if (type === JointType.Free && stiffness !== 0) throw a.error('stiffness', 'stiffness on a free joint is not supported');
    return this.registerJoint(el, {
      name: a.str('name') ?? '',
      type,
      pos: a.vec('pos', 3, [0, 0, 0]) as Vec3,
      axis,
      range,
      limited: type === JointType.Free ? false : limited,
      damping: a.num('damping', 0),
      armature: a.num('armature', 0),
      stiffness,
      springref: a.num('springref', 0) * angular,
      ref: a.num('ref', 0) * angular,
    });
  }

  private registerJoint(el: XmlElement, j: JointSpec): JointSpec {
    if (j.name !== '') {
      if (this.jointIndex.has(j.name)) throw this.fail(el, `joint name "${j.name}" is used twice`);
      this.jointIndex.set(j.name, this.jointCount);
    }
    this.jointCount++;
    return j;
  }

  private readSite(el: XmlElement, childclass: string): SiteSpec {
    const a = new Attrs(el, this.file, this.defaultsFor(el, 'site', childclass));
    let pos = a.vec('pos', 3, [0, 0, 0]) as Vec3;
    let quat = this.orientation(a) ?? ([1, 0, 0, 0] as Quat);
    if (a.has('fromto')) {
      // As for geoms: the frame sits at the segment's midpoint with z along it.
      const [x0, y0, z0, x1, y1, z1] = a.vec('fromto', 6, [0, 0, 0, 0, 0, 0]) as [number, number, number, number, number, number];
      const d: Vec3 = [x1 - x0, y1 - y0, z1 - z0];
      if (!(Math.hypot(...d) > 0)) throw a.error('fromto', 'fromto needs two distinct points');
      pos = [(x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2];
      quat = quatZToVec(d);
    }
    return { name: a.str('name') ?? '', pos, quat };
  }

  private readGeom(el: XmlElement, childclass: string): { geom: GeomSpec; mass: MassElement | null } {
    const a = new Attrs(el, this.file, this.defaultsFor(el, 'geom', childclass));
    const typeName = a.str('type') ?? 'sphere';
    const types: Record<string, GeomTypeCode> = {
      plane: GeomType.Plane,
      sphere: GeomType.Sphere,
      capsule: GeomType.Capsule,
      ellipsoid: GeomType.Ellipsoid,
      cylinder: GeomType.Cylinder,
      box: GeomType.Box,
    };
    const type = types[typeName];
    if (type === undefined) {
      throw a.error('type', `unsupported geom type "${typeName}" (supported: ${Object.keys(types).join(', ')})`);
    }
    for (const key of ['mesh', 'hfield']) if (a.has(key)) throw a.error(key, `attribute "${key}" is not supported`);
    if (a.bool('shellinertia', false)) throw a.error('shellinertia', 'shell inertia is not supported');
    const size = a.partial('size', 3, [0, 0, 0]) as Vec3;
    let pos = a.vec('pos', 3, [0, 0, 0]) as Vec3;
    let quat = this.orientation(a) ?? ([1, 0, 0, 0] as Quat);
    if (a.has('fromto')) {
      if (type === GeomType.Plane || type === GeomType.Sphere) throw a.error('fromto', `fromto is not allowed for ${typeName} geoms`);
      const [x0, y0, z0, x1, y1, z1] = a.vec('fromto', 6, [0, 0, 0, 0, 0, 0]) as [number, number, number, number, number, number];
      const d: Vec3 = [x1 - x0, y1 - y0, z1 - z0];
      const len = Math.hypot(...d);
      if (!(len > 0)) throw a.error('fromto', 'fromto needs two distinct points');
      // The segment defines the frame: centre at its midpoint, z along it, half-length in size.
      pos = [(x0 + x1) / 2, (y0 + y1) / 2, (z0 + z1) / 2];
      quat = quatZToVec(d);
      if (type === GeomType.Capsule || type === GeomType.Cylinder) size[1] = len / 2;
      else size[2] = len / 2;
    }
    const needed = type === GeomType.Sphere ? 1 : type === GeomType.Capsule || type === GeomType.Cylinder ? 2 : type === GeomType.Plane ? 0 : 3;
    for (let k = 0; k < needed; k++) {
      if (!((size[k] as number) > 0)) throw a.error('size', `${typeName} geoms need ${needed} positive size value(s), got (${size.join(', ')})`);
    }
    const geom: GeomSpec = {
      name: a.str('name') ?? '',
      type,
      size,
      pos,
      quat,
      friction: a.partial('friction', 3, [1, 0.005, 0.0001]) as Vec3,
      contype: a.num('contype', 1),
      conaffinity: a.num('conaffinity', 1),
      condim: a.num('condim', 3),
      margin: a.num('margin', 0),
    };
    const group = a.num('group', 0);
    const [glo, ghi] = this.compiler.inertiaGroupRange;
    if (type === GeomType.Plane || group < glo || group > ghi) return { geom, mass: null };
    const volume = geomVolume(type, size);
    let mass: number;
    if (a.has('mass')) {
      mass = a.num('mass', 0);
      if (!(mass >= 0)) throw a.error('mass', `mass must be ≥ 0, got ${mass}`);
    } else {
      const density = a.num('density', 1000);
      if (!(density >= 0)) throw a.error('density', `density must be ≥ 0, got ${density}`);
      mass = density * volume;
    }
    return { geom, mass: { mass, pos, quat, inertia: geomInertia(type, size, mass) } };
  }

  private readActuators(el: XmlElement): void {
    for (const k of el.attrs.keys()) throw this.fail(el, `unsupported attribute "${k}" on <actuator>`);
    for (const c of el.children) {
      if (UNSUPPORTED_ACTUATORS.has(c.name)) throw this.fail(c, `<${c.name}> actuators are not supported (only <motor>)`);
      if (c.name !== 'motor') throw this.fail(c, `unsupported element <${c.name}> in <actuator>`);
      const a = new Attrs(c, this.file, this.defaultsFor(c, 'motor', 'main'));
      for (const key of ['tendon', 'site', 'body', 'jointinparent', 'cranksite', 'slidersite', 'refsite']) {
        if (a.has(key)) throw a.error(key, `transmission "${key}" is not supported (motors must name a joint)`);
      }
      const jointName = a.str('joint');
      if (jointName === undefined) throw a.error(null, 'a motor needs a joint attribute');
      const joint = this.jointIndex.get(jointName);
      if (joint === undefined) throw a.error('joint', `unknown joint "${jointName}"`);
      const ctrlMode = a.choice('ctrllimited', ['true', 'false', 'auto'], 'auto');
      const forceMode = a.choice('forcelimited', ['true', 'false', 'auto'], 'auto');
      const gear = a.partial('gear', 6, [1, 0, 0, 0, 0, 0]);
      this.actuators.push({
        name: a.str('name') ?? '',
        joint,
        // A hinge or slide transmission uses only the first gear component.
        gear: gear[0] as number,
        ctrlrange: a.vec('ctrlrange', 2, [0, 0]) as [number, number],
        ctrllimited: ctrlMode === 'auto' ? this.compiler.autolimits && a.has('ctrlrange') : ctrlMode === 'true',
        forcerange: a.vec('forcerange', 2, [0, 0]) as [number, number],
        forcelimited: forceMode === 'auto' ? this.compiler.autolimits && a.has('forcerange') : forceMode === 'true',
      });
    }
  }

  /** Tendons are accepted only when inert: no spring, damper, friction loss, armature or limit. */
  private checkTendons(el: XmlElement): void {
    for (const c of el.children) {
      if (c.name !== 'fixed' && c.name !== 'spatial') throw this.fail(c, `unsupported element <${c.name}> in <tendon>`);
      const a = new Attrs(c, this.file, this.defaultsFor(c, 'tendon', 'main'), c.name);
      for (const key of ['stiffness', 'damping', 'frictionloss', 'armature']) {
        if (a.num(key, 0) !== 0) throw a.error(key, `tendon ${key} is not supported`);
      }
      const lim = a.choice('limited', ['true', 'false', 'auto'], 'auto');
      if (lim === 'true' || (lim === 'auto' && this.compiler.autolimits && a.has('range'))) {
        throw a.error('range', 'tendon limits are not supported');
      }
    }
  }

  private applyMassSettings(): void {
    const c = this.compiler;
    if (c.boundmass > 0 || c.boundinertia > 0) {
      for (let i = 1; i < this.bodies.length; i++) {
        const b = this.bodies[i] as BodySpec;
        this.bodies[i] = {
          ...b,
          mass: Math.max(b.mass, c.boundmass),
          inertia: b.inertia.map((x) => Math.max(x, c.boundinertia)) as unknown as Vec3,
        };
      }
    }
    if (c.settotalmass > 0) {
      let total = 0;
      for (let i = 1; i < this.bodies.length; i++) total += (this.bodies[i] as BodySpec).mass;
      if (total > 0) {
        const scale = c.settotalmass / total;
        for (let i = 1; i < this.bodies.length; i++) {
          const b = this.bodies[i] as BodySpec;
          this.bodies[i] = { ...b, mass: b.mass * scale, inertia: b.inertia.map((x) => x * scale) as unknown as Vec3 };
        }
      }
    }
  }
}

/**
 * Parses MJCF text into a {@link ModelSpec} (bodies with computed mass properties, joints,
 * geoms, motors) without compiling it, e.g. to inspect or edit before {@link buildModel}.
 */
export function mjcfToSpec(xml: string, options: MjcfLoadOptions = {}): ModelSpec {
  const file = options.fileName ?? 'MJCF';
  const root = parseXml(xml, file);
  return new Loader(file).load(root);
}
