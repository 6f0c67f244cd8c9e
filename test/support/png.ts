import { inflateSync } from 'node:zlib';

/** A decoded PNG: 8-bit RGBA, row by row. */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8Array;
}

const SIGNATURE = '89504e470d0a1a0a';
/** Colour type → channels, for the 8-bit truecolour and greyscale images a browser screenshot is. */
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/**
 * Decodes a non-interlaced 8-bit PNG (what Chromium's screenshots are): the IDAT stream inflated,
 * each scanline's filter undone (PNG spec, section 9), expanded to RGBA.
 */
export function decodePng(png: Uint8Array): Pixels {
  const bytes = Buffer.from(png);
  if (bytes.subarray(0, 8).toString('hex') !== SIGNATURE) throw new Error('not a PNG file');
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const body = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      [width, height] = [body.readUInt32BE(0), body.readUInt32BE(4)];
      const [depth, colour, interlace] = [body[8], body[9] ?? -1, body[12]];
      channels = CHANNELS[colour] ?? 0;
      if (depth !== 8 || channels === 0 || interlace !== 0)
        throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${interlace}`);
    }
    if (type === 'IDAT') data.push(body);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = new Uint8Array(width * height * 4);
  let previous = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? (row[x - channels] ?? 0) : 0;
      const up = previous[x] ?? 0;
      const upLeft = x >= channels ? (previous[x - channels] ?? 0) : 0;
      row[x] = ((line[x] ?? 0) + predictor(filter, left, up, upLeft)) & 0xff;
    }
    for (let x = 0, at = 0, out = y * width * 4; x < width; x++, at += channels, out += 4) {
      const grey = channels < 3;
      pixels[out] = row[at] ?? 0;
      pixels[out + 1] = row[grey ? at : at + 1] ?? 0;
      pixels[out + 2] = row[grey ? at : at + 2] ?? 0;
      pixels[out + 3] = channels === 4 || channels === 2 ? (row[at + channels - 1] ?? 255) : 255;
    }
    previous = row;
  }
  return { width, height, rgba: pixels };
}

function predictor(filter: number | undefined, left: number, up: number, upLeft: number): number {
  switch (filter) {
    case 0:
      return 0;
    case 1:
      return left;
    case 2:
      return up;
    case 3:
      return Math.floor((left + up) / 2);
    case 4: {
      const estimate = left + up - upLeft;
      const [toLeft, toUp, toUpLeft] = [estimate - left, estimate - up, estimate - upLeft].map(Math.abs);
      if ((toLeft ?? 0) <= (toUp ?? 0) && (toLeft ?? 0) <= (toUpLeft ?? 0)) return left;
      return (toUp ?? 0) <= (toUpLeft ?? 0) ? up : upLeft;
    }
    default:
      throw new Error(`unknown PNG filter type ${filter}`);
  }
}

/** How many distinct colours the image holds, and how many of its pixels are not white. */
export function colourCounts({ rgba }: Pixels): { readonly colours: number; readonly nonWhite: number } {
  const colours = new Set<number>();
  let nonWhite = 0;
  for (let at = 0; at < rgba.length; at += 4) {
    const [r = 0, g = 0, b = 0] = rgba.subarray(at, at + 3);
    colours.add((r << 16) | (g << 8) | b);
    if (r < 250 || g < 250 || b < 250) nonWhite += 1;
  }
  return { colours: colours.size, nonWhite };
}
