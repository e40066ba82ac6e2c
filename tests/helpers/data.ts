// The test data the repository carries (tests/data/README.md: provenance, licences, sha256): defined once for the
// tests and benchmarks. The files are part of every checkout, so nothing skips for want of them.
import path from 'node:path';

export const DATA_DIR = path.resolve(import.meta.dirname, '../data');
/** UCI pendigits, training half: 7 494 pen-drawn digits by 30 writers (UNIPEN text). */
export const PEN_FILE = path.join(DATA_DIR, 'pendigits', 'pendigits-orig.tra');
/** Three real Keras `model.save()` MNIST CNNs (tests/helpers/keras.ts lists them). */
export const KERAS_DIR = path.join(DATA_DIR, 'keras');
