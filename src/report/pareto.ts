// The sweep's answer page (pareto.html): every operating point (a sweep point at one knob p) placed by
// cost (LUTs and DSPs of the first synthesis target, or the multiplier count without synthesis), cycles
// per query, and where measured KWT-1 accuracy and iCE40 Fmax; the Pareto front over all of those in
// colour, dominated points grey. Self-contained and offline: inline SVG, no script, no URL.
import type { SweepResults } from '../sweep/results.ts';
import { inlineSvg, paretoScatter } from './charts.ts';

export interface Objective {
  key: keyof OpPoint;
  title: string;
  better: 'min' | 'max';
}
export interface OpPoint {
  point: number;
  p: number;
  axes: Record<string, unknown>;
  cyclesPerQuery: number;
  multipliers?: number;
  lut?: number;
  dsp?: number;
  fmax?: number;
  top1?: number;
  front?: boolean;
}

/** true where no other point is at least as good in every objective and better in one. */
export function paretoFront<T>(pts: T[], objectives: { key: keyof T; better: 'min' | 'max' }[]): boolean[] {
  const v = (p: T, o: { key: keyof T; better: 'min' | 'max' }) => (o.better === 'min' ? 1 : -1) * (p[o.key] as number);
  return pts.map(
    (a) =>
      !pts.some(
        (b) => b !== a && objectives.every((o) => v(b, o) <= v(a, o)) && objectives.some((o) => v(b, o) < v(a, o)),
      ),
  );
}

type Metrics = Record<string, unknown> & { perP?: Record<string, number>[]; area?: Record<string, number> };

