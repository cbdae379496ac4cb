// Minimal deterministic inline-SVG bar charts for the HTML report (no plotting dependency).
const f1 = (x: number) => x.toFixed(1);
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface Bar { label: string; value: number; note?: string }

/** Vertical bars with value labels; `max` fixes the y range (e.g. 100 for percentages). */
export function barChart(title: string, yLabel: string, bars: Bar[], max?: number, color = '#2c7fb8'): string {
  const W = 520, H = 260, x0 = 60, y0 = 36, w = W - x0 - 20, h = H - y0 - 50;
  const top = max ?? Math.max(1e-9, ...bars.map((b) => b.value)) * 1.15;
  const bw = w / Math.max(1, bars.length);
  const o: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`];
  o.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`);
  o.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#000"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4, y = y0 + h - (h * i) / 4;
    o.push(`<line x1="${x0}" y1="${f1(y)}" x2="${x0 + w}" y2="${f1(y)}" stroke="#e6e6e6"/><text x="${x0 - 6}" y="${f1(y + 4)}" text-anchor="end" font-size="11">${v >= 100 ? v.toFixed(0) : v.toPrecision(3)}</text>`);
  }
  bars.forEach((b, i) => {
    const bh = (h * Math.min(b.value, top)) / top, x = x0 + i * bw + bw * 0.15;
    o.push(`<rect x="${f1(x)}" y="${f1(y0 + h - bh)}" width="${f1(bw * 0.7)}" height="${f1(bh)}" fill="${color}"/>`);
    o.push(`<text x="${f1(x + bw * 0.35)}" y="${f1(y0 + h - bh - 4)}" text-anchor="middle" font-size="11">${esc(b.note ?? b.value.toPrecision(3))}</text>`);
    o.push(`<text x="${f1(x + bw * 0.35)}" y="${f1(y0 + h + 16)}" text-anchor="middle" font-size="11">${esc(b.label)}</text>`);
  });
  o.push(`<text transform="translate(16,${f1(y0 + h / 2)}) rotate(-90)" text-anchor="middle" font-size="12">${esc(yLabel)}</text></svg>`);
  return o.join('\n');
}
