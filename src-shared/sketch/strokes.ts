// The sketch's data: strokes made of points in pad units (0-1 on both axes, origin top-left), so
// the drawing survives a resize of the pad and can be rendered at any resolution.

export interface Point {
  x: number;
  y: number;
  /** 0-1; 0.5 for devices without pressure (mouse). */
  pressure: number;
}

export type Stroke = Point[];

export interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** Points closer than this to the previous one (pad units) are dropped: ~0.5 px on a 300 px pad. */
const MIN_STEP = 0.0015;

/** An undoable list of strokes plus the one being drawn. Listeners hear every change. */
export class Sketch {
  private done: Stroke[] = [];
  private current: Stroke | null = null;
  private listeners = new Set<(reason: ChangeReason) => void>();

  get strokes(): readonly Stroke[] {
    return this.current ? [...this.done, this.current] : this.done;
  }

  get drawing(): boolean {
    return this.current !== null;
  }

  get isEmpty(): boolean {
    return this.done.length === 0 && !this.current;
  }

  get count(): number {
    return this.strokes.length;
  }

  begin(p: Point): void {
    if (this.current) this.end();
    this.current = [clampPoint(p)];
    this.emit('draw');
  }

  /** Add the points of one or more (coalesced) pointer moves. */
  extend(points: Point[]): void {
    if (!this.current) return;
    let added = false;
    for (const raw of points) {
      const p = clampPoint(raw);
      const last = this.current[this.current.length - 1];
      if (Math.hypot(p.x - last.x, p.y - last.y) < MIN_STEP) continue;
      this.current.push(p);
      added = true;
    }
    if (added) this.emit('draw');
  }

  end(): void {
    if (!this.current) return;
    this.done.push(this.current);
    this.current = null;
    this.emit('stroke-end');
  }

  /** Abandon the stroke being drawn (pointercancel, e.g. the OS took over a touch). */
  cancel(): void {
    if (!this.current) return;
    this.current = null;
    this.emit('undo');
  }

  undo(): boolean {
    if (this.current) {
      this.cancel();
      return true;
    }
    if (this.done.length === 0) return false;
    this.done.pop();
    this.emit('undo');
    return true;
  }

  clear(): boolean {
    if (this.isEmpty) return false;
    this.done = [];
    this.current = null;
    this.emit('clear');
    return true;
  }

  onChange(listener: (reason: ChangeReason) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(reason: ChangeReason): void {
    for (const l of this.listeners) l(reason);
  }
}

export type ChangeReason = 'draw' | 'stroke-end' | 'undo' | 'clear';

function clampPoint(p: Point): Point {
  const c = (v: number) => Math.min(1, Math.max(0, v));
  return { x: c(p.x), y: c(p.y), pressure: Number.isFinite(p.pressure) ? c(p.pressure) : 0.5 };
}

/** Bounding box of the strokes' centre lines, or null when there are none. */
export function boundingBox(strokes: readonly Stroke[]): Box | null {
  let box: Box | null = null;
  for (const s of strokes) {
    for (const p of s) {
      if (!box) box = { minX: p.x, minY: p.y, maxX: p.x, maxY: p.y };
      else {
        box.minX = Math.min(box.minX, p.x);
        box.minY = Math.min(box.minY, p.y);
        box.maxX = Math.max(box.maxX, p.x);
        box.maxY = Math.max(box.maxY, p.y);
      }
    }
  }
  return box;
}
