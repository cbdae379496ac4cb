// Child process of evaluateClips (fig10.ts): evaluates the clips the parent sends, one at a time.
import { makeClipEvaluator, type ClipResult, type EvalSetup } from './fig10.ts';

type Msg = { type: 'init'; setup: EvalSetup } | { type: 'clip'; index: number; path: string } | { type: 'stop' };

let evaluate: ((path: string) => ClipResult) | undefined;
const send = (m: unknown) => process.send!(m);

process.on('message', (m: Msg) => {
  try {
    if (m.type === 'init') {
      evaluate = makeClipEvaluator(m.setup);
      send({ type: 'ready' });
    } else if (m.type === 'clip') {
      if (!evaluate) throw new Error('clip before init');
      send({ type: 'result', index: m.index, result: evaluate(m.path) });
    } else if (m.type === 'stop') {
      process.disconnect();
    }
  } catch (e) {
    send({ type: 'error', error: (e as Error).message });
  }
});
