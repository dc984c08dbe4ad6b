/**
 * Geom colours from an MJCF file. The physics model keeps no appearance data (the loader
 * ignores `rgba`), so the colours are read from the XML again, walking the body tree in the
 * loader's order (world geoms first, then bodies depth-first, each body's geoms in document
 * order) and resolving `rgba` through the default classes (`class`, `childclass`, nesting).
 * @module
 */

import { readFileSync } from 'node:fs';
import type { PhysicsModel } from '../physics/model.js';
import { parseXml, type XmlElement } from '../physics/xml.js';
import { RenderError } from './pose.js';

/** MuJoCo's colour of a geom that sets none. */
const MUJOCO_DEFAULT_RGBA = [0.5, 0.5, 0.5, 1] as const;

/** The `rgba` of each default class (undefined: the class does not set one). */
function defaultRgba(root: XmlElement): Map<string, string | undefined> {
  const classes = new Map<string, string | undefined>();
  const visit = (el: XmlElement, inherited: string | undefined, top: boolean): void => {
    const name = top ? 'main' : (el.attrs.get('class') ?? '');
    let rgba = inherited;
    for (const c of el.children) if (c.name === 'geom' && c.attrs.has('rgba')) rgba = c.attrs.get('rgba');
    classes.set(name, rgba);
    for (const c of el.children) if (c.name === 'default') visit(c, rgba, false);
  };
  classes.set('main', undefined);
  for (const d of root.children) if (d.name === 'default') visit(d, undefined, true);
  return classes;
}

/**
 * The `ngeom·4` geom colours of `model` read from its MJCF source `xml` (components in
 * [0, 1]; geoms without `rgba` in the file or its defaults get MuJoCo's grey). Throws
 * {@link RenderError} if the file's geoms do not line up with the model's (count or names),
 * i.e. the XML is not the one the model was loaded from.
 */
export function geomRgbaFromMjcf(xml: string, model: PhysicsModel, fileName = 'MJCF'): Float64Array {
  const root = parseXml(xml, fileName);
  const classes = defaultRgba(root);
  const world: XmlElement[] = [];
  const bodies: { geoms: XmlElement[]; cls: string[] }[] = [];
  const worldClasses: string[] = [];
  const readBody = (el: XmlElement, childclass: string): void => {
    const cls = el.attrs.get('childclass') ?? childclass;
    const entry = { geoms: [] as XmlElement[], cls: [] as string[] };
    bodies.push(entry);
    for (const c of el.children) {
      if (c.name === 'geom') {
        entry.geoms.push(c);
        entry.cls.push(cls);
      }
    }
    for (const c of el.children) if (c.name === 'body') readBody(c, cls);
  };
  for (const wb of root.children) {
    if (wb.name !== 'worldbody') continue;
    for (const c of wb.children) {
      if (c.name === 'geom') {
        world.push(c);
        worldClasses.push('main');
      } else if (c.name === 'body') readBody(c, 'main');
    }
  }
  const geoms = [...world, ...bodies.flatMap((b) => b.geoms)];
  const geomClasses = [...worldClasses, ...bodies.flatMap((b) => b.cls)];
  if (geoms.length !== model.ngeom) throw new RenderError(`${fileName} has ${geoms.length} geoms, model "${model.name}" has ${model.ngeom}: not the model's MJCF file`);
  const out = new Float64Array(4 * model.ngeom);
  geoms.forEach((el, g) => {
    const name = el.attrs.get('name') ?? '';
    const modelName = model.geomNames[g] ?? '';
    if (name !== modelName) throw new RenderError(`${fileName}: geom ${g} is "${name}", model "${model.name}" has "${modelName}": not the model's MJCF file`);
    const cls = el.attrs.get('class') ?? (geomClasses[g] as string);
    const text = el.attrs.get('rgba') ?? classes.get(cls);
    const rgba = text === undefined ? [...MUJOCO_DEFAULT_RGBA] : text.trim().split(/\s+/).map(Number);
    if (rgba.length !== 4 || rgba.some((x) => !(x >= 0 && x <= 1))) throw new RenderError(`${fileName}: geom ${g} "${name}" has rgba "${text}", expected 4 numbers in [0, 1]`);
    out.set(rgba, 4 * g);
  });
  return out;
}

/** {@link geomRgbaFromMjcf} of a file (UTF-8). */
export function geomRgbaFromMjcfFile(path: string, model: PhysicsModel): Float64Array {
  return geomRgbaFromMjcf(readFileSync(path, 'utf8'), model, path);
}
