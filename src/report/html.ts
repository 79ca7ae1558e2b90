// The self-contained HTML report and dashboard (`shipshape report --html`, and the one `shipshape
// optimize` writes): per-image size, build time and cache hits over the recorded commits, budget
// lines, regressions highlighted, the optimized images' layers, and the before/after of the last
// optimize. Pure: (data) => string. The page has no script at all and a Content-Security-Policy
// that forbids scripts and every request, so it opens offline and nothing from the repository can
// run: every text that came from a repository (image names, paths, commit messages, Dockerfile
// lines) goes through escapeHtml, in element text and attribute values alike. Charts are SVG drawn
// here; a point's <title> is its tooltip.
import { formatBytes, formatDuration, formatPercent } from "../format/index.ts";

export interface ChartPoint {
  /** The x-axis label: a short commit id, or the run's date when there is no commit. */
  label: string;
  /** The tooltip: commit subject, date, value. */
  title: string;
  value: number;
  /** A regression against the previous point (size or time above the threshold). */
  regression?: boolean;
}

export interface DashboardImage {
  image: string;
  size: ChartPoint[];
  buildTime: ChartPoint[];
  /** Fractions 0..1. */
  cacheHit: ChartPoint[];
  /** Where each series came from ("bench cold median", "build"), for the chart captions. */
  sources: { size?: string; buildTime?: string; cacheHit?: string };
  budget?: { sizeBytes?: number; buildMs?: number };
  /** Sentences describing the regressions of the latest point. */
  regressions: string[];
}

export interface DashboardLayers {
  image: string;
  sizeBytes: number;
  wastedBytes: number;
  efficiency: number;
  layers: { instruction: string; sizeBytes: number; wastedBytes: number }[];
}

export interface DashboardBeforeAfter {
  /** When the optimize ran and where its results went ("branch shipshape/optimize-..."). */
  summary: string;
  sizes: { image: string; beforeBytes: number; afterBytes: number; change: number }[];
  rows: { image: string; scenario: string; beforeMs: number; afterMs: number; change: number }[];
  changes: { path: string; what: string; applied: boolean; note: string }[];
}

export interface DashboardData {
  title: string;
  /** ISO time the report was made (passed in: reporters read no clock). */
  generatedAt: string;
  repository: string;
  images: DashboardImage[];
  layers: DashboardLayers[];
  beforeAfter?: DashboardBeforeAfter;
  /** Said where a part has no data, e.g. why there is no cost or budget. */
  notes: string[];
}

