/**
 * JSON that keeps typed arrays bit-exact: checkpoints store parameters, optimizer moments and
 * environment states as base64 of their bytes, so a resumed run continues with exactly the
 * numbers it stopped with (decimal printing of doubles would round-trip too, but is 3× larger).
 */

const TYPED = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
} as const;
type TypedName = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedName]>;

interface EncodedTyped {
  readonly $typed: TypedName;
  readonly base64: string;
}

function isEncoded(x: unknown): x is EncodedTyped {
  return typeof x === 'object' && x !== null && typeof (x as EncodedTyped).$typed === 'string' && typeof (x as EncodedTyped).base64 === 'string';
}

/** `JSON.stringify` with typed arrays encoded losslessly. */
export function stringifyWithTypedArrays(value: unknown, space?: number): string {
  return JSON.stringify(
    value,
    function replacer(this: unknown, _key: string, v: unknown) {
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
        const name = v.constructor.name as TypedName;
        if (!(name in TYPED)) throw new TypeError(`cannot serialise a ${name}`);
        const bytes = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
        return { $typed: name, base64: bytes.toString('base64') } satisfies EncodedTyped;
      }
      return v;
    },
    space,
  );
}

/** Inverse of {@link stringifyWithTypedArrays}. */
export function parseWithTypedArrays(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (!isEncoded(v)) return v;
    const ctor = TYPED[v.$typed];
    const bytes = Buffer.from(v.base64, 'base64');
    // Copy into a fresh, aligned buffer: a Buffer may sit at an unaligned offset of a pool.
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    return new ctor(copy.buffer) as Typed;
  });
}
