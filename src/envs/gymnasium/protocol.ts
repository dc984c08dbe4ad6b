/**
 * The bridge's wire format (the Python side is `python/rxrl_gym_server.py`, whose docstring
 * defines the operations): frames of `u32 LE body length`, `u32 LE header length`, a UTF-8
 * JSON header (or none, length 0) and a binary payload of little-endian arrays.
 */

/** Protocol version both sides must agree on. */
export const PROTOCOL = 1;

/** One received frame. `payload` may be a view into a buffer that is reused after the frame is handled. */
export interface Frame {
  readonly header: Readonly<Record<string, unknown>> | null;
  readonly payload: Buffer;
}

/** Reads the bytes of each array as a `Uint8Array` view (no copy). */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Encodes a frame: the JSON header (if any) and the payload arrays. */
export function encodeFrame(header: Readonly<Record<string, unknown>> | null, payload: readonly ArrayBufferView[] = []): Buffer {
  const head = header === null ? undefined : Buffer.from(JSON.stringify(header), 'utf8');
  const headLength = head?.length ?? 0;
  const payloadLength = payload.reduce((n, a) => n + a.byteLength, 0);
  const out = Buffer.allocUnsafe(8 + headLength + payloadLength);
  out.writeUInt32LE(headLength + payloadLength, 0);
  out.writeUInt32LE(headLength, 4);
  let at = 8;
  if (head !== undefined) at += head.copy(out, at);
  for (const a of payload) {
    out.set(bytesOf(a), at);
    at += a.byteLength;
  }
  return out;
}

/**
 * A fixed request frame whose payload is rewritten in place before each send (the step
 * request: same header, new actions), so the hot path allocates nothing.
 */
export class ReusableFrame {
  readonly buffer: Buffer;
  /** The payload bytes inside {@link buffer}. */
  readonly payload: Uint8Array;

  /** `header` null sends no header at all: the step request, the one the server expects most. */
  constructor(header: Readonly<Record<string, unknown>> | null, payloadBytes: number) {
    // Trailing spaces (valid JSON) align the payload to 8 bytes, so typed-array views can write into it.
    const json = header === null ? '' : JSON.stringify(header);
    const head = Buffer.from(header === null ? '' : json.padEnd(json.length + ((8 - ((8 + json.length) % 8)) % 8), ' '), 'utf8');
    this.buffer = Buffer.alloc(8 + head.length + payloadBytes);
    this.buffer.writeUInt32LE(head.length + payloadBytes, 0);
    this.buffer.writeUInt32LE(head.length, 4);
    head.copy(this.buffer, 8);
    this.payload = this.buffer.subarray(8 + head.length);
  }

  /** The payload as float32 entries. */
  float32(): Float32Array {
    return new Float32Array(this.payload.buffer, this.payload.byteOffset, this.payload.byteLength >> 2);
  }

  /** The payload as int32 entries. */
  int32(): Int32Array {
    return new Int32Array(this.payload.buffer, this.payload.byteOffset, this.payload.byteLength >> 2);
  }
}

/** Thrown when the byte stream is not a sequence of frames (the script printed to its protocol channel). */
export class FrameError extends Error {}

/** Upper bound on one frame, far above any real observation batch: a larger length means the stream is corrupt. */
const MAX_FRAME = 1 << 30;

/**
 * Splits the child's stdout into frames. Chunks that hold whole frames are parsed in place;
 * a frame split across chunks is assembled once.
 */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /** Feeds a chunk; calls `onFrame` for every frame it completes. */
  push(chunk: Buffer, onFrame: (frame: Frame) => void): void {
    let buf = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      buf = Buffer.concat(this.pending, this.pendingBytes + chunk.length);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let at = 0;
    while (buf.length - at >= 8) {
      const bodyLength = buf.readUInt32LE(at);
      const headLength = buf.readUInt32LE(at + 4);
      if (bodyLength > MAX_FRAME || headLength > bodyLength) {
        throw new FrameError(`malformed frame (body ${bodyLength} bytes, header ${headLength} bytes): ${JSON.stringify(buf.subarray(at, at + 64).toString('latin1'))}`);
      }
      const end = at + 8 + bodyLength;
      if (buf.length < end) break;
      const headEnd = at + 8 + headLength;
      let header: Record<string, unknown> | null = null;
      if (headLength > 0) {
        const parsed = JSON.parse(buf.toString('utf8', at + 8, headEnd)) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new FrameError(`frame header is not a JSON object: ${buf.toString('utf8', at + 8, Math.min(headEnd, at + 72))}`);
        header = parsed as Record<string, unknown>;
      }
      onFrame({ header, payload: buf.subarray(headEnd, end) });
      at = end;
    }
    if (at < buf.length) {
      const rest = buf.subarray(at);
      this.pending.push(rest);
      this.pendingBytes = rest.length;
    }
  }
}
