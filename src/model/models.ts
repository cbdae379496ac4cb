// The fixed-point model behind the same AttentionModel interface as the float models.
import type { DesignSpec } from '../units/design.ts';
import type { AttentionModel } from './float.ts';
import { elsaFixed, quantizeRows, quantizeThreshold } from '../units/top/model.ts';

export function elsaFixedModel(D: DesignSpec): AttentionModel {
  return {
    attend(Q, K, V, t) {
      const tr = elsaFixed(D, quantizeRows(K, D), quantizeRows(V, D), quantizeRows(Q, D), quantizeThreshold(t, D));
      return {
        out: tr.out.map((r) => r.map((x) => x / 2 ** D.out.frac)),
        candidates: tr.queries.map((q) => q.candidates),
      };
    },
  };
}
export { elsaFloatModel, exactModel } from './float.ts';
