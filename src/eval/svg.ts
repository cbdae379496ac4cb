// fig10.svg, written by hand (no plotting dependency): keys selected and accuracy versus p,
// float and fixed-point ELSA. Every coordinate is printed with 2 decimals, so the file is deterministic.
import type { Fig10Result } from './fig10.ts';

const f2 = (x: number): string => x.toFixed(2);
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Series { label: string; ys: number[]; color: string; dash?: string; marker: 'circle' | 'square' | 'none' }
interface Panel { x0: number; y0: number; w: number; h: number; title: string; yLabel: string; yMin: number; yMax: number; yStep: number; series: Series[] }

const COLORS = { float: '#1f77b4', fixed: '#d62728', exact: '#555555' };

function panel(P: Panel, ps: number[]): string {
  const pMax = Math.max(...ps, 1);
  const X = (p: number) => P.x0 + (p / pMax) * P.w;
  const Y = (v: number) => P.y0 + P.h - ((v - P.yMin) / (P.yMax - P.yMin)) * P.h;
  const o: string[] = [];
  o.push(`<text x="${f2(P.x0 + P.w / 2)}" y="${f2(P.y0 - 12)}" text-anchor="middle" font-size="14" font-weight="bold">${esc(P.title)}</text>`);
  for (let v = P.yMin; v <= P.yMax + 1e-9; v += P.yStep) {
    o.push(`<line x1="${f2(P.x0)}" y1="${f2(Y(v))}" x2="${f2(P.x0 + P.w)}" y2="${f2(Y(v))}" stroke="#e0e0e0"/>`);
    o.push(`<text x="${f2(P.x0 - 6)}" y="${f2(Y(v) + 4)}" text-anchor="end" font-size="11">${v.toFixed(0)}</text>`);
  }
  for (const p of ps) {
    o.push(`<line x1="${f2(X(p))}" y1="${f2(P.y0 + P.h)}" x2="${f2(X(p))}" y2="${f2(P.y0 + P.h + 4)}" stroke="#000"/>`);
    o.push(`<text x="${f2(X(p))}" y="${f2(P.y0 + P.h + 17)}" text-anchor="middle" font-size="11">${p}</text>`);
  }
  o.push(`<rect x="${f2(P.x0)}" y="${f2(P.y0)}" width="${f2(P.w)}" height="${f2(P.h)}" fill="none" stroke="#000"/>`);
  o.push(`<text x="${f2(P.x0 + P.w / 2)}" y="${f2(P.y0 + P.h + 34)}" text-anchor="middle" font-size="12">p</text>`);
  o.push(`<text transform="translate(${f2(P.x0 - 36)},${f2(P.y0 + P.h / 2)}) rotate(-90)" text-anchor="middle" font-size="12">${esc(P.yLabel)}</text>`);
  for (const s of P.series) {
    const pts = s.ys.map((y, i) => `${f2(X(ps[i]))},${f2(Y(y))}`).join(' ');
    o.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    s.ys.forEach((y, i) => {
      if (s.marker === 'circle') o.push(`<circle cx="${f2(X(ps[i]))}" cy="${f2(Y(y))}" r="3.5" fill="${s.color}"/>`);
      else if (s.marker === 'square') o.push(`<rect x="${f2(X(ps[i]) - 3)}" y="${f2(Y(y) - 3)}" width="6" height="6" fill="${s.color}"/>`);
    });
  }
  // legend, under the panel
  P.series.forEach((s, i) => {
    const ly = P.y0 + P.h + 56 + 16 * i;
    const lx = P.x0 + 10;
    o.push(`<line x1="${f2(lx)}" y1="${f2(ly)}" x2="${f2(lx + 24)}" y2="${f2(ly)}" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    o.push(`<text x="${f2(lx + 30)}" y="${f2(ly + 4)}" font-size="11">${esc(s.label)}</text>`);
  });
  return o.join('\n');
}

export function renderSvg(r: Fig10Result): string {
  const W = 880;
  const H = 470;
  const pc = (x: number) => 100 * x;
  const accs = [...r.float, ...r.fixed].flatMap((v) => [v.top1, v.agree]).concat(r.exact.top1).map(pc);
  const yMin = Math.max(0, Math.min(80, Math.floor((Math.min(...accs) - 2) / 10) * 10));
  const left: Panel = {
    x0: 70, y0: 62, w: 330, h: 260, title: 'Keys selected (candidates)', yLabel: 'keys selected (%)', yMin: 0, yMax: 100, yStep: 10,
    series: [
      { label: 'float ELSA', ys: r.float.map((v) => pc(v.selected)), color: COLORS.float, marker: 'circle' },
      { label: 'fixed-point ELSA', ys: r.fixed.map((v) => pc(v.selected)), color: COLORS.fixed, dash: '6,3', marker: 'square' },
    ],
  };
  const right: Panel = {
    x0: 520, y0: 62, w: 330, h: 260, title: 'Accuracy on the eval split', yLabel: '%', yMin, yMax: 100, yStep: yMin >= 50 ? 5 : 10,
    series: [
      { label: `exact model top-1 (${pc(r.exact.top1).toFixed(1)}%)`, ys: r.ps.map(() => pc(r.exact.top1)), color: COLORS.exact, dash: '2,3', marker: 'none' },
      { label: 'float ELSA top-1', ys: r.float.map((v) => pc(v.top1)), color: COLORS.float, marker: 'circle' },
      { label: 'fixed-point ELSA top-1', ys: r.fixed.map((v) => pc(v.top1)), color: COLORS.fixed, dash: '6,3', marker: 'square' },
      { label: 'float ELSA agree w/ exact', ys: r.float.map((v) => pc(v.agree)), color: '#7fb3d9', marker: 'none' },
      { label: 'fixed-point ELSA agree w/ exact', ys: r.fixed.map((v) => pc(v.agree)), color: '#eb9394', dash: '6,3', marker: 'none' },
    ],
  };
  const title = `ELSA on KWT-1 (${r.config.name}, ${r.clips.eval} eval clips, thresholds from ${r.clips.calib} calib clips)`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="15">${esc(title)}</text>`,
    panel(left, r.ps),
    panel(right, r.ps),
    '</svg>',
    '',
  ].join('\n');
}
