// Every chart of the reports and the evaluation: a Vega-Lite spec compiled and rendered to static SVG by
// vega's headless SVG renderer (nice axis ticks, legends). No browser, no canvas: vega estimates text
// widths, so the same data always gives the same bytes. vega is imported on first use only, so
// commands that draw nothing do not pay for loading it.
const FONT = 'sans-serif';

/** Render a Vega-Lite spec (an object) to an SVG document string. */
export async function vegaLiteSvg(spec: Record<string, unknown>): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const full = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    config: {
      font: FONT,
      title: { fontSize: 14 },
      axis: { labelFontSize: 11, titleFontSize: 12 },
      legend: { labelFontSize: 11 },
    },
    ...spec,
  };
  // warnings go nowhere: a chart must not write to the terminal of the command drawing it
  const logger = vega.logger(vega.None);
  const view = new vega.View(vega.parse(vl.compile(full as never, { logger }).spec), { renderer: 'none', logger });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** An SVG for inlining in HTML: the XML namespace attributes are dropped (HTML5 knows <svg>), so the
 *  page holds no URL at all, not even a namespace name. */
export const inlineSvg = (svg: string): string =>
  svg.replace(/<\?xml[^>]*>\s*/, '').replace(/\s+xmlns(:xlink)?="[^"]*"/g, '');

export interface Bar {
  label: string;
  value: number;
  note?: string;
}

/** Vertical bars with their value printed on top; `max` fixes the y range (e.g. 100 for percentages). */
export function barChart(
  title: string,
  yLabel: string,
  bars: Bar[],
  opts: { max?: number; color?: string } = {},
): Promise<string> {
  const values = bars.map((b, i) => ({
    i,
    label: b.label,
    value: b.value,
    note: b.note ?? String(Number(b.value.toPrecision(3))),
  }));
  const x = { field: 'label', type: 'nominal', title: null, sort: { field: 'i' }, axis: { labelAngle: 0 } };
  const y = {
    field: 'value',
    type: 'quantitative',
    title: yLabel,
    ...(opts.max !== undefined ? { scale: { domain: [0, opts.max] } } : {}),
  };
  return vegaLiteSvg({
    title,
    width: 400,
    height: 200,
    data: { values },
    layer: [
      { mark: { type: 'bar', color: opts.color ?? '#2c7fb8' }, encoding: { x, y } },
      { mark: { type: 'text', dy: -6, fontSize: 11 }, encoding: { x, y, text: { field: 'note' } } },
    ],
  });
}

export interface LineSeries {
  label: string;
  xs: number[];
  ys: number[];
  dashed?: boolean;
  color: string;
  points?: boolean;
}

/** Several series over a shared quantitative x, each with its own colour and dash. */
export function lineSpec(
  title: string,
  xTitle: string,
  yTitle: string,
  series: LineSeries[],
  yDomain?: [number, number],
): Record<string, unknown> {
  const values = series.flatMap((s, k) =>
    s.xs.map((x, i) => ({ x, y: s.ys[i], series: s.label, k, dashed: s.dashed ? 'dashed' : 'solid' })),
  );
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: series.map((s) => s.label), range: series.map((s) => s.color) },
    legend: { orient: 'bottom', direction: 'vertical', labelLimit: 320 },
  };
  return {
    title,
    width: 330,
    height: 240,
    data: { values },
    mark: { type: 'line', strokeWidth: 2, point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle },
      y: { field: 'y', type: 'quantitative', title: yTitle, ...(yDomain ? { scale: { domain: yDomain } } : {}) },
      color,
      strokeDash: {
        field: 'series',
        type: 'nominal',
        title: null,
        scale: { domain: series.map((s) => s.label), range: series.map((s) => (s.dashed ? [6, 3] : [1, 0])) },
      },
    },
  };
}

export interface ScatterPoint {
  x: number;
  y: number;
  front: boolean;
  label: string;
  group: string;
}

/** A Pareto scatter: front points in colour and labelled, dominated points grey underneath. */
export function paretoScatter(
  title: string,
  xTitle: string,
  yTitle: string,
  pts: ScatterPoint[],
  groupTitle: string,
): Promise<string> {
  const values = [...pts]
    .sort((a, b) => Number(a.front) - Number(b.front))
    .map((p) => ({ ...p, set: p.front ? 'Pareto front' : 'dominated' }));
  // '~r': 100 rather than 100.000000 (one value on an axis), 5980 rather than 5.98e+3
  const x = {
    field: 'x',
    type: 'quantitative',
    title: xTitle,
    scale: { zero: false, nice: true },
    axis: { format: '~r' },
  };
  const y = {
    field: 'y',
    type: 'quantitative',
    title: yTitle,
    scale: { zero: false, nice: true },
    axis: { format: '~r' },
  };
  return vegaLiteSvg({
    title,
    width: 420,
    height: 280,
    data: { values },
    layer: [
      {
        mark: { type: 'point', filled: true, size: 70, opacity: 0.9 },
        encoding: {
          x,
          y,
          color: {
            field: 'set',
            type: 'nominal',
            title: null,
            scale: { domain: ['Pareto front', 'dominated'], range: ['#d62728', '#bdbdbd'] },
          },
          shape: { field: 'group', type: 'nominal', title: groupTitle },
        },
      },
      {
        transform: [{ filter: "datum.set === 'Pareto front'" }],
        mark: { type: 'text', align: 'left', dx: 7, fontSize: 10 },
        encoding: { x, y, text: { field: 'label' } },
      },
    ],
  });
}
