// fig10.svg: keys selected and accuracy versus p, float and fixed-point ELSA, drawn with Vega-Lite
// (src/report/charts.ts) as two panels side by side. Deterministic: same result, same bytes.
import { lineSpec, vegaLiteSvg, type LineSeries } from '../report/charts.ts';
import type { Fig10Result } from './types.ts';

const COLORS = { float: '#1f77b4', fixed: '#d62728', exact: '#555555', floatAgree: '#7fb3d9', fixedAgree: '#eb9394' };

export function renderSvg(r: Fig10Result): Promise<string> {
  const pc = (x: number) => Number((100 * x).toFixed(2));
  const xs = r.ps;
  const keys: LineSeries[] = [
    { label: 'float ELSA', xs, ys: r.float.map((v) => pc(v.selected)), color: COLORS.float },
    { label: 'fixed-point ELSA', xs, ys: r.fixed.map((v) => pc(v.selected)), color: COLORS.fixed, dashed: true },
  ];
  const acc: LineSeries[] = [
    {
      label: `exact model top-1 (${pc(r.exact.top1).toFixed(1)}%)`,
      xs,
      ys: xs.map(() => pc(r.exact.top1)),
      color: COLORS.exact,
      dashed: true,
    },
    { label: 'float ELSA top-1', xs, ys: r.float.map((v) => pc(v.top1)), color: COLORS.float },
    { label: 'fixed-point ELSA top-1', xs, ys: r.fixed.map((v) => pc(v.top1)), color: COLORS.fixed, dashed: true },
    { label: 'float ELSA agree w/ exact', xs, ys: r.float.map((v) => pc(v.agree)), color: COLORS.floatAgree },
    {
      label: 'fixed-point ELSA agree w/ exact',
      xs,
      ys: r.fixed.map((v) => pc(v.agree)),
      color: COLORS.fixedAgree,
      dashed: true,
    },
  ];
  const left = lineSpec('Keys selected (candidates)', 'p', 'keys selected (%)', keys, [0, 100]);
  const right = lineSpec('Accuracy on the eval split', 'p', '%', acc, [0, 100]);
  return vegaLiteSvg({
    title: `ELSA on KWT-1 (${r.config.name}, ${r.clips.eval} eval clips, thresholds from ${r.clips.calib} calib clips)`,
    hconcat: [left, right],
    resolve: { scale: { color: 'independent', strokeDash: 'independent' } },
  });
}
