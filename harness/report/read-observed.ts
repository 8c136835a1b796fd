import { join } from 'node:path';
import type { DeliveryRecord } from '../results/fanout-figures.js';
import type { JobRecord } from '../results/jobs-figures.js';
import { parseNdjson, readStaged } from './read-run.js';

/**
 * The observations a run wrote beside its requests, for the report: jobs.ndjson and
 * deliveries.ndjson (or their .partial files while the run writes them); empty when absent.
 */
export async function readObserved(
  dir: string,
): Promise<{ jobs: JobRecord[]; deliveries: DeliveryRecord[] }> {
  const jobs = await readStaged(dir, 'jobs.ndjson');
  const deliveries = await readStaged(dir, 'deliveries.ndjson');
  return {
    jobs: jobs === undefined ? [] : parseNdjson<JobRecord>(jobs.text, join(dir, 'jobs.ndjson')),
    deliveries:
      deliveries === undefined
        ? []
        : parseNdjson<DeliveryRecord>(deliveries.text, join(dir, 'deliveries.ndjson')),
  };
}
