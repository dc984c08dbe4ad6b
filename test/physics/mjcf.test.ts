/** The MJCF loader: defaults, geometry, units, mass properties and its error messages. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  combineInertia,
  loadMjcf,
  MjcfError,
  mjcfToSpec,
  XmlSyntaxError,
  type PhysicsModel,
} from '../../src/physics/index.js';
import { quatToMat, type Mat3, type Quat } from '../../src/physics/math3.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures/mujoco');

/** A document with `body` inside <worldbody>, `head` before it and `tail` after it. */
const wrap = (body: string, head = '', tail = ''): string => `<mujoco model="t">${head}<worldbody>${body}</worldbody>${tail}</mujoco>`;
const jointIndex = (m: PhysicsModel, name: string): number => {
  const j = m.jntNames.indexOf(name);
  expect(j, `joint ${name}`).toBeGreaterThanOrEqual(0);
  return j;
};
const vec = (a: Float64Array, i: number, n: number): number[] => Array.from(a.subarray(n * i, n * i + n));

/** Full inertia tensor about the COM in body axes, rebuilt from the principal frame. */
function bodyTensor(m: PhysicsModel, b: number): number[] {
  const r = quatToMat(vec(m.bodyIquat, b, 4) as Quat);
  const d = vec(m.bodyInertia, b, 3);
  const out: number[] = [];
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += (r[3 * i + k] as number) * (d[k] as number) * (r[3 * j + k] as number);
      out.push(s);
    }
  return out;
}

function expectClose(got: readonly number[], want: readonly number[], tol: number): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - (want[i] as number)), `entry ${i}: ${g} vs ${want[i]}`).toBeLessThanOrEqual(tol));
}

describe('default classes', () => {
  const xml = `
  <mujoco model="defaults">
    <compiler angle="radian"/>
    <default>
      <joint damping="1" armature="0.5"/>
      <geom size="0.1" density="500"/>
      <default class="stiff">
        <joint stiffness="10"/>
        <default class="stiffer">
          <joint stiffness="20" damping="3"/>
        </default>
      </default>
    </default>
    <worldbody>
      <body name="a" childclass="stiff">
        <joint name="j1"/>
        <geom/>
        <body name="b">
          <joint name="j2" class="stiffer"/>
          <joint name="j3" stiffness="5"/>
          <geom/>
          <body name="c" childclass="main">
            <joint name="j4" type="slide"/>
            <geom size="0.2"/>
          </body>
        </body>
      </body>
    </worldbody>
  </mujoco>`;
  const m = loadMjcf(xml);

  it('inherit through nested classes, childclass and element overrides', () => {
    const props = (name: string): [number, number, number] => {
      const j = jointIndex(m, name);
      const d = m.jntDofAdr[j] as number;
      return [m.jntStiffness[j] as number, m.dofDamping[d] as number, m.dofArmature[d] as number];
    };
    expect(props('j1')).toEqual([10, 1, 0.5]); // childclass "stiff" over main
    expect(props('j2')).toEqual([20, 3, 0.5]); // explicit class "stiffer" (nested in "stiff")
    expect(props('j3')).toEqual([5, 1, 0.5]); // childclass inherited from body a, own stiffness wins
    expect(props('j4')).toEqual([0, 1, 0.5]); // childclass reset to main
    expect(m.jntType[jointIndex(m, 'j4')]).toBe(2); // slide
  });

  it('apply geom defaults (size, density) to mass', () => {
    const sphere = (r: number): number => 500 * (4 / 3) * Math.PI * r ** 3;
    expect(m.bodyMass[1]).toBeCloseTo(sphere(0.1), 12);
    expect(m.bodyMass[3]).toBeCloseTo(sphere(0.2), 12);
  });

  it('reject an unknown class', () => {
    expect(() => loadMjcf(wrap('<body><joint class="nope"/><geom size="1"/></body>'))).toThrow(/unknown default class "nope"/);
  });
});

