// The feature-image fixture: a real image of a known size, generated so no binary is committed.

import { encodePng } from '../helpers/png.js';

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
