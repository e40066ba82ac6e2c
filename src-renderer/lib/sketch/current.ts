// The one drawing the Sketchpad and the Inside view share, so what is drawn in one is seen in the other.
import { Sketch } from '../../../src-shared/sketch/strokes';

export const currentSketch = new Sketch();
