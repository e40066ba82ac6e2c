// Render build/icon.svg into every icon the installers need:
//   build/icons/<n>x<n>.png  Linux (AppImage, deb) and the window icon
//   build/icon.png           512 px, the generic one
//   build/icon.ico           Windows (exe, NSIS installer and uninstaller)
//   build/icon.icns          macOS (app bundle, dmg)
// Each size is rendered from the vector source (crisper than scaling one bitmap down).
// Usage: npm run build:icons
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import { writeFileAtomic } from '../src-main/engine/fsutil.js';
import { encodeIcns } from './icons/icns.js';
import { encodeIco, type IconBitmap } from './icons/ico.js';

export const PNG_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024] as const;
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256] as const;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BUILD_DIR = path.join(ROOT, 'build');

export function renderIcon(svg: string, size: number): IconBitmap {
  const image = new Resvg(svg, { fitTo: { mode: 'width', value: size }, background: 'rgba(0,0,0,0)' }).render();
  if (image.width !== size || image.height !== size) {
    throw new Error(`icon.svg rendered to ${image.width}×${image.height} at size ${size}: the SVG must be square`);
  }
  return { size, rgba: new Uint8Array(image.pixels), png: new Uint8Array(image.asPng()) };
}

export interface IconFiles {
  pngs: string[];
  png: string;
  ico: string;
  icns: string;
}

/** Render `<buildDir>/icon.svg` and write all icon files beside it (atomically). */
export function makeIcons(buildDir: string = BUILD_DIR): IconFiles {
  const svgFile = path.join(buildDir, 'icon.svg');
  let svg: string;
  try {
    svg = fs.readFileSync(svgFile, 'utf8');
  } catch (e) {
    throw new Error(`${svgFile}: cannot read the icon source (${(e as Error).message})`);
  }
  const bySize = new Map<number, IconBitmap>();
  for (const size of PNG_SIZES) bySize.set(size, renderIcon(svg, size));

  const iconsDir = path.join(buildDir, 'icons');
  fs.mkdirSync(iconsDir, { recursive: true });
  const pngs = PNG_SIZES.map((size) => {
    const file = path.join(iconsDir, `${size}x${size}.png`);
    writeFileAtomic(file, bySize.get(size)!.png);
    return file;
  });
  const png = path.join(buildDir, 'icon.png');
  writeFileAtomic(png, bySize.get(512)!.png);
  const ico = path.join(buildDir, 'icon.ico');
  writeFileAtomic(ico, encodeIco(ICO_SIZES.map((s) => bySize.get(s)!)));
  const icns = path.join(buildDir, 'icon.icns');
  writeFileAtomic(icns, encodeIcns(new Map([...bySize].map(([s, im]) => [s, im.png]))));
  return { pngs, png, ico, icns };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const files = makeIcons();
    const rel = (f: string) => path.relative(ROOT, f);
    const kb = (f: string) => `${(fs.statSync(f).size / 1024).toFixed(1)} KiB`;
    console.log(`icons: ${files.pngs.length} PNGs in ${rel(path.dirname(files.pngs[0]))}/, ` +
      `${rel(files.ico)} (${kb(files.ico)}), ${rel(files.icns)} (${kb(files.icns)}), ${rel(files.png)}`);
  } catch (e) {
    console.error(`make-icons: ${(e as Error).message}`);
    process.exit(1);
  }
}