describe('fromto capsules', () => {
  // Segment from (0.1, 0, 0) to (0.4, 0.4, 0): length 0.5, direction (0.6, 0.8, 0).
  const m = loadMjcf(wrap('<body><joint/><geom name="c" type="capsule" fromto="0.1 0 0 0.4 0.4 0" size="0.05 99"/></body>'));
  const r = 0.05;
  const h = 0.25;

  it('place the geom at the midpoint with z along the segment and size[1] = half-length', () => {
    expectClose(vec(m.geomPos, 0, 3), [0.25, 0.2, 0], 1e-15);
    expectClose(vec(m.geomSize, 0, 3), [r, h, 0], 1e-15);
    const R = quatToMat(vec(m.geomQuat, 0, 4) as Quat);
    expectClose([R[2], R[5], R[8]], [0.6, 0.8, 0], 1e-15);
  });

  it('get the mass and inertia of a cylinder plus two hemispherical caps', () => {
    const mCyl = 1000 * Math.PI * r * r * 2 * h;
    const mSph = 1000 * (4 / 3) * Math.PI * r ** 3;
    expect(m.bodyMass[1]).toBeCloseTo(mCyl + mSph, 12);
    // Independent route: each hemisphere's own moments about its centroid (3r/8 from the flat
    // face), then Steiner to the capsule centre.
    const mh = mSph / 2;
    const hemiAxial = 0.4 * mh * r * r;
    const hemiTransverseAtCentroid = 0.4 * mh * r * r - mh * ((3 * r) / 8) ** 2;
    const dist = h + (3 * r) / 8;
    const transverse = (mCyl * (3 * r * r + (2 * h) ** 2)) / 12 + 2 * (hemiTransverseAtCentroid + mh * dist * dist);
    const axial = 0.5 * mCyl * r * r + 2 * hemiAxial;
    const got = [...vec(m.bodyInertia, 1, 3)].sort((a, b) => a - b);
    expectClose(got, [axial, transverse, transverse], 1e-15);
    // The body's inertia tensor has the symmetry axis along the segment.
    const T = bodyTensor(m, 1);
    const u = [0.6, 0.8, 0];
    const Tu = [0, 1, 2].map((i) => u.reduce((s, x, k) => s + (T[3 * i + k] as number) * x, 0));
    expectClose(Tu, u.map((x) => axial * x), 1e-14);
    expectClose(vec(m.bodyIpos, 1, 3), [0.25, 0.2, 0], 1e-15);
  });
});

describe('combining several geoms', () => {
  it('sums the tensors about the common centre of mass and diagonalises them', () => {
    const xml = wrap(`
      <body><joint/>
        <geom type="sphere" size="0.1" pos="0.3 0 0"/>
        <geom type="box" size="0.1 0.2 0.05" pos="0 0.1 0.2" euler="0.3 0.2 0.1"/>
      </body>`, '<compiler angle="radian"/>');
    const m = loadMjcf(xml);
    const ms = 1000 * (4 / 3) * Math.PI * 0.1 ** 3;
    const mb = 1000 * 8 * 0.1 * 0.2 * 0.05;
    const com = [(ms * 0.3) / (ms + mb), (mb * 0.1) / (ms + mb), (mb * 0.2) / (ms + mb)];
    expect(m.bodyMass[1]).toBeCloseTo(ms + mb, 12);
    expectClose(vec(m.bodyIpos, 1, 3), com, 1e-15);
    // Reference tensor built directly: sphere + rotated box + parallel-axis terms.
    const spec = mjcfToSpec(xml);
    const boxQuat = spec.bodies[1]?.geoms[1]?.quat as Quat;
    const R = quatToMat(boxQuat);
    const bd = [(mb * (0.2 ** 2 + 0.05 ** 2)) / 3, (mb * (0.1 ** 2 + 0.05 ** 2)) / 3, (mb * (0.1 ** 2 + 0.2 ** 2)) / 3];
    const want: number[] = [];
    const ds = [0.3 - (com[0] as number), -(com[1] as number), -(com[2] as number)];
    const db = [-(com[0] as number), 0.1 - (com[1] as number), 0.2 - (com[2] as number)];
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let box = 0;
        for (let k = 0; k < 3; k++) box += (R[3 * i + k] as number) * (bd[k] as number) * (R[3 * j + k] as number);
        const steiner = (mm: number, d: number[]): number =>
          mm * ((i === j ? d.reduce((s, x) => s + x * x, 0) : 0) - (d[i] as number) * (d[j] as number));
        want.push((i === j ? 0.4 * ms * 0.01 : 0) + box + steiner(ms, ds) + steiner(mb, db));
      }
    expectClose(bodyTensor(m, 1), want, 1e-15);
    const moments = vec(m.bodyInertia, 1, 3);
    expect(moments[0]).toBeGreaterThanOrEqual(moments[1] as number);
    expect(moments[1]).toBeGreaterThanOrEqual(moments[2] as number);
  });

  it('keeps a single element exactly', () => {
    const e = { mass: 2, pos: [1, 2, 3] as [number, number, number], quat: [0.5, 0.5, 0.5, 0.5] as Quat, inertia: [3, 2, 1] as [number, number, number] };
    expect(combineInertia([e])).toEqual({ mass: 2, ipos: [1, 2, 3], iquat: [0.5, 0.5, 0.5, 0.5], inertia: [3, 2, 1] });
  });

  it('uses <inertial> when given (inertiafromgeom="auto") and ignores it when inertiafromgeom="true"', () => {
    const body = '<body><joint/><inertial pos="0 0 0.1" mass="3" diaginertia="0.3 0.2 0.1"/><geom size="0.1"/></body>';
    const auto = loadMjcf(wrap(body));
    expect(auto.bodyMass[1]).toBe(3);
    expect(vec(auto.bodyInertia, 1, 3)).toEqual([0.3, 0.2, 0.1]);
    const fromGeom = loadMjcf(wrap(body, '<compiler inertiafromgeom="true"/>'));
    expect(fromGeom.bodyMass[1]).toBeCloseTo(1000 * (4 / 3) * Math.PI * 0.001, 12);
  });

  it('rescales every body with settotalmass (half_cheetah: 14 kg)', () => {
    const cheetah = loadMjcf(readFileSync(path.join(FIXTURES, 'half_cheetah.xml'), 'utf8'));
    const total = cheetah.bodyMass.reduce((s, x) => s + x, 0);
    expect(total).toBeCloseTo(14, 12);
  });
});

