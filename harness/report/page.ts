import type { GateOutcome } from '../gate/gate.js';
import { observedText } from '../gate/gate.js';
import { modelOwnError } from '../results/attribution.js';
import type { RunSummary, TopologySummary } from '../results/summary.js';
import { describeLoad } from '../scenario/describe-load.js';
import { formatSeconds } from '../scenario/duration.js';
import type { Chart } from './charts.js';
import { signedPercent } from './columns.js';
import { deploymentText } from './deployment-text.js';
import { inlineScriptCode } from './escape.js';
import { renderFidelityHtml } from './fidelity-text.js';
import { renderFigureFidelityHtml } from './figure-fidelity-text.js';
import { type Html, html, rawHtml, scriptJson } from './html.js';
import { setupsSection } from './setups-section.js';
import { shardText } from './shard-text.js';
import { ownTimeScales } from './table.js';

/**
 * The self-contained HTML report: the run's header, the gate, the charts, the scenario and the
 * environment, with Vega, Vega-Lite and vega-embed inlined so that it opens from disk with no
 * network. Pure: returns the page as a string.
 *
 * The page is built with the `html` tagged template (html.ts), which escapes every value put
 * into it: a string from a scenario or a run can reach the page only as text. The chart specs
 * go in as scriptJson (a <script type="application/json">); the only markup passed through as
 * it is (rawHtml) is the harness's own: the inlined libraries, the fixed BOOT script and style,
 * and the sections other modules build (fidelity, setups, observations), which escape their own
 * values.
 */

export interface VegaAssets {
  vega: string;
  vegaLite: string;
  vegaEmbed: string;
}

export interface PageInput {
  summary: RunSummary;
  /** scenario.json as the run wrote it. */
  scenario: unknown;
  charts: readonly Chart[];
  gate: GateOutcome | null;
  /** Sentences about what the report could not show (a missing file, an incomplete run). */
  notes: readonly string[];
  /** Sections after the figures (observations beside the load), placing their own charts. */
  sections?: readonly string[];
  assets: VegaAssets;
}

/**
 * Renders every chart into its element and records the outcome on window.reportCharts
 * (id -> "rendered" | "failed: ...") and, when all are settled, data-charts="done" on <html>,
 * which the browser tests wait for.
 */
const BOOT = `(function () {
  var specs = JSON.parse(document.getElementById('report-specs').textContent);
  var status = (window.reportCharts = {});
  var views = (window.reportViews = {});
  var pending = [];
  document.querySelectorAll('[data-chart]').forEach(function (el) {
    var id = el.getAttribute('data-chart');
    status[id] = 'pending';
    pending.push(
      vegaEmbed(el, specs[id], {
        actions: false,
        renderer: 'svg',
        config: { title: { anchor: 'start', subtitleColor: '#555' } },
      }).then(
        function (result) {
          views[id] = result.view;
          status[id] = 'rendered';
        },
        function (error) {
          status[id] = 'failed: ' + error.message;
          el.textContent = 'This chart could not be drawn: ' + error.message;
          console.error('chart ' + id + ': ' + error.message);
        }
      )
    );
  });
  Promise.all(pending).then(function () {
    document.documentElement.setAttribute('data-charts', 'done');
  });
})();`;

