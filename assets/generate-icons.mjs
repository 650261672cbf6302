// Draws Hookwatch's tray and app icons as PNG files, with no image library: shapes are signed-distance
// tests, antialiased by supersampling, written as RGBA PNGs with node:zlib. The committed PNGs are this
// script's output (test/shell/icons.test.ts checks they have not drifted): edit here, then run
// `node assets/generate-icons.mjs`.
//
// The glyph is an eye-like ring ("watching"), and the state is told by SHAPE as well as colour, so it
// reads on a monochrome macOS menu bar (template images) and for colour-blind users:
//   ok        full ring, centre dot
//   degraded  ring broken into four arcs, centre dot
//   down      full ring crossed by a slash, no centre dot
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

export const LOOKS = ['ok', 'degraded', 'down'];
/** Panel themes: a light panel wants a dark glyph, a dark panel a light one. */
export const THEMES = ['light', 'dark'];

const INK = { light: [31, 35, 40], dark: [240, 243, 246] };
const STATUS = {
  light: { ok: [26, 127, 55], degraded: [154, 103, 0], down: [207, 34, 46] },
  dark: { ok: [63, 185, 80], degraded: [210, 153, 34], down: [248, 81, 73] },
};

// ---- PNG ------------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** rgba: Uint8Array of size*size*4, straight (not premultiplied) alpha. */
export function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * size * 4, size * 4).copy(raw, y * (size * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- drawing ---------------------------------------------------------------------------------------

/** Layers are painted in order; each is [coverage(x, y) -> 0..1 at a sample point in 0..1 units, rgb]. */
function render(size, layers, samples = 4) {
  const out = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (const [inside, rgb] of layers) {
        let hits = 0;
        for (let sy = 0; sy < samples; sy++) {
          for (let sx = 0; sx < samples; sx++) {
            if (inside((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size)) hits++;
          }
        }
        const cov = hits / (samples * samples);
        if (cov === 0) continue;
        // "over" compositing, straight alpha
        const na = cov + a * (1 - cov);
        r = (rgb[0] * cov + r * a * (1 - cov)) / na;
        g = (rgb[1] * cov + g * a * (1 - cov)) / na;
        b = (rgb[2] * cov + b * a * (1 - cov)) / na;
        a = na;
      }
      const i = (py * size + px) * 4;
      out[i] = Math.round(r);
      out[i + 1] = Math.round(g);
      out[i + 2] = Math.round(b);
      out[i + 3] = Math.round(a * 255);
    }
  }
  return out;
}

const C = 0.5;
const ring = (radius, width) => (x, y) => Math.abs(Math.hypot(x - C, y - C) - radius) <= width / 2;
const disc = (radius) => (x, y) => Math.hypot(x - C, y - C) <= radius;
/** A ring with four gaps, at the diagonals. */
const brokenRing = (radius, width, gapRadians) => (x, y) => {
  if (!ring(radius, width)(x, y)) return false;
  const angle = Math.atan2(y - C, x - C) + Math.PI / 4; // gaps centred on the diagonals
  const within = ((angle % (Math.PI / 2)) + Math.PI / 2) % (Math.PI / 2);
  return within > gapRadians / 2 && within < Math.PI / 2 - gapRadians / 2;
};
/** The slash from top right to bottom left, as a thick segment. */
const slash = (width, reach) => (x, y) => {
  const dx = x - C,
    dy = y - C;
  // distance to the line y = -x through the centre, and position along it
  const across = Math.abs(dx + dy) / Math.SQRT2;
  const along = Math.abs(dx - dy) / Math.SQRT2;
  return across <= width / 2 && along <= reach;
};
const not = (f) => (x, y) => !f(x, y);
const and =
  (...fs) =>
  (x, y) =>
    fs.every((f) => f(x, y));

/** Stroke widths grow a little at small sizes so the glyph survives 16 px. */
function glyphLayers(look, ink, status, size) {
  const stroke = size <= 16 ? 0.13 : size <= 32 ? 0.11 : 0.09;
  const radius = 0.38;
  const slashWidth = stroke * 1.15;
  const layers = [];
  if (look === 'degraded') layers.push([brokenRing(radius, stroke, 0.42), ink]);
  else if (look === 'down') layers.push([and(ring(radius, stroke), not(slash(slashWidth + stroke * 1.1, 0.6))), ink]);
  else layers.push([ring(radius, stroke), ink]);
  if (look === 'down') layers.push([slash(slashWidth, 0.47), status]);
  else layers.push([disc(size <= 16 ? 0.16 : 0.15), status]);
  return layers;
}

export function trayIcon(look, theme, size) {
  return encodePng(size, render(size, glyphLayers(look, INK[theme], STATUS[theme][look], size)));
}

/** macOS template image: black with alpha only; the menu bar tints it for light and dark itself. */
export function trayTemplateIcon(look, size) {
  return encodePng(size, render(size, glyphLayers(look, [0, 0, 0], [0, 0, 0], size)));
}

const roundedSquare = (inset, cornerRadius) => (x, y) => {
  const half = 0.5 - inset;
  const qx = Math.max(Math.abs(x - C) - (half - cornerRadius), 0);
  const qy = Math.max(Math.abs(y - C) - (half - cornerRadius), 0);
  return Math.hypot(qx, qy) <= cornerRadius;
};

/** The application icon: the "ok" glyph, white on a rounded green square (reads on light and dark docks and panels). */
export function appIcon(size) {
  const background = [22, 101, 52];
  const white = [255, 255, 255];
  const green = [74, 222, 128];
  const inset = 0.06;
  return encodePng(
    size,
    render(
      size,
      [
        [roundedSquare(inset, 0.2), background],
        [ring(0.26, 0.07), white],
        [disc(0.1), green],
      ],
      size >= 256 ? 2 : 4,
    ),
  );
}

/** Every icon file, relative to the repository root, with its bytes. */
export function allIcons() {
  const files = new Map();
  for (const look of LOOKS) {
    for (const theme of THEMES) {
      files.set(`assets/tray/tray-${look}-${theme}.png`, trayIcon(look, theme, 16));
      files.set(`assets/tray/tray-${look}-${theme}@2x.png`, trayIcon(look, theme, 32));
    }
    // Electron treats a file whose name ends in "Template" as a macOS template image.
    files.set(`assets/tray/tray-${look}Template.png`, trayTemplateIcon(look, 16));
    files.set(`assets/tray/tray-${look}Template@2x.png`, trayTemplateIcon(look, 32));
  }
  files.set('assets/app/icon-256.png', appIcon(256));
  files.set('build/icon.png', appIcon(512));
  for (const s of [16, 32, 48, 64, 128, 256, 512]) files.set(`build/icons/${s}x${s}.png`, appIcon(s));
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  for (const [rel, bytes] of allIcons()) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), bytes);
    process.stdout.write(`${rel} (${bytes.length} bytes)\n`);
  }
}