/** Operating points of a sweep and the objectives its tasks measured. */
export function operatingPoints(r: SweepResults): {
  ops: OpPoint[];
  objectives: Objective[];
  incomplete: OpPoint[];
  target?: string;
} {
  const target = r.tasks.find((l) => l.startsWith('synth:'))?.split(':')[1];
  const hasAcc = r.tasks.includes('accuracy');
  const hasFmax = r.tasks.includes('fmax:ice40');
  const all: OpPoint[] = [];
  for (const pt of r.points) {
    const cyc = pt.tasks.cycles as Metrics | null | undefined;
    if (!cyc || cyc.status !== 'ok') continue;
    const syn = target ? (pt.tasks[`synth:${target}`] as Metrics | null) : undefined;
    const fm = pt.tasks['fmax:ice40'] as Metrics | null | undefined;
    const acc = pt.tasks.accuracy as Metrics | null | undefined;
    for (const w of cyc.perP ?? []) {
      const op: OpPoint = {
        point: pt.index,
        p: w.p,
        axes: pt.axes,
        cyclesPerQuery: w.cyclesPerQuery,
        multipliers: cyc.multipliers as number,
      };
      if (syn?.status === 'ok' && syn.area) Object.assign(op, { lut: syn.area.lut, dsp: syn.area.dsp });
      if (fm?.status === 'ok') op.fmax = fm.fmaxMHz as number;
      const a = acc?.status === 'ok' ? acc.perP?.find((x) => x.p === w.p) : undefined;
      if (a) op.top1 = Number((100 * a.top1Fixed).toFixed(2));
      all.push(op);
    }
  }
  const objectives: Objective[] = [{ key: 'cyclesPerQuery', title: 'cycles per query', better: 'min' }];
  if (target)
    objectives.push(
      { key: 'lut', title: `LUTs (${target})`, better: 'min' },
      { key: 'dsp', title: `DSPs (${target})`, better: 'min' },
    );
  else objectives.push({ key: 'multipliers', title: 'multipliers (2d·P_a + m_h + m_o)', better: 'min' });
  if (hasAcc) objectives.push({ key: 'top1', title: 'KWT-1 top-1, fixed point (%)', better: 'max' });
  // Fmax joins the front only when every point has one (it is missing where a design does not fit)
  if (hasFmax && all.length && all.every((o) => o.fmax !== undefined))
    objectives.push({ key: 'fmax', title: 'iCE40 Fmax (MHz)', better: 'max' });
  const complete = all.filter((o) => objectives.every((ob) => typeof o[ob.key] === 'number'));
  const front = paretoFront(complete, objectives);
  complete.forEach((o, i) => (o.front = front[i]));
  return { ops: complete, objectives, incomplete: all.filter((o) => !complete.includes(o)), target };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const cells = (tag: string, xs: string[]) => xs.map((x) => `<${tag}>${esc(x)}</${tag}>`).join('');
const table = (head: string[], rows: string[][], cls: (i: number) => string = () => '') =>
  `<table><thead><tr>${cells('th', head)}</tr></thead>` +
  `<tbody>${rows.map((r, i) => `<tr${cls(i)}>${cells('td', r)}</tr>`).join('')}</tbody></table>`;
const val = (x: unknown) => (x === undefined || x === null ? '' : typeof x === 'string' ? x : JSON.stringify(x));

const CSS =
  'body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}' +
  'table{border-collapse:collapse;margin:.5em 0}' +
  'td,th{border:1px solid #bbb;padding:3px 8px;font-size:13px;text-align:left}th{background:#f0f0f0}' +
  'tr.dom td{color:#999}.charts svg{margin:4px}';

export async function renderParetoPage(r: SweepResults): Promise<string> {
  const { ops, objectives, incomplete, target } = operatingPoints(r);
  const body: string[] = [];
  const invalid = r.points.filter((p) => p.status === 'invalid');
  body.push(
    `<p>${r.points.length} points (${invalid.length} invalid), ${ops.length} operating points (point × p) ` +
      `with every objective measured; <b>${ops.filter((o) => o.front).length}</b> on the Pareto front over ` +
      `${objectives.map((o) => `${o.title} (${o.better === 'min' ? 'lower' : 'higher'} is better)`).join(', ')}. ` +
      'Dominated points are grey.</p>',
  );
  if (!ops.length)
    body.push(
      '<p>No operating point yet: the Pareto front needs the <code>cycles</code> task ' +
        "(and the other tasks' results).</p>",
    );
  else {
    const label = (o: OpPoint) => `#${o.point} p=${o.p}`;
    const charts: Promise<string>[] = [];
    const cost = target
      ? [
          ['lut', `LUTs (${target})`],
          ['dsp', `DSPs (${target})`],
        ]
      : [['multipliers', 'multipliers (2d·P_a + m_h + m_o)']];
    for (const [k, t] of cost) {
      charts.push(
        paretoScatter(
          `cycles per query vs ${t}`,
          t,
          'cycles per query',
          ops.map((o) => ({
            x: o[k as keyof OpPoint] as number,
            y: o.cyclesPerQuery,
            front: !!o.front,
            label: label(o),
            group: `p=${o.p}`,
          })),
          'knob',
        ),
      );
    }
    if (objectives.some((o) => o.key === 'top1')) {
      charts.push(
        paretoScatter(
          'KWT-1 accuracy vs cycles per query',
          'cycles per query',
          'top-1, fixed point (%)',
          ops.map((o) => ({ x: o.cyclesPerQuery, y: o.top1!, front: !!o.front, label: label(o), group: `p=${o.p}` })),
          'knob',
        ),
      );
    }
    const withFmax = ops.filter((o) => o.fmax !== undefined);
    if (withFmax.length) {
      charts.push(
        paretoScatter(
          'iCE40 Fmax vs cycles per query',
          'cycles per query',
          'Fmax (MHz)',
          withFmax.map((o) => ({
            x: o.cyclesPerQuery,
            y: o.fmax!,
            front: !!o.front,
            label: label(o),
            group: `p=${o.p}`,
          })),
          'knob',
        ),
      );
    }
    body.push(`<div class="charts">${(await Promise.all(charts)).map(inlineSvg).join('\n')}</div>`);
    const cols = objectives.map((o) => o.key);
    const head = ['point', 'p', ...r.axes, ...objectives.map((o) => o.title)];
    const row = (o: OpPoint) => [
      String(o.point),
      String(o.p),
      ...r.axes.map((a) => val(o.axes[a])),
      ...cols.map((c) => val(o[c])),
    ];
    const front = ops.filter((o) => o.front);
    body.push('<h2>Pareto front</h2>', table(head, front.map(row)));
    body.push(
      '<h2>Every operating point</h2>',
      table(
        [...head, 'front'],
        ops.map((o) => [...row(o), o.front ? 'front' : 'dominated']),
        (i) => (ops[i].front ? '' : ' class="dom"'),
      ),
    );
  }
  if (incomplete.length) {
    body.push(
      `<p>${incomplete.length} operating points lack a measured objective ` +
        '(a task skipped, failed or not run for that p) ' +
        `and are not ranked: ${incomplete.map((o) => `#${o.point} p=${o.p}`).join(', ')}.</p>`,
    );
  }
  if (invalid.length)
    body.push(
      '<h2>Invalid points</h2>',
      table(
        ['point', ...r.axes, 'config error'],
        invalid.map((p) => [String(p.index), ...r.axes.map((a) => val(p.axes[a])), p.error ?? '']),
      ),
    );
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>elsa-gen sweep ${esc(r.sweep)}: Pareto front</title>
<style>${CSS}</style>
</head><body>
<h1>Sweep <code id="sweep">${esc(r.sweep)}</code>: Pareto front</h1>
${body.join('\n')}
</body></html>
`;
}
