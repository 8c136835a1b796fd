import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { packageRoot } from '../../targets/package-root.js';
import { REAL_KINDS } from '../../targets/real/protocol.js';
import { ExitCode } from '../exit-codes.js';
import { SERVER_KINDS } from '../scenario/schema.js';
import { runCliInProcess } from '../test-support/run-in-process.js';
import { COMMAND_NAMES } from './program.js';

/**
 * Help and documentation that cannot drift (issue 17): every command's `--help` holds the same
 * options as its table in the README, each default its help shows is in the README's row, every
 * exit code a help names is in the README's table, and the built-in scenarios table of
 * scenarios/README.md lists exactly the files in scenarios/.
 */

const root = packageRoot();
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const scenariosReadme = readFileSync(join(root, 'scenarios', 'README.md'), 'utf8');

const EXIT_CODES: number[] = Object.values(ExitCode);

/** The codes of the README's "## Exit codes" table, in its order. */
function readmeExitCodes(): number[] {
  const start = readme.indexOf('\n## Exit codes\n');
  assert.ok(start >= 0, 'the README has an "## Exit codes" section');
  const end = readme.indexOf('\n## ', start + 1);
  const table = readme.slice(start, end < 0 ? undefined : end);
  return [...table.matchAll(/^\| (\d+) +\|/gm)].map((m) => Number(m[1]));
}

/** Options that every command has, documented once in the README rather than per table. */
const COMMON = new Set(['--help', '--version']);

