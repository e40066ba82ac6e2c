// The text form of a network as the protocol carries it: a string that must parse and whose shapes must fit between
// the 28×28×1 input and the softmax output, read as its canonical form. The refusal is the problem's one line.
import { z } from 'zod';
import { MAX_NETWORK_TEXT } from './spec.js';
import { summariseNetwork } from './shapes.js';
import { problemLine } from './text.js';

export const networkTextSchema = z
  .string()
  .max(MAX_NETWORK_TEXT, `a network's text is at most ${MAX_NETWORK_TEXT} characters`)
  .transform((text, ctx) => {
    const summary = summariseNetwork(text);
    if (summary.problem) {
      ctx.addIssue({ code: 'custom', message: problemLine(summary.problem) });
      return z.NEVER;
    }
    return summary.text;
  });
