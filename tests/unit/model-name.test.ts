// One model-name rule (src-shared/model-name.ts): the protocol, the store and the UI accept and refuse the same names.
import { describe, expect, it } from 'vitest';
import { validateModelName } from '../../src-main/engine/store.js';
import { MODEL_NAME_RULE, modelNameProblem, suggestModelName, uniqueName } from '../../src-shared/model-name.js';
import { parseParams } from '../../src-shared/protocol.js';

const GOOD = ['a', 'A1', 'fast-2026-11-25 v2.1', 'x_', 'my model-3', '9'.repeat(64)];
const BAD = ['', 'a.', 'a ', 'a..b', '.hidden', '-x', ' x', 'a/b', 'a\\b', '../x', 'x'.repeat(65), 'tab\tx', 'é', 'a\nb'];

describe('model names', () => {
  it('are accepted or refused alike by the protocol, the store and the UI', () => {
    for (const name of GOOD) {
      expect(modelNameProblem(name), name).toBeNull();
      expect(validateModelName(name)).toBe(name);
      expect(() => parseParams('models.rename', { from: name, to: name }), name).not.toThrow();
    }
    for (const name of BAD) {
      expect(modelNameProblem(name), name).not.toBeNull();
      expect(() => validateModelName(name), name).toThrow(/invalid model name/);
      expect(() => parseParams('models.delete', { name }), name).toThrow(/invalid params for models.delete: name: /);
      expect(() => parseParams('train', { name }), name).toThrow(/invalid params for train/);
    }
  });

  it('explain the rule in one line, the same everywhere', () => {
    expect(() => validateModelName('a.')).toThrow(`invalid model name "a.": ${MODEL_NAME_RULE}`);
    expect(modelNameProblem('a..b')).toBe(MODEL_NAME_RULE);
    expect(() => parseParams('models.delete', { name: 'a.' })).toThrow(MODEL_NAME_RULE);
    expect(() => validateModelName('x\ny')).toThrow(/^invalid model name "x\\ny": [^\n]*$/);
  });

  it('are suggested valid from any file or folder name, and made unique', () => {
    const odd = ['my model', 'tfjs_model (2)', '.hidden', '../../etc', 'C:\\x\\a..b.h5', 'ünïcode✓.hdf5', 'x'.repeat(100), '', 'name. ', '...h5', 'a .keras'];
    for (const input of odd) expect(modelNameProblem(suggestModelName(input, 'keras')), input).toBeNull();
    expect(suggestModelName('dir/my model (2).h5', 'keras')).toBe('my model -2-');
    expect(suggestModelName('.h5', 'keras')).toBe('keras');
    expect(uniqueName('m', (n) => ['m', 'm-2'].includes(n))).toBe('m-3');
    const long = suggestModelName('y'.repeat(100), 'keras');
    expect(modelNameProblem(uniqueName(long, (n) => n === long))).toBeNull(); // room left for the suffix
  });
});
