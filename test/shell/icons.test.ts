// The tray and app pictures: the committed PNGs are exactly what assets/generate-icons.mjs draws, and
// each is a real PNG of the size its name promises.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { allIcons, LOOKS } from '../../assets/generate-icons.mjs';
import { REPO } from '../support/harness.js';

interface Png {
  width: number;
  height: number;
  colorType: number;
  pixels: Buffer;
}

/** Reads the PNGs the generator writes (8-bit RGBA, filter 0 on every row). */
function readPng(bytes: Buffer): Png {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let off = 8;
  let width = 0;
  let height = 0;
  let colorType = -1;
  const idat: Buffer[] = [];
  while (off < bytes.length) {
    const len = bytes.readUInt32BE(off);
    const type = bytes.toString('ascii', off + 4, off + 8);
    const data = bytes.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      colorType = data[9]!;
    }
    if (type === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) raw.copy(pixels, y * width * 4, y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1));
  return { width, height, colorType, pixels };
}

const icons = allIcons() as Map<string, Buffer>;

describe('icons', () => {
  it('the committed files are the generator’s output (edit assets/generate-icons.mjs, then run it)', () => {
    for (const [rel, bytes] of icons) expect(readFileSync(join(REPO, rel)).equals(bytes), rel).toBe(true);
  });

  it('tray pictures exist for every look, for light and dark panels and as macOS templates, at 1x and 2x', () => {
    for (const look of LOOKS as string[]) {
      for (const variant of [`${look}-light`, `${look}-dark`, `${look}Template`]) {
        expect(readPng(icons.get(`assets/tray/tray-${variant}.png`)!)).toMatchObject({ width: 16, height: 16, colorType: 6 });
        expect(readPng(icons.get(`assets/tray/tray-${variant}@2x.png`)!)).toMatchObject({ width: 32, height: 32, colorType: 6 });
      }
    }
    expect(readPng(icons.get('build/icon.png')!)).toMatchObject({ width: 512, height: 512 });
    expect(readPng(icons.get('build/icons/256x256.png')!)).toMatchObject({ width: 256, height: 256 });
  });

  it('template images are black with alpha only (macOS tints them), and the looks differ in shape, not only colour', () => {
    const alpha = (p: Png) => [...Array(p.width * p.height).keys()].map((i) => p.pixels[i * 4 + 3]!);
    const templates = (LOOKS as string[]).map((l) => readPng(icons.get(`assets/tray/tray-${l}Template@2x.png`)!));
    for (const t of templates) {
      for (let i = 0; i < t.width * t.height; i++)
        if (t.pixels[i * 4 + 3]! > 0) expect([t.pixels[i * 4], t.pixels[i * 4 + 1], t.pixels[i * 4 + 2]]).toEqual([0, 0, 0]);
    }
    const shapes = templates.map((t) =>
      alpha(t)
        .map((a) => (a > 127 ? 1 : 0))
        .join(''),
    );
    expect(new Set(shapes).size).toBe(3);
  });

  it('the glyph contrasts with its panel: dark ink for light panels, light ink for dark ones', () => {
    const luminance = (p: Png) => {
      let sum = 0;
      let n = 0;
      for (let i = 0; i < p.width * p.height; i++) {
        const a = p.pixels[i * 4 + 3]! / 255;
        if (a < 0.9) continue;
        sum += (0.2126 * p.pixels[i * 4]! + 0.7152 * p.pixels[i * 4 + 1]! + 0.0722 * p.pixels[i * 4 + 2]!) * a;
        n++;
      }
      return sum / n;
    };
    for (const look of LOOKS as string[]) {
      expect(luminance(readPng(icons.get(`assets/tray/tray-${look}-light@2x.png`)!))).toBeLessThan(110);
      expect(luminance(readPng(icons.get(`assets/tray/tray-${look}-dark@2x.png`)!))).toBeGreaterThan(140);
    }
  });
});
