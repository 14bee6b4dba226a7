// A dependency-free PNG encoder for the feature-image fixture: the suite needs a real image file of a
// known size, and generating it keeps binaries out of the repository and ImageMagick out of CI.

import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes an 8-bit RGB image; pixel(x, y) returns [r, g, b]. */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => readonly [number, number, number]): Buffer {
  const stride = width * 3 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    raw[y * stride] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      const o = y * stride + 1 + x * 3;
      raw[o] = r;
      raw[o + 1] = g;
      raw[o + 2] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const mix = (a: number, b: number, t: number): number => Math.round(a + (b - a) * t);

/** A desert landscape at dusk (sky, sun, dunes), so screenshots show a photo-like feature image. */
export function landscapePng(width = 1200, height = 675): Buffer {
  const sun = { x: width * 0.68, y: height * 0.42, r: height * 0.11 };
  const ridge = (x: number, base: number, amp: number, freq: number, phase: number): number =>
    height * base + Math.sin((x / width) * Math.PI * freq + phase) * height * amp + Math.sin((x / width) * Math.PI * freq * 3.1 + phase) * height * amp * 0.25;
  return encodePng(width, height, (x, y) => {
    const far = ridge(x, 0.6, 0.04, 2.2, 0.4);
    const near = ridge(x, 0.74, 0.06, 1.4, 2.1);
    if (y > near) {
      const t = (y - near) / (height - near);
      return [mix(176, 120, t), mix(104, 64, t), mix(52, 30, t)];
    }
    if (y > far) {
      const t = (y - far) / Math.max(1, near - far);
      return [mix(206, 168, t), mix(136, 100, t), mix(78, 56, t)];
    }
    const d = Math.hypot(x - sun.x, y - sun.y);
    if (d < sun.r) return [255, 236, 190];
    const t = y / (height * 0.62);
    const glow = Math.max(0, 1 - d / (sun.r * 4)) * 0.5;
    return [Math.min(255, mix(62, 248, t) + glow * 60), Math.min(255, mix(88, 170, t) + glow * 50), Math.min(255, mix(150, 120, t) + glow * 20)];
  });
}
