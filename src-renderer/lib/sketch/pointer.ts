// Pointer input for a drawing surface: mouse, pen and touch through one code path (pointer events),
// with pointer capture (a stroke continues when the pointer leaves the pad) and coalesced events
// (every sample the device reported, not one per frame, for smooth fast strokes). One pointer at a
// time: a second finger is ignored rather than joined into the first stroke.
import type { Point } from '../../../src-shared/sketch/strokes.js';

export interface PointerSink {
  begin(p: Point): void;
  extend(points: Point[]): void;
  end(): void;
  cancel(): void;
}

export function attachPointer(el: HTMLElement, sink: PointerSink): () => void {
  let active: number | null = null;

  const toPoint = (e: PointerEvent, rect: DOMRect): Point => ({
    x: (e.clientX - rect.left) / rect.width,
    y: (e.clientY - rect.top) / rect.height,
    // Mice report 0 when no button and 0.5 while pressed; pens report real pressure.
    pressure: e.pointerType === 'mouse' || e.pressure === 0 ? 0.5 : e.pressure,
  });

  const down = (e: PointerEvent) => {
    if (active !== null) return;
    if (e.pointerType === 'mouse' && e.button !== 0) return;
    active = e.pointerId;
    try {
      el.setPointerCapture(e.pointerId);
    } catch {
      /* the pointer is already gone (or synthetic): draw without capture */
    }
    e.preventDefault();
    sink.begin(toPoint(e, el.getBoundingClientRect()));
  };
  const move = (e: PointerEvent) => {
    if (e.pointerId !== active) return;
    const rect = el.getBoundingClientRect();
    const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
    sink.extend((events.length ? events : [e]).map((c) => toPoint(c, rect)));
  };
  const up = (e: PointerEvent) => {
    if (e.pointerId !== active) return;
    move(e);
    active = null;
    if (el.hasPointerCapture(e.pointerId)) el.releasePointerCapture(e.pointerId);
    sink.end();
  };
  const cancel = (e: PointerEvent) => {
    if (e.pointerId !== active) return;
    active = null;
    sink.cancel();
  };

  el.addEventListener('pointerdown', down);
  el.addEventListener('pointermove', move);
  el.addEventListener('pointerup', up);
  el.addEventListener('pointercancel', cancel);
  el.addEventListener('lostpointercapture', cancel);
  return () => {
    el.removeEventListener('pointerdown', down);
    el.removeEventListener('pointermove', move);
    el.removeEventListener('pointerup', up);
    el.removeEventListener('pointercancel', cancel);
    el.removeEventListener('lostpointercapture', cancel);
  };
}
