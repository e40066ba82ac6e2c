// Terminal rendering: digits as Unicode blocks, small aligned tables.
import pc from 'picocolors';
import { IMAGE_SIDE as SIDE, argmax } from '../../src-shared/domain.js';

const SHADES = [' ', '░', '▒', '▓', '█'];

/**
 * A 28×28 digit as 14 lines of 28 characters: each character covers two pixel rows.
 * With colour, '▀' takes the upper pixel as foreground and the lower as background (24-bit grey);
 * without, the brighter of the two picks a shade block.
 */
export function digitLines(pixels: ArrayLike<number>, color = pc.isColorSupported): string[] {
  const lines: string[] = [];
  for (let y = 0; y < SIDE; y += 2) {
    let line = '';
    for (let x = 0; x < SIDE; x++) {
      const top = pixels[y * SIDE + x];
      const bottom = pixels[(y + 1) * SIDE + x];
      if (color) {
        line += `\x1b[38;2;${top};${top};${top}m\x1b[48;2;${bottom};${bottom};${bottom}m▀`;
      } else {
        line += SHADES[Math.round((Math.max(top, bottom) / 255) * (SHADES.length - 1))];
      }
    }
    lines.push(color ? line + '\x1b[0m' : line);
  }
  return lines;
}

/** Place blocks of lines side by side with a gap. */
export function sideBySide(blocks: string[][], gap = '  '): string[] {
  const height = Math.max(...blocks.map((b) => b.length));
  const widths = blocks.map((b) => Math.max(...b.map(visibleLength)));
  const out: string[] = [];
  for (let row = 0; row < height; row++) {
    out.push(blocks.map((b, i) => pad(b[row] ?? '', widths[i])).join(gap).trimEnd());
  }
  return out;
}

export function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return [...s.replace(/\x1b\[[0-9;]*m/g, '')].length;
}

export function pad(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - visibleLength(s)));
  return align === 'left' ? s + fill : fill + s;
}

/** A plain table: header row, rule, rows; numbers right-aligned. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => visibleLength(r[c] ?? ''))));
  const fmt = (r: string[], i: number) =>
    r.map((v, c) => pad(v, widths[c], i > 0 && typeof rows[i - 1][c] === 'number' ? 'right' : c === 0 ? 'left' : 'right')).join('  ');
  return [fmt(header, 0), widths.map((w) => '─'.repeat(w)).join('  '), ...cells.slice(1).map((r, i) => fmt(r, i + 1))].join('\n');
}

/** 10 probabilities as a compact bar chart, one line per class. */
export function probBars(probs: number[], classes?: readonly string[], width = 30): string[] {
  const best = argmax(probs, 0, probs.length);
  const names = probs.map((_, k) => classes?.[k] ?? String(k));
  const pad = Math.max(...names.map((n) => n.length));
  return probs.map((p, k) => {
    const bar = '█'.repeat(Math.round(p * width)).padEnd(width, '·');
    const line = `${names[k].padEnd(pad)}  ${bar}  ${(p * 100).toFixed(1).padStart(5)}%`;
    return k === best ? pc.bold(line) : line;
  });
}
