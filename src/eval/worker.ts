// Child process of EvalPool (variants.ts): evaluates the clips the parent sends, one at a time.
import { KwtModel } from '../tflite/interpreter.ts';
import { exactQK, makeVariantEvaluator, type Variant } from './variants.ts';

type Msg =
  | { type: 'init'; cfg: unknown }
  | { type: 'clip'; index: number; path: string; variants: Variant[] }
  | { type: 'collect'; index: number; path: string }
  | { type: 'stop' };

let evaluate: ReturnType<typeof makeVariantEvaluator> | undefined;
let kwt: KwtModel | undefined;
const send = (m: unknown) => process.send!(m);

process.on('message', (m: Msg) => {
  try {
    if (m.type === 'init') {
      kwt = KwtModel.load();
      evaluate = makeVariantEvaluator(m.cfg, kwt);
      send({ type: 'ready' });
    } else if (m.type === 'clip') {
      if (!evaluate) throw new Error('clip before init');
      send({ type: 'result', index: m.index, result: evaluate(m.path, m.variants) });
    } else if (m.type === 'collect') {
      if (!kwt) throw new Error('clip before init');
      send({ type: 'result', index: m.index, result: exactQK(kwt, m.path) });
    } else if (m.type === 'stop') {
      process.disconnect();
    }
  } catch (e) {
    send({ type: 'error', error: (e as Error).message });
  }
});
process.on('disconnect', () => process.exit(0));