describe('angle units', () => {
  const body = (range: string, ref: string, orient: string, head = ''): string =>
    wrap(`<body ${orient}><joint name="h" range="${range}" ref="${ref}"/><joint name="s" type="slide" range="-0.5 0.5"/><geom size="0.1"/></body>`, head);

  it('convert hinge ranges, refs, axisangle and euler from degrees; radians pass through', () => {
    const deg = loadMjcf(body('-90 45', '30', 'axisangle="1 0 0 90"', '<compiler angle="degree"/>'));
    const rad = loadMjcf(body(`${-Math.PI / 2} ${Math.PI / 4}`, `${Math.PI / 6}`, `axisangle="1 0 0 ${Math.PI / 2}"`, '<compiler angle="radian"/>'));
    const dflt = loadMjcf(body('-90 45', '30', 'axisangle="1 0 0 90"')); // MuJoCo's default unit is degrees
    for (const m of [deg, dflt]) {
      expectClose(Array.from(m.jntRange), Array.from(rad.jntRange), 1e-15);
      expectClose(Array.from(m.qpos0), Array.from(rad.qpos0), 1e-15);
      expectClose(Array.from(m.bodyQuat), Array.from(rad.bodyQuat), 1e-15);
    }
    expectClose(Array.from(deg.jntRange), [-Math.PI / 2, Math.PI / 4, -0.5, 0.5], 1e-15); // slide range untouched
    expectClose(vec(deg.bodyQuat, 1, 4), [Math.SQRT1_2, Math.SQRT1_2, 0, 0], 1e-15);
  });

  it('compose euler angles about moving axes (eulerseq "xyz")', () => {
    const m = loadMjcf(wrap('<body euler="90 90 0"><joint/><geom size="0.1"/></body>'));
    // Rx(90°) then Ry(90°) about the rotated y axis: x ↦ (0, 1, 0)·… check on the basis vectors.
    const R = quatToMat(vec(m.bodyQuat, 1, 4) as Quat);
    const Rx: Mat3 = [1, 0, 0, 0, 0, -1, 0, 1, 0];
    const Ry: Mat3 = [0, 0, 1, 0, 1, 0, -1, 0, 0];
    const want = [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => [0, 1, 2].reduce((s, k) => s + (Rx[3 * i + k] as number) * (Ry[3 * k + j] as number), 0)));
    expectClose([...R], want, 1e-15);
  });
});

