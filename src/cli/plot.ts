// A small SVG line chart of training curves: loss on the left axis, accuracy (%) on the right.
// Written by hand so the CLI needs no plotting library; opens in any browser.

export interface Curve {
  name: string;
  values: number[];
  axis: 'loss' | 'accuracy';
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728'];
const W = 640,
  H = 360,
  M = { left: 60, right: 60, top: 36, bottom: 44 };

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number): string => (Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : v.toPrecision(2));

export function curveSvg(title: string, curves: Curve[]): string {
  const epochs = Math.max(1, ...curves.map((c) => c.values.length));
  const losses = curves
    .filter((c) => c.axis === 'loss')
    .flatMap((c) => c.values)
    .filter(Number.isFinite);
  const lossMax = losses.length ? Math.max(...losses) * 1.05 || 1 : 1;
  const accs = curves
    .filter((c) => c.axis === 'accuracy')
    .flatMap((c) => c.values)
    .filter(Number.isFinite);
  const accMin = accs.length ? Math.max(0, Math.floor(Math.min(...accs) * 10) / 10 - 0.05) : 0;
  const pw = W - M.left - M.right,
    ph = H - M.top - M.bottom;
  const x = (i: number): number => M.left + (epochs === 1 ? pw / 2 : (i * pw) / (epochs - 1));
  const y = (v: number, axis: Curve['axis']): number =>
    axis === 'loss' ? M.top + ph - (v / lossMax) * ph : M.top + ph - ((v - accMin) / (1 - accMin || 1)) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const yy = M.top + ph - (k * ph) / 4;
    out.push(`<line x1="${M.left}" x2="${M.left + pw}" y1="${yy}" y2="${yy}" stroke="#eee"/>`);
    out.push(`<text x="${M.left - 6}" y="${yy + 4}" text-anchor="end">${fmt((lossMax * k) / 4)}</text>`);
    if (accs.length)
      out.push(
        `<text x="${M.left + pw + 6}" y="${yy + 4}">${((accMin + ((1 - accMin) * k) / 4) * 100).toFixed(1)}%</text>`,
      );
  }
  const step = Math.max(1, Math.ceil(epochs / 10));
  for (let i = 0; i < epochs; i += step)
    out.push(`<text x="${x(i)}" y="${M.top + ph + 16}" text-anchor="middle">${i + 1}</text>`);
  out.push(`<text x="${M.left + pw / 2}" y="${H - 8}" text-anchor="middle">epoch</text>`);
  out.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">loss</text>`);
  if (accs.length)
    out.push(
      `<text transform="translate(${W - 10} ${M.top + ph / 2}) rotate(90)" text-anchor="middle">accuracy</text>`,
    );
  curves.forEach((c, n) => {
    const color = COLORS[n % COLORS.length]!;
    const pts = c.values
      .map((v, i) => (Number.isFinite(v) ? `${x(i).toFixed(1)},${y(v, c.axis).toFixed(1)}` : null))
      .filter((p) => p !== null);
    out.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2"${c.axis === 'accuracy' ? ' stroke-dasharray="6 3"' : ''} points="${pts.join(' ')}"/>`,
    );
    out.push(
      `<line x1="${M.left + 10 + n * 150}" x2="${M.left + 34 + n * 150}" y1="${M.top + 12}" y2="${M.top + 12}" stroke="${color}" stroke-width="2"/>`,
    );
    out.push(`<text x="${M.left + 40 + n * 150}" y="${M.top + 16}">${esc(c.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