/** The README's section of a command: from its `### \`npm run <name>` heading to the next. */
function section(name: string): string {
  const start = readme.search(new RegExp(`^### \`(sudo )?npm run ${name}\\b`, 'm'));
  assert.ok(start >= 0, `the README has a section for npm run ${name}`);
  const rest = readme.slice(start + 4);
  const end = rest.search(/^##+ /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The option rows of a section's tables: option name -> the row. */
function readmeOptions(text: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of text.split('\n')) {
    const first = /^\|\s*([^|]*`--[^|]*)\|/.exec(line)?.[1];
    if (first === undefined) continue;
    for (const name of first.match(/--[a-z][a-z-]*/g) ?? []) rows.set(name, line);
  }
  return rows;
}

/** The options of a help text, with the default commander shows for each, if any. */
function helpOptions(help: string): Map<string, string | null> {
  const options = new Map<string, string | null>();
  const lines = help.split('\n');
  let current: string | undefined;
  let text = '';
  const flush = () => {
    if (current === undefined) return;
    const flat = text.replace(/\s+/g, ' ');
    const shown = /\(default: ("?)([^")]*)\1\)|default: "([^"]*)"\)/.exec(flat);
    options.set(current, shown === null ? null : (shown[2] ?? shown[3] ?? null));
  };
  for (const line of lines) {
    const option = /^ {2}(?:-\w, )?(--[a-z][a-z-]*)/.exec(line);
    if (option?.[1] !== undefined) {
      flush();
      current = option[1];
      text = line;
    } else if (/^ {4,}\S/.test(line) && current !== undefined) text += ` ${line}`;
    else {
      flush();
      current = undefined;
    }
  }
  flush();
  return options;
}

for (const command of COMMAND_NAMES) {
  test(`${command} --help and the README's table of its options agree, defaults included`, async () => {
    const help = await runCliInProcess([command, '--help']);
    assert.equal(help.code, 0, help.stderr);
    const fromHelp = helpOptions(help.stdout);
    const documented = readmeOptions(section(command));
    const helpNames = [...fromHelp.keys()].filter((o) => !COMMON.has(o)).sort();
    const readmeNames = [...documented.keys()].filter((o) => !COMMON.has(o)).sort();
    assert.deepEqual(helpNames, readmeNames, `${command}: --help's options, then the README's`);
    for (const [option, shown] of fromHelp) {
      if (shown === null || COMMON.has(option)) continue;
      const row = documented.get(option) ?? '';
      assert.ok(
        row.includes(shown),
        `${command} ${option}: --help's default "${shown}" is not in the README's row:\n${row}`,
      );
    }
    // Every exit code the help names ("0 ok, 1 internal error, ...") is one of exit-codes.ts
    // and one the README's table explains.
    const list = /Exit codes: ([\s\S]*)$/.exec(help.stdout)?.[1]?.replace(/\s+/g, ' ') ?? '';
    const codes = [...list.matchAll(/(?:^|, )(\d{1,3}) /g)].map((m) => Number(m[1]));
    assert.ok(codes.length > 0, `${command} --help names its exit codes`);
    for (const code of codes) {
      assert.ok(
        EXIT_CODES.includes(code),
        `${command} --help names exit ${code}, not in exit-codes.ts`,
      );
      assert.ok(
        readmeExitCodes().includes(code),
        `${command} --help: exit ${code} not in the README`,
      );
    }
  });
}

test("bench's --help and the README's table list the same benchmarks", async () => {
  const help = spawnSync(
    process.execPath,
    [join(root, 'dist', 'harness', 'bench', 'main.js'), '--help'],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(help.status, 0, help.stderr);
  const BENCHMARK_NAMES = [...help.stdout.matchAll(/^ {2}([a-z][a-z-]+) {2,}\S/gm)].map(
    (m) => m[1],
  );
  const rows = [...section('bench').matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual([...rows].sort(), [...BENCHMARK_NAMES].sort());
});

test('scenarios/README.md lists exactly the built-in scenarios, and every server kind', () => {
  const files = readdirSync(join(root, 'scenarios'))
    .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
    .map((f) => f.slice(0, -5))
    .sort();
  const start = scenariosReadme.indexOf('## Built-in scenarios');
  assert.ok(start >= 0, 'scenarios/README.md has a "## Built-in scenarios" table');
  const table = scenariosReadme.slice(start, scenariosReadme.indexOf('\n## ', start + 1));
  const listed = [...table.matchAll(/^\| `([a-z0-9-]+)` +\|/gm)].map((m) => m[1] as string).sort();
  assert.deepEqual(listed, files);
  const kindRow = scenariosReadme.split('\n').find((l) => /^\| `kind` +\|/.test(l)) ?? '';
  for (const kind of [...SERVER_KINDS, ...REAL_KINDS])
    assert.ok(kindRow.includes(`"${kind}"`), `the kind row names ${kind}`);
});

test('the README says each thing once', () => {
  const sentences = readme
    .replace(/```[\s\S]*?```/g, '')
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 60 && !s.startsWith('|'));
  const seen = new Set<string>();
  const repeated: string[] = [];
  for (const sentence of sentences) {
    if (seen.has(sentence)) repeated.push(sentence);
    seen.add(sentence);
  }
  assert.deepEqual(repeated, []);
  const development = readme.slice(readme.indexOf('## Development'));
  const paths = [...development.matchAll(/^\| `([^`]+)` +\|/gm)].map((m) => m[1]);
  assert.deepEqual(paths, [...new Set(paths)], 'each path once in the Development table');
});

/** The fields a scenarios/README.md table documents: the first cell of each row, in backticks. */
function fieldRows(text: string): Set<string> {
  return new Set([...text.matchAll(/^\| *`([A-Za-z$][\w$]*)` *\|/gm)].map((m) => m[1] as string));
}

/** A scenarios/README.md section: from its heading line to the next heading of any level. */
function scenarioSection(heading: string): string {
  const start = scenariosReadme.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `scenarios/README.md has a "${heading}" section`);
  const rest = scenariosReadme.slice(start + heading.length + 2);
  const end = rest.search(/^##+ /m);
  return end < 0 ? rest : rest.slice(0, end);
}

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
}

/** Every property an object schema allows, through oneOf/anyOf alternatives. */
function propertiesOf(node: SchemaNode | undefined): string[] {
  if (node === undefined) return [];
  const own = Object.keys(node.properties ?? {});
  const alternatives = [...(node.oneOf ?? []), ...(node.anyOf ?? [])].flatMap(propertiesOf);
  return [...new Set([...own, ...alternatives])].sort();
}

test("scenarios/README.md's field reference and the JSON Schema name the same fields", () => {
  const schema = JSON.parse(
    readFileSync(join(root, 'scenarios', 'schema', 'scenario.schema.json'), 'utf8'),
  ) as SchemaNode;
  const top = schema.properties ?? {};
  const everywhere = fieldRows(scenariosReadme);
  // Tables that document one object whole: exactly its fields, no more, no fewer.
  for (const [heading, node] of [
    ['### Top level', schema],
    ['### `limits`', top.limits],
    ['### `model`', top.model],
  ] as const)
    assert.deepEqual(
      [...fieldRows(scenarioSection(heading))].sort(),
      propertiesOf(node),
      `the table under ${heading}, then the schema's fields`,
    );
  // Objects documented over several tables: every field has a row somewhere.
  for (const [name, node] of [
    ['load', top.load],
    ['service', top.service],
    ['topologies[]', top.topologies?.items],
    ['request', top.request],
    ['jobs', top.jobs],
    ['fanout', top.fanout],
  ] as const) {
    const fields = propertiesOf(node);
    assert.ok(fields.length > 0, `the schema has fields for ${name}`);
    const missing = fields.filter((f) => !everywhere.has(f));
    assert.deepEqual(
      missing,
      [],
      `${name}: fields of the schema no table of scenarios/README.md documents`,
    );
  }
});

test("the README's exit-code table lists exactly exit-codes.ts's codes", () => {
  assert.deepEqual(
    [...readmeExitCodes()].sort((a, b) => a - b),
    [...EXIT_CODES].sort((a, b) => a - b),
  );
});

test("setup's --help and the README's table of its options agree, and its exit codes are known", () => {
  // --help installs nothing (install-servers.sh answers it before any check or apt-get).
  const help = spawnSync('bash', [join(root, 'harness', 'setup', 'install-servers.sh'), '--help'], {
    encoding: 'utf8',
  });
  assert.equal(help.status, 0, help.stderr);
  const fromHelp = [...helpOptions(help.stdout).keys()].filter((o) => !COMMON.has(o)).sort();
  const documented = [...readmeOptions(section('setup')).keys()].filter((o) => !COMMON.has(o));
  assert.deepEqual(fromHelp, documented.sort(), "setup's --help options, then the README's");
  const list = /Exit codes: ([\s\S]*)$/.exec(help.stdout)?.[1]?.replace(/\s+/g, ' ') ?? '';
  const codes = [...list.matchAll(/(?:^|, )(\d{1,3}) /g)].map((m) => Number(m[1]));
  assert.ok(codes.length > 0, 'setup --help names its exit codes');
  for (const code of codes) {
    assert.ok(EXIT_CODES.includes(code), `setup --help names exit ${code}, not in exit-codes.ts`);
    assert.match(section('setup'), new RegExp(`\\b${code}\\b`), `the README's setup names ${code}`);
  }
});