describe('errors', () => {
  it('name the element, position and type for an unsupported joint type', () => {
    const xml = wrap('<body>\n<joint name="shoulder" type="ball"/><geom size="0.1"/></body>');
    expect(() => loadMjcf(xml, { fileName: 'arm.xml' })).toThrow(MjcfError);
    expect(() => loadMjcf(xml, { fileName: 'arm.xml' })).toThrow(/<joint name="shoulder"> at arm\.xml:2:1: unsupported joint type "ball" \(supported: hinge, slide, free\)/);
  });

  it('report malformed XML with a line and column', () => {
    expect(() => loadMjcf('<mujoco>\n  <worldbody>\n    <body>\n  </worldbody>\n</mujoco>', { fileName: 'bad.xml' })).toThrow(XmlSyntaxError);
    expect(() => loadMjcf('<mujoco>\n  <worldbody>\n    <body>\n  </worldbody>\n</mujoco>', { fileName: 'bad.xml' })).toThrow(/bad\.xml:4:3: malformed XML: <\/worldbody> does not match <body>/);
    expect(() => loadMjcf('<mujoco><worldbody><body pos=0></body></worldbody></mujoco>')).toThrow(/expected a quoted value for attribute "pos"/);
    expect(() => loadMjcf('<mujoco><worldbody/>')).toThrow(/element <mujoco> is not closed/);
    expect(() => loadMjcf('<mujoco/><extra/>')).toThrow(/content after the root element/);
  });

  it('reject attributes that would change the physics, naming them and where a default set them', () => {
    expect(() => loadMjcf(wrap('<body><joint frictionloss="0.1"/><geom size="0.1"/></body>'))).toThrow(/frictionloss/);
    const viaDefault = wrap('<body><joint name="k"/><geom size="0.1"/></body>', '<default><joint frictionloss="0.1"/></default>');
    expect(() => loadMjcf(viaDefault)).toThrow(/<joint name="k">.*friction loss is not supported \(value inherited from default class "main"/);
    expect(() => loadMjcf(wrap('<body><joint/><geom size="0.1" wobble="1"/></body>'))).toThrow(/<geom> at .*: unsupported attribute "wobble"/);
    expect(() => loadMjcf(wrap('<body><joint/><geom type="mesh" mesh="m"/></body>'))).toThrow(/unsupported geom type "mesh"/);
    expect(() => loadMjcf(wrap('<body><joint/><geom size="0.1"/></body>', '<option density="1.2"/>'))).toThrow(/fluid forces/);
    expect(() => loadMjcf(wrap('<body><joint/><geom size="0.1"/></body>', '', '<equality><weld body1="a"/></equality>'))).toThrow(/equality constraints are not supported/);
    expect(() => loadMjcf(wrap('<body><joint name="j"/><geom size="0.1"/></body>', '', '<actuator><position joint="j"/></actuator>'))).toThrow(/<position> actuators are not supported/);
    expect(() => loadMjcf(wrap('<body><joint name="j"/><geom size="0.1"/></body>', '', '<actuator><motor joint="nope"/></actuator>'))).toThrow(/unknown joint "nope"/);
    expect(() => loadMjcf(wrap('<body><joint/><geom type="capsule" size="0.1"/></body>'))).toThrow(/capsule geoms need 2 positive size value\(s\)/);
    expect(() => loadMjcf(wrap('<body><joint/><geom size="0.1 x"/></body>'))).toThrow(/"x" is not a number/);
    expect(() => loadMjcf(wrap('<body><joint/><geom size="0.1"/></body>', '<compiler coordinate="global"/>'))).toThrow(/coordinate="global" is not supported/);
    expect(() => loadMjcf(wrap('<body><body><joint type="free"/><geom size="0.1"/></body><geom size="0.1"/></body>'))).toThrow(/free joint must be the only joint of a child of the world/);
  });

  it('ignore what does not affect rigid-body dynamics', () => {
    const xml = `<mujoco model="quiet">
      <visual><map znear="0.02"/></visual>
      <asset><material name="m" rgba="1 0 0 1"/></asset>
      <option timestep="0.005" iterations="50" solver="PGS"><flag warmstart="disable"/></option>
      <worldbody>
        <light pos="0 0 1"/><camera name="c" pos="0 -1 0"/>
        <geom type="plane" size="5 5 0.1" material="m"/>
        <body name="b"><joint name="j" margin="0.01"/><geom size="0.1" rgba="1 1 1 1" solref="0.02 1"/><site name="s"/></body>
      </worldbody>
      <contact><exclude body1="world" body2="b"/></contact>
      <sensor><jointpos joint="j"/></sensor>
      <keyframe><key qpos="0.1"/></keyframe>
    </mujoco>`;
    const m = loadMjcf(xml);
    expect([m.nbody, m.nq, m.nv, m.ngeom, m.timestep]).toEqual([2, 1, 1, 2, 0.005]);
  });

  it('read sites (frames for kinematics) with their defaults and orientation, and reject what would misplace one', () => {
    const xml = `<mujoco model="sites"><compiler angle="degree"/><default><site size="0.01" rgba="1 0 0 1"/><default class="tip"><site pos="0 0 0.3"/></default></default>
      <worldbody><site name="origin" pos="1 2 3"/>
        <body name="b"><joint name="j"/><geom size="0.1"/>
          <site name="s1" class="tip" euler="0 0 90"/><site name="s2" fromto="0 0 0 0 0 2" type="capsule"/></body>
      </worldbody></mujoco>`;
    const m = loadMjcf(xml);
    expect(m.siteNames).toEqual(['origin', 's1', 's2']);
    expect(Array.from(m.siteBody)).toEqual([0, 1, 1]);
    expect(vec(m.sitePos, 0, 3)).toEqual([1, 2, 3]);
    expect(vec(m.sitePos, 1, 3)).toEqual([0, 0, 0.3]);
    vec(m.siteQuat, 1, 4).forEach((v, k) => expect(v).toBeCloseTo([Math.SQRT1_2, 0, 0, Math.SQRT1_2][k] as number, 12));
    expect(vec(m.sitePos, 2, 3)).toEqual([0, 0, 1]);
    expect(() => loadMjcf(wrap('<body name="b"><joint name="j"/><geom size="0.1"/><site name="s" mass="1"/></body>'))).toThrow(/unsupported attribute "mass"/);
  });
});