const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text safe in HTML element content and in quoted attribute values; control characters dropped. */
export function escapeHtml(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "").replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1b1f24;background:#f6f7f9}
header{background:#0f3d5e;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;opacity:.85}
main{padding:20px 28px;max-width:1200px}section{background:#fff;border:1px solid #dde1e6;border-radius:8px;padding:16px 20px;margin:0 0 18px}
h2{font-size:18px;margin:0 0 10px}h3{font-size:15px;margin:14px 0 6px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border-bottom:1px solid #e4e7eb;padding:5px 8px;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}.better{color:#0a7a32;font-weight:600}.worse{color:#b42318;font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:12px}
figure{margin:0}figcaption{font-size:12px;color:#57606a}svg{display:block;max-width:100%}
.regression{background:#fde8e7;border-left:4px solid #b42318;padding:6px 10px;margin:6px 0}
.note{color:#57606a}code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f0f2f4;padding:1px 4px;border-radius:3px;overflow-wrap:anywhere}
.left-out{color:#8a5a00}
`;

export function renderHtmlReport(data: DashboardData): string {
  const parts: string[] = [];
  parts.push("<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">', `<meta http-equiv="Content-Security-Policy" content="${CSP}">`, '<meta name="viewport" content="width=device-width, initial-scale=1">', `<title>${escapeHtml(data.title)}</title>`, `<style>${STYLE}</style>`, "</head>", "<body>");
  parts.push(`<header><h1>${escapeHtml(data.title)}</h1><p>${escapeHtml(data.repository)} · generated ${escapeHtml(data.generatedAt)} by shipshape</p></header>`, "<main>");
  if (data.beforeAfter !== undefined) parts.push(renderBeforeAfter(data.beforeAfter));
  parts.push(renderImages(data.images));
  if (data.layers.length > 0) parts.push(renderLayers(data.layers));
  if (data.notes.length > 0) parts.push(`<section id="notes"><h2>Notes</h2><ul>${data.notes.map((note) => `<li class="note">${escapeHtml(note)}</li>`).join("")}</ul></section>`);
  parts.push("</main>", "</body>", "</html>", "");
  return parts.join("\n");
}

function changeCell(change: number): string {
  const percent = Math.round(change * 100);
  const cls = percent < 0 ? "better" : percent > 0 ? "worse" : "";
  return `<td class="num ${cls}">${percent > 0 ? "+" : ""}${percent}%</td>`;
}

function renderBeforeAfter(section: DashboardBeforeAfter): string {
  const out: string[] = ['<section id="before-after">', "<h2>Before and after the last optimize</h2>", `<p>${escapeHtml(section.summary)}</p>`];
  if (section.sizes.length > 0) {
    out.push('<div class="charts"><figure>', groupedBars(section.sizes.map((row) => ({ label: row.image, before: row.beforeBytes, after: row.afterBytes })), formatBytes, "size-before-after"), "<figcaption>Image size, before (grey) and after (blue)</figcaption></figure>");
    const timed = section.rows.filter((row) => row.scenario === "code");
    if (timed.length > 0) out.push("<figure>", groupedBars(timed.map((row) => ({ label: row.image, before: row.beforeMs, after: row.afterMs })), formatDuration, "time-before-after"), "<figcaption>Build time after a code change (median), before (grey) and after (blue)</figcaption></figure>");
    out.push("</div>");
    out.push('<h3>Image size</h3><table id="size-table"><thead><tr><th>image</th><th class="num">before</th><th class="num">after</th><th class="num">change</th></tr></thead><tbody>');
    for (const row of section.sizes) out.push(`<tr><td>${escapeHtml(row.image)}</td><td class="num">${formatBytes(row.beforeBytes)}</td><td class="num">${formatBytes(row.afterBytes)}</td>${changeCell(row.change)}</tr>`);
    out.push("</tbody></table>");
  }
  if (section.rows.length > 0) {
    out.push('<h3>Build time (median)</h3><table id="time-table"><thead><tr><th>image</th><th>scenario</th><th class="num">before</th><th class="num">after</th><th class="num">change</th></tr></thead><tbody>');
    for (const row of section.rows) out.push(`<tr><td>${escapeHtml(row.image)}</td><td>${escapeHtml(row.scenario)}</td><td class="num">${formatDuration(row.beforeMs)}</td><td class="num">${formatDuration(row.afterMs)}</td>${changeCell(row.change)}</tr>`);
    out.push("</tbody></table>");
  }
  if (section.changes.length > 0) {
    out.push('<h3>Changes</h3><table id="changes-table"><thead><tr><th>file</th><th>change</th><th>result</th></tr></thead><tbody>');
    for (const change of section.changes) out.push(`<tr${change.applied ? "" : ' class="left-out"'}><td><code>${escapeHtml(change.path)}</code></td><td>${escapeHtml(change.what)}</td><td>${change.applied ? "applied: " : "left out: "}${escapeHtml(change.note)}</td></tr>`);
    out.push("</tbody></table>");
  }
  out.push("</section>");
  return out.join("\n");
}

function renderImages(images: readonly DashboardImage[]): string {
  const out: string[] = ['<section id="history">', "<h2>Images over time</h2>"];
  if (images.length === 0) out.push('<p class="note">No measurements recorded yet: run <code>shipshape build</code>, <code>shipshape bench</code> or <code>shipshape optimize</code>.</p>');
  for (const image of images) {
    out.push(`<h3>${escapeHtml(image.image)}</h3>`);
    for (const regression of image.regressions) out.push(`<p class="regression">${escapeHtml(regression)}</p>`);
    out.push('<div class="charts">');
    if (image.size.length > 0) out.push(`<figure>${lineChart(image.size, formatBytes, image.budget?.sizeBytes, "size")}<figcaption>Size${caption(image.sources.size)}${image.budget?.sizeBytes !== undefined ? `, budget ${formatBytes(image.budget.sizeBytes)} (dashed)` : ""}</figcaption></figure>`);
    if (image.buildTime.length > 0) out.push(`<figure>${lineChart(image.buildTime, formatDuration, image.budget?.buildMs, "build-time")}<figcaption>Build time${caption(image.sources.buildTime)}${image.budget?.buildMs !== undefined ? `, budget ${formatDuration(image.budget.buildMs)} (dashed)` : ""}</figcaption></figure>`);
    if (image.cacheHit.length > 0) out.push(`<figure>${lineChart(image.cacheHit, (value) => formatPercent(value, 0), undefined, "cache-hit", 1)}<figcaption>Cache hit %${caption(image.sources.cacheHit)}</figcaption></figure>`);
    out.push("</div>");
  }
  out.push("</section>");
  return out.join("\n");
}

function caption(source: string | undefined): string {
  return source === undefined ? "" : ` (${escapeHtml(source)})`;
}

function renderLayers(images: readonly DashboardLayers[]): string {
  const out: string[] = ['<section id="layers">', "<h2>Layers of the latest images</h2>"];
  for (const image of images) {
    out.push(`<h3>${escapeHtml(image.image)}: ${formatBytes(image.sizeBytes)}, ${formatBytes(image.wastedBytes)} wasted, efficiency ${formatPercent(image.efficiency, 1)}</h3>`);
    out.push(`<figure>${layerBars(image.layers)}<figcaption>Size per layer (blue) and bytes a later layer hides (red)</figcaption></figure>`);
  }
  out.push("</section>");
  return out.join("\n");
}

const WIDTH = 360;
const HEIGHT = 170;
const PAD = { left: 62, right: 10, top: 10, bottom: 34 };

function lineChart(points: readonly ChartPoint[], format: (value: number) => string, budget: number | undefined, kind: string, fixedMax?: number): string {
  const values = points.map((point) => point.value);
  const max = fixedMax ?? Math.max(...values, budget ?? 0) * 1.1;
  const top = max > 0 ? max : 1;
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const x = (index: number): number => PAD.left + (points.length === 1 ? plotWidth / 2 : (index * plotWidth) / (points.length - 1));
  const y = (value: number): number => PAD.top + plotHeight - (value / top) * plotHeight;
  const out: string[] = [`<svg class="chart" data-chart="${kind}" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" xmlns="http://www.w3.org/2000/svg">`];
  out.push(`<line x1="${PAD.left}" y1="${PAD.top + plotHeight}" x2="${WIDTH - PAD.right}" y2="${PAD.top + plotHeight}" stroke="#8c959f"/>`, `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + plotHeight}" stroke="#8c959f"/>`);
  out.push(`<text x="${PAD.left - 4}" y="${PAD.top + 8}" font-size="10" text-anchor="end" fill="#57606a">${escapeHtml(format(top))}</text>`, `<text x="${PAD.left - 4}" y="${PAD.top + plotHeight}" font-size="10" text-anchor="end" fill="#57606a">0</text>`);
  if (budget !== undefined) out.push(`<line class="budget" x1="${PAD.left}" y1="${y(budget).toFixed(1)}" x2="${WIDTH - PAD.right}" y2="${y(budget).toFixed(1)}" stroke="#b42318" stroke-dasharray="5 4"/>`);
  if (points.length > 1) out.push(`<polyline fill="none" stroke="#1f6feb" stroke-width="2" points="${points.map((point, index) => `${x(index).toFixed(1)},${y(point.value).toFixed(1)}`).join(" ")}"/>`);
  const every = Math.max(1, Math.ceil(points.length / 8));
  points.forEach((point, index) => {
    const fill = point.regression === true ? "#b42318" : "#1f6feb";
    out.push(`<circle class="point${point.regression === true ? " regression" : ""}" cx="${x(index).toFixed(1)}" cy="${y(point.value).toFixed(1)}" r="${point.regression === true ? 5 : 3.5}" fill="${fill}"><title>${escapeHtml(`${point.title}: ${format(point.value)}`)}</title></circle>`);
    if (index % every === 0 || index === points.length - 1) out.push(`<text x="${x(index).toFixed(1)}" y="${HEIGHT - 18}" font-size="10" text-anchor="middle" fill="#57606a">${escapeHtml(point.label)}</text>`);
  });
  out.push("</svg>");
  return out.join("");
}

function groupedBars(groups: readonly { label: string; before: number; after: number }[], format: (value: number) => string, kind: string): string {
  const rowHeight = 34;
  const height = groups.length * rowHeight + 10;
  const labelWidth = 110;
  const plotWidth = WIDTH - labelWidth - 70;
  const max = Math.max(...groups.flatMap((group) => [group.before, group.after]), 1);
  const out: string[] = [`<svg class="chart" data-chart="${kind}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" xmlns="http://www.w3.org/2000/svg">`];
  groups.forEach((group, index) => {
    const top = 5 + index * rowHeight;
    const beforeWidth = Math.max(1, (group.before / max) * plotWidth);
    const afterWidth = Math.max(1, (group.after / max) * plotWidth);
    out.push(`<text x="${labelWidth - 6}" y="${top + 17}" font-size="11" text-anchor="end">${escapeHtml(truncate(group.label, 18))}</text>`);
    out.push(`<rect class="bar before" x="${labelWidth}" y="${top}" width="${beforeWidth.toFixed(1)}" height="12" fill="#afb8c1"><title>${escapeHtml(`${group.label} before: ${format(group.before)}`)}</title></rect>`);
    out.push(`<rect class="bar after" x="${labelWidth}" y="${top + 14}" width="${afterWidth.toFixed(1)}" height="12" fill="#1f6feb"><title>${escapeHtml(`${group.label} after: ${format(group.after)}`)}</title></rect>`);
    out.push(`<text x="${labelWidth + beforeWidth + 4}" y="${top + 10}" font-size="10" fill="#57606a">${escapeHtml(format(group.before))}</text>`, `<text x="${labelWidth + afterWidth + 4}" y="${top + 24}" font-size="10" fill="#1f6feb">${escapeHtml(format(group.after))}</text>`);
  });
  out.push("</svg>");
  return out.join("");
}

function layerBars(layers: readonly { instruction: string; sizeBytes: number; wastedBytes: number }[]): string {
  const rowHeight = 18;
  const width = 720;
  const labelWidth = 380;
  const plotWidth = width - labelWidth - 80;
  const height = Math.max(1, layers.length) * rowHeight + 6;
  const max = Math.max(...layers.map((layer) => layer.sizeBytes), 1);
  const out: string[] = [`<svg class="chart" data-chart="layers" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" xmlns="http://www.w3.org/2000/svg">`];
  layers.forEach((layer, index) => {
    const top = 3 + index * rowHeight;
    const barWidth = Math.max(1, (layer.sizeBytes / max) * plotWidth);
    const wastedWidth = layer.wastedBytes > 0 ? Math.max(1, (layer.wastedBytes / max) * plotWidth) : 0;
    out.push(`<text x="${labelWidth - 6}" y="${top + 12}" font-size="10" text-anchor="end" font-family="ui-monospace,monospace">${escapeHtml(truncate(layer.instruction, 62))}<title>${escapeHtml(layer.instruction)}</title></text>`);
    out.push(`<rect class="bar" x="${labelWidth}" y="${top}" width="${barWidth.toFixed(1)}" height="14" fill="#1f6feb"><title>${escapeHtml(`${formatBytes(layer.sizeBytes)}${layer.wastedBytes > 0 ? `, ${formatBytes(layer.wastedBytes)} hidden by later layers` : ""}`)}</title></rect>`);
    if (wastedWidth > 0) out.push(`<rect class="bar wasted" x="${labelWidth}" y="${top + 10}" width="${wastedWidth.toFixed(1)}" height="4" fill="#b42318"/>`);
    out.push(`<text x="${labelWidth + barWidth + 4}" y="${top + 12}" font-size="10" fill="#57606a">${escapeHtml(formatBytes(layer.sizeBytes))}</text>`);
  });
  out.push("</svg>");
  return out.join("");
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
