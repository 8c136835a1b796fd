import { z } from 'zod';
import { FIELD_HELP, scenarioSchema } from './schema.js';

/**
 * The scenario format as a JSON Schema (draft 2020-12), generated from the validator's own zod
 * schema with `z.toJSONSchema`, so that editors check and complete scenario files with the same
 * fields, types, ranges and defaults the harness accepts (issue 17). Input side: fields with a
 * default are optional. What JSON Schema cannot say (durations given as "2s" or 2, checks across
 * fields) is left to the harness, which explains every problem; each field's FIELD_HELP text is
 * its description. Pure.
 */

/** Where the schema is shipped, relative to the package root; built-in files name it in `$schema`. */
export const JSON_SCHEMA_PATH = 'scenarios/schema/scenario.schema.json';

type Node = { [key: string]: unknown };

/** Adds FIELD_HELP's text as `description` to each property, keyed by path with [] for items. */
function describe(node: unknown, path: string): void {
  if (node === null || typeof node !== 'object') return;
  const schema = node as Node;
  const help = FIELD_HELP[path];
  if (help !== undefined && schema.description === undefined) schema.description = help;
  const properties = schema.properties as Node | undefined;
  if (properties !== undefined)
    for (const [key, child] of Object.entries(properties))
      describe(child, path === '' ? key : `${path}.${key}`);
  if (schema.items !== undefined) describe(schema.items, `${path}[]`);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const)
    for (const branch of (schema[key] as unknown[] | undefined) ?? []) describe(branch, path);
  const additional = schema.additionalProperties;
  if (additional !== null && typeof additional === 'object') describe(additional, `${path}{}`);
}

export function scenarioJsonSchema(): Node {
  const schema = z.toJSONSchema(scenarioSchema, {
    target: 'draft-2020-12',
    io: 'input',
    // Durations are parsed by a transform; the input they accept (a string or a number) is kept.
    unrepresentable: 'any',
  }) as Node;
  describe(schema, '');
  return {
    $schema: schema.$schema,
    $id: 'https://capacity-harness.local/scenario.schema.json',
    title: 'capacity-harness scenario',
    description:
      'A scenario of the capacity harness: one load, one service time and the deployments to compare. Reference: scenarios/README.md.',
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
}

/** The schema file's text: stable key order, two-space indent, final newline. */
export function scenarioJsonSchemaText(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
