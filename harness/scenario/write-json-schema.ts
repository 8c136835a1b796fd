/**
 * `node dist/harness/scenario/write-json-schema.js`: writes scenarios/schema/scenario.schema.json
 * from the validator's schema. Run it after changing the scenario format; json-schema.test.ts
 * fails while the shipped file differs from what this writes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packageRoot } from '../../targets/package-root.js';
import { JSON_SCHEMA_PATH, scenarioJsonSchemaText } from './json-schema.js';

const file = join(packageRoot(), JSON_SCHEMA_PATH);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, scenarioJsonSchemaText());
process.stdout.write(`written: ${JSON_SCHEMA_PATH}\n`);
