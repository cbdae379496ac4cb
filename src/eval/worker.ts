// Child process of EvalPool (variants.ts): evaluates the clips the parent sends, one at a time.
import { makeVariantEvaluator, type Variant } from './variants.ts';

type Msg =
  | { type: 'init'; cfg: unknown }
  | { type: 'clip'; index: number; path: string; variants: Variant[] }
  | { type: 'stop' };

let evaluate: ReturnType<typeof makeVariantEvaluator> | undefined;
const send = (m: unknown) => process.send!(m);

process.on('message', (m: Msg) => {
  try {
    if (m.type === 'init') {
      evaluate = makeVariantEvaluator(m.cfg);
      send({ type: 'ready' });
    } else if (m.type === 'clip') {
      if (!evaluate) throw new Error('clip before init');
      send({ type: 'result', index: m.index, result: evaluate(m.path, m.variants) });
    } else if (m.type === 'stop') {
      process.disconnect();
    }
  } catch (e) {
    send({ type: 'error', error: (e as Error).message });
  }
});
process.on('disconnect', () => process.exit(0));