const STYLE = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222; background: #fafafa; }
main { max-width: 1200px; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
.lede { color: #555; margin: .2rem 0; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: .8rem; font-size: .85rem; font-weight: 600; }
.ok { background: #e3f4e1; color: #1e6b1a; } .bad { background: #fbe2e1; color: #9b1c1c; } .warn { background: #fff3cd; color: #7a5a00; }
table { border-collapse: collapse; margin: .5rem 0; font-size: .9rem; background: #fff; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; text-align: right; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
.chart { background: #fff; border: 1px solid #e3e3e3; border-radius: 4px; padding: .5rem; margin: .6rem 0; overflow-x: auto; }
.grid { display: flex; flex-wrap: wrap; gap: .6rem; } .grid .chart { flex: 1 1 480px; } .grid .chart.wide { flex-basis: 100%; }
pre { background: #fff; border: 1px solid #e3e3e3; padding: .6rem; overflow-x: auto; font-size: .85rem; }
.notes li { color: #7a5a00; }
`;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function shape(t: TopologySummary): string {
  const balancer = t.replicas > 1 ? `, ${t.balancer} balancer` : '';
  const declared = t.declaredKind !== t.kind ? ` (declared ${t.declaredKind})` : '';
  return `${t.kind}${declared}: ${plural(t.workers, 'worker')} x ${plural(t.threads, 'thread')} x ${plural(t.replicas, 'replica')} = ${t.concurrency} concurrent${balancer}${deploymentText(t)}`;
}

const seconds = (v: number): string => (Number.isFinite(v) ? formatSeconds(v) : 'n/a');
const percent = (v: number): string => signedPercent(v);

function figuresTable(summary: RunSummary): Html {
  const head = html`<tr><th class="text">topology</th><th class="text">figures</th><th>n</th><th>mean wait</th><th>p95 wait</th><th>max wait</th><th>makespan</th><th>errors</th><th>dispatch spread</th></tr>`;
  const rows = summary.topologies.flatMap((t) => {
    const expected = t.predicted.expected;
    const hasOwn = t.attribution !== undefined && t.attribution !== null;
    const span = 4 + (expected === undefined ? 0 : 1) + (hasOwn ? 1 : 0);
    const typical =
      expected === undefined
        ? []
        : [
            html`<tr><td class="text">typical run (model, ${expected.replications} runs with fresh inputs)</td><td>${expected.count}</td><td>${seconds(expected.meanWait)}</td><td>${seconds(expected.p95Wait)}</td><td>${seconds(expected.maxWait)}</td><td>${seconds(expected.makespan)}</td></tr>`,
          ];
    const bursts = (t.bursts ?? 1) > 1 ? ` (mean of ${t.bursts} bursts)` : '';
    // The difference above holds the harness's own overhead and this burst's draw; the model's
    // own error is what remains once the model runs on the run's measured inputs.
    const a = t.attribution;
    const ownError = a === undefined || a === null ? null : modelOwnError(a);
    const own =
      ownError === null
        ? []
        : [
            html`<tr><td class="text">the model's own error <small>(the model on this run's measured arrivals, handler times and worker assignment, ${a?.requests ?? 0} requests)</small></td><td></td><td>${percent(ownError.meanWait)}</td><td>${percent(ownError.p95Wait)}</td><td>${percent(ownError.maxWait)}</td><td>${percent(ownError.makespan)}</td></tr>`,
          ];
    const estimated =
      t.measured.waitSource === 'estimate' ? html` <span class="badge warn">estimated</span>` : '';
    return [
      html`<tr><td rowspan="${span}" class="text"><strong>${t.name}</strong><br><small>${shape(t)}</small></td><td class="text">back-of-envelope</td><td></td><td></td><td></td><td>${seconds(t.backOfEnvelope)}</td><td></td><td rowspan="${span}">${t.errors} / ${t.requests}</td><td rowspan="${span}">${t.dispatchSpreadMs === null ? 'n/a' : `${t.dispatchSpreadMs.toFixed(1)} ms real`}</td></tr>`,
      html`<tr><td class="text">predicted (${t.predicted.method})</td><td>${t.predicted.count}</td><td>${seconds(t.predicted.meanWait)}</td><td>${seconds(t.predicted.p95Wait)}</td><td>${seconds(t.predicted.maxWait)}</td><td>${seconds(t.predicted.makespan)}</td></tr>`,
      html`<tr><td class="text">measured${bursts}${estimated}</td><td>${t.measured.count}</td><td>${seconds(t.measured.meanWait)}</td><td>${seconds(t.measured.p95Wait)}</td><td>${seconds(t.measured.maxWait)}</td><td>${seconds(t.measured.makespan)}</td></tr>`,
      html`<tr><td class="text">predicted vs measured <small>(predicted − measured) / measured</small></td><td></td><td>${percent(t.predictionError.meanWait)}</td><td>${percent(t.predictionError.p95Wait)}</td><td>${percent(t.predictionError.maxWait)}</td><td>${percent(t.predictionError.makespan)}</td></tr>`,
      ...own,
      ...typical,
    ];
  });
  return html`<table>${head}${rows}</table>`;
}

const rate = (perSecond: number): string => `${Number(perSecond.toPrecision(3))}/s`;

/**
 * What a load other than a burst measured: throughput beside the offered rate and the model,
 * latency from the intended start and from the write, lateness, and the operational laws.
 */
function loadTable(t: TopologySummary): Html {
  const load = t.load;
  if (load === null || load.executor === 'burst') return html``;
  const row = (k: string, v: string): Html =>
    html`<tr><th class="text">${k}</th><td class="text">${v}</td></tr>`;
  const p = (x: { p50: number; p95: number; p99: number; max: number; count: number }) =>
    `p50 ${seconds(x.p50)}, p95 ${seconds(x.p95)}, p99 ${seconds(x.p99)}, max ${seconds(x.max)} (n = ${x.count})`;
  const rows = [
    row(
      'throughput',
      `${rate(load.throughput)} over ${seconds(load.span)}${load.offeredRate === null ? '' : `, of ${rate(load.offeredRate)} offered`}; model ${load.predictedThroughputMethod === 'bound' ? 'at most ' : ''}${rate(load.predictedThroughput)}`,
    ),
    row('latency from the intended start', p(load.latency)),
    row('latency from the write (uncorrected)', p(load.latencyUncorrected)),
  ];
  if (load.offeredRate !== null) {
    rows.push(
      row(
        'sent late',
        `${load.late} of ${load.sent} written more than 1 ms (real) after the plan; lateness p50 ${load.latenessMs.p50.toFixed(2)} ms, p99 ${load.latenessMs.p99.toFixed(2)} ms real`,
      ),
    );
  }
  const law = (figures: {
    measured: number;
    fromRates: number;
    relativeError: number;
    holds: boolean;
  }) =>
    `${figures.measured.toFixed(2)} against ${figures.fromRates.toFixed(2)} (${percent(figures.relativeError)}: ${figures.holds ? 'holds' : 'does not hold'})`;
  if (load.littlesLaw != null) rows.push(row("Little's law L = λW", law(load.littlesLaw)));
  if (load.interactiveLaw != null) {
    const il = load.interactiveLaw;
    rows.push(
      row(
        'N = X(R + Z)',
        `${il.users} users, ${il.meanUsers.toFixed(2)} in the system on average; R ${seconds(il.meanResponse)}, Z ${seconds(il.meanThink)}: ${law(il)}`,
      ),
    );
  }
  if (typeof load.clientTurnaroundMs === 'number') {
    rows.push(
      row(
        'client turnaround',
        `${load.clientTurnaroundMs.toFixed(2)} ms real between a response and the connection's next request`,
      ),
    );
  }
  if (load.predictedMinResponse !== null)
    rows.push(row('model: least response time', seconds(load.predictedMinResponse)));
  return html`<table class="load">${rows}</table>`;
}

function gateSection(gate: GateOutcome | null): Html {
  if (gate === null) return html``;
  const badge = gate.passed
    ? html`<span class="badge ok">passed</span>`
    : html`<span class="badge bad">failed</span>`;
  const failures =
    gate.failures.length === 0
      ? ''
      : html`<ul>${gate.failures.map((f) => html`<li>${f}</li>`)}</ul>`;
  const thresholds =
    gate.thresholds.length === 0
      ? ''
      : html`<table><tr><th class="text">result</th><th class="text">threshold</th><th class="text">topology</th><th class="text">observed</th></tr>${gate.thresholds.map(
          (r) =>
            html`<tr><td class="text">${r.status}</td><td class="text"><code>${r.threshold.key} ${r.threshold.condition}</code></td><td class="text">${r.topology}</td><td class="text">${observedText(r)}</td></tr>`,
        )}</table>`;
  let baseline: Html | string = '';
  if (gate.baseline !== null) {
    const b = gate.baseline;
    baseline = html`<h3>Baseline ${b.baselineRun.runId} (${b.baselineRun.scenario}), tolerance ${Number((b.options.tolerance * 100).toPrecision(3))}%, slack ${formatSeconds(b.options.slack)}</h3><table><tr><th class="text">result</th><th class="text">topology</th><th class="text">figure</th><th>baseline</th><th>this run</th><th>limit</th></tr>${b.rows.map(
      (row) => {
        const v = (x: number | null) =>
          x === null
            ? 'n/a'
            : row.unit === 'fraction'
              ? `${(x * 100).toFixed(2)}%`
              : formatSeconds(x);
        return html`<tr><td class="text">${row.status}</td><td class="text">${row.topology}</td><td class="text">${row.label}</td><td>${v(row.baseline)}</td><td>${v(row.current)}</td><td>${row.limit === null ? (row.note ?? '') : `≤ ${v(row.limit)}`}</td></tr>`;
      },
    )}</table>`;
  }
  return html`<section id="gate"><h2>Gate ${badge}</h2>${failures}${thresholds}${baseline}</section>`;
}

export function chartDiv(chart: Chart): string {
  const title =
    typeof chart.spec.title === 'object' && chart.spec.title !== null && 'text' in chart.spec.title
      ? chart.spec.title.text
      : chart.id;
  return String(
    html`<div class="chart${chart.id.endsWith('-timeline') ? ' wide' : ''}" data-chart="${chart.id}" role="figure" aria-label="${String(title)}"></div>`,
  );
}

function environmentTable(summary: RunSummary): Html {
  const e = summary.environment;
  const rows: Array<[string, string]> = [
    ['Node.js', e.node],
    ['platform', e.platform],
    ['cores', String(e.cpus)],
    ['CPU model', e.cpuModel],
    ['harness commit', e.commit ?? 'unknown'],
    ['load average at the start', e.loadAverage?.join(', ') ?? 'not recorded'],
    [
      'time scale',
      `${summary.timeScale} real seconds per scenario second${ownTimeScales(summary)}`,
    ],
    ['started', summary.startedAt],
    ['finished', summary.finishedAt ?? 'not finished'],
  ];
  return html`<table>${rows.map(([k, v]) => html`<tr><th class="text">${k}</th><td class="text">${v}</td></tr>`)}</table>`;
}

/**
 * The run's state as the header shows it, worst first, so that a run whose gate failed, or in
 * which a topology served nothing, never shows only a green "complete" (issue 17).
 */
export function runBadges(summary: RunSummary, gate: GateOutcome | null): Html[] {
  const badges: Html[] = [];
  const dead = summary.topologies.filter((t) => t.requests > 0 && t.errors >= t.requests);
  if (gate !== null && !gate.passed) badges.push(html`<span class="badge bad">gate failed</span>`);
  if (dead.length > 0)
    badges.push(
      html`<span class="badge bad">no request succeeded: ${dead.map((t) => t.name).join(', ')}</span>`,
    );
  if (!summary.complete) badges.push(html`<span class="badge warn">incomplete</span>`);
  else if (badges.length === 0)
    badges.push(
      html`<span class="badge ok">${gate === null ? 'complete' : 'complete, gate passed'}</span>`,
    );
  else badges.push(html`<span class="badge warn">complete</span>`);
  return badges;
}

/** The machine's load when the run started, for the header: how far its figures can be trusted. */
function machineLine(summary: RunSummary): Html {
  const e = summary.environment;
  const load = e.loadAverage?.[0];
  if (load === undefined)
    return html`<p class="lede">Machine: ${e.cpus} cores (${e.cpuModel}); load not recorded.</p>`;
  const busy = load > e.cpus;
  return html`<p class="lede">Machine: load average ${load.toFixed(2)} at the start on ${e.cpus} cores (${e.cpuModel})${busy ? html`, <span class="badge warn">busier than its cores</span>: timings are noisier` : ''}.</p>`;
}

export function buildReportPage(input: PageInput): string {
  const { summary, charts } = input;
  const specs = Object.fromEntries(charts.map((c) => [c.id, c.spec]));
  const runCharts = charts.filter((c) => c.topology === null && c.section === undefined);
  const topologySections = summary.topologies.map((t) => {
    // The walk from the back-of-envelope through the model to the measurement comes first: it
    // says why the figures above differ before the charts show how.
    const own = charts
      .filter((c) => c.topology === t.name)
      .sort(
        (a, b) => Number(b.id.endsWith('-attribution')) - Number(a.id.endsWith('-attribution')),
      );
    const failure =
      t.status === 'complete'
        ? ''
        : html`<p class="lede"><span class="badge warn">${t.status}</span> ${t.failure ?? ''}</p>`;
    const extra: string[] = [];
    if (t.url) extra.push(`Measured at ${t.url}; the harness started nothing.`);
    if (t.measured.waitSource === 'estimate')
      extra.push(
        'Waits are ESTIMATED: the target sent no instrumentation the harness could place on its clock, so each wait is the latency minus the handler time (Server-Timing app, else the scenario service time).',
      );
    if ((t.bursts ?? 1) > 1)
      extra.push(
        `Figures are the mean of ${t.bursts} bursts; the charts show the first burst (the distribution of waits, all of them).`,
      );
    if (t.predicted.acceptRace !== undefined && t.predicted.acceptRace.source !== 'not-applicable')
      extra.push(`Accept race: ${t.predicted.acceptRace.note}.`);
    return html`<section class="topology"><h2>${t.name}</h2><p class="lede">${shape(t)}. Model: ${t.predicted.note}.</p>${extra.map((e) => html`<p class="lede">${e}</p>`)}${failure}${loadTable(t)}<div class="grid">${own.map((c) => rawHtml(chartDiv(c)))}</div></section>`;
  });
  const notes =
    input.notes.length === 0
      ? ''
      : html`<ul class="notes">${input.notes.map((n) => html`<li>${n}</li>`)}</ul>`;
  const scale =
    summary.timeScale === 1 && ownTimeScales(summary) === ''
      ? 'in real time'
      : `at time scale ${summary.timeScale} (1 scenario second ran as ${formatSeconds(summary.timeScale)} real${ownTimeScales(summary)}); every time is in scenario seconds unless marked real`;
  // The inlined libraries are code of our own, checked by inlineScriptCode; nothing else is raw.
  const script = (code: string, name: string) =>
    html`<script>${rawHtml(inlineScriptCode(code, name))}</script>`;
  const scenarioJson = JSON.stringify(input.scenario, null, 2);
  return String(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:">
<title>${summary.scenario} ${summary.runId}: capacity report</title>
<style>${rawHtml(STYLE)}</style>
</head>
<body>
<main>
<header>
<h1>${summary.scenario} <small>${summary.runId}</small> ${runBadges(summary, input.gate)}</h1>
<p class="lede">${summary.description}</p>
<p class="lede">${describeLoad(summary.load)}, service ${formatSeconds(summary.service.time)} (${summary.service.work}), run ${scale}. Waits are queue time: handler start minus intended start.</p>
${machineLine(summary)}
${shardText(summary).map((line) => html`<p class="lede">${line}</p>`)}
${notes}
</header>
${gateSection(input.gate)}
<section id="figures"><h2>Figures</h2>${figuresTable(summary)}${runCharts.map((c) => rawHtml(chartDiv(c)))}</section>
${(input.sections ?? []).map(
  (section) => html`${rawHtml(section)}
`,
)}
${rawHtml(renderFidelityHtml(summary))}
${rawHtml(renderFigureFidelityHtml(summary))}
${rawHtml(setupsSection(summary))}
${topologySections.map(
  (section) => html`${section}
`,
)}
<section id="scenario"><h2>Scenario</h2><details><summary>The scenario as the run used it (${scenarioJson.split('\n').length} lines of JSON): defaults applied, durations in seconds, command-line options included</summary><pre>${scenarioJson}</pre></details></section>
<section id="environment"><h2>Environment</h2>${environmentTable(summary)}</section>
</main>
<script type="application/json" id="report-specs">${scriptJson(specs)}</script>
${script(input.assets.vega, 'vega')}
${script(input.assets.vegaLite, 'vega-lite')}
${script(input.assets.vegaEmbed, 'vega-embed')}
<script>${rawHtml(BOOT)}</script>
</body>
</html>
`);
}
