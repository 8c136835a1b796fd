import type { DeliveryRecord, FanoutFigures } from '../results/fanout-figures.js';
import type { JobRecord, JobsFigures } from '../results/jobs-figures.js';
import { type RunSummary, sharedTimeScale, timeScaleOf } from '../results/summary.js';
import type { Chart } from './charts.js';
import { clientsPerWorkerSpec, latencySpec, shareSpec } from './fanout-charts.js';
import { html, rawHtml } from './html.js';
import { jobsTimelineSpec, runsPerSlotSpec } from './jobs-charts.js';
import { fanoutStory, jobsStory } from './observed-text.js';
import { chartDiv } from './page.js';

/**
 * The report's sections on what a run observed beside the load (issue 6): the scheduled job and
 * the event fan-out, each a few sentences comparing the setups from the measurements, then its
 * charts. Pure: returns the sections' HTML and the charts they place.
 */

export interface ObservedData {
  summary: RunSummary;
  jobs: readonly JobRecord[];
  deliveries: readonly DeliveryRecord[];
}

export function observedSections(data: ObservedData): { sections: string[]; charts: Chart[] } {
  const sections: string[] = [];
  const charts: Chart[] = [];
  const { summary } = data;
  const withJobs = summary.topologies.flatMap((t) =>
    t.jobs === undefined ? [] : [{ t, figures: t.jobs as JobsFigures }],
  );
  if (withJobs.length > 0) {
    const own: Chart[] = [
      {
        id: 'jobs-slots',
        topology: null,
        section: 'jobs',
        spec: runsPerSlotSpec({
          timeScale: sharedTimeScale(
            summary,
            withJobs.map(({ t }) => t),
          ),
          topologies: withJobs.map(({ t, figures }) => ({ name: t.name, figures })),
        }),
      },
      ...withJobs.map(({ t, figures }, i) => ({
        id: `jobs-t${i}-timeline`,
        topology: null,
        section: 'jobs',
        spec: jobsTimelineSpec({
          topology: t.name,
          timeScale: timeScaleOf(summary, t),
          replicas: t.replicas,
          workers: t.workers,
          records: data.jobs.filter((r) => r.topology === t.name),
          figures,
        }),
      })),
    ];
    charts.push(...own);
    sections.push(
      section(
        'jobs',
        'Scheduled job: who ran it',
        jobsStory(summary),
        own,
        data.jobs.length === 0 ? 'jobs.ndjson is missing: no timeline of runs.' : null,
      ),
    );
  }
  const withFanout = summary.topologies.flatMap((t) =>
    t.fanout === undefined ? [] : [{ name: t.name, figures: t.fanout as FanoutFigures }],
  );
  if (withFanout.length > 0) {
    const own: Chart[] = [
      {
        id: 'fanout-share',
        topology: null,
        section: 'fanout',
        spec: shareSpec({ topologies: withFanout }),
      },
      {
        id: 'fanout-clients',
        topology: null,
        section: 'fanout',
        spec: clientsPerWorkerSpec({ topologies: withFanout }),
      },
      {
        id: 'fanout-latency',
        topology: null,
        section: 'fanout',
        spec: latencySpec(
          withFanout.map((t) => t.name),
          data.deliveries,
        ),
      },
    ];
    charts.push(...own);
    sections.push(
      section(
        'fanout',
        'Server-sent events: which clients each event reached',
        fanoutStory(summary),
        own,
        data.deliveries.length === 0 ? 'deliveries.ndjson is missing: no latency chart.' : null,
      ),
    );
  }
  return { sections, charts };
}

function section(
  id: string,
  title: string,
  story: readonly string[],
  charts: readonly Chart[],
  note: string | null,
): string {
  const notes = note === null ? '' : html`<ul class="notes"><li>${note}</li></ul>`;
  return String(
    html`<section id="${id}"><h2>${title}</h2>${story.map((p) => html`<p>${p}</p>`)}${notes}<div class="grid">${charts.map((c) => rawHtml(chartDiv(c)))}</div></section>`,
  );
}
