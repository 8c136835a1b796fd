import { describeValue } from './format.js';
import type { GateOutcome } from './gate.js';
import { thresholdLine } from './gate.js';

/**
 * The gate as JUnit XML (the format CI systems read test results from): one <testsuite> per
 * topology, one <testcase> per threshold and per baseline figure, a <failure> for each failed
 * check and <skipped/> for a check that could not apply. Pure: returns the text.
 *
 *   <testsuites name="capacity gate: contest-200" tests="5" failures="1" skipped="0">
 *     <testsuite name="contest-200.sync-4-x3" tests="5" failures="1" skipped="0">
 *       <testcase classname="contest-200.sync-4-x3" name="wait p(95)&lt;5s">
 *         <failure message="…" type="threshold"/>
 */

/** Escapes text for an XML attribute or text node, dropping characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return (
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing what XML 1.0 cannot hold
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

interface Case {
  name: string;
  status: 'pass' | 'fail' | 'skipped';
  message: string;
  type: 'threshold' | 'baseline';
}

export function renderJunit(outcome: GateOutcome): string {
  const suites = new Map<string, Case[]>();
  const add = (topology: string, c: Case): void => {
    const list = suites.get(topology) ?? [];
    list.push(c);
    suites.set(topology, list);
  };
  for (const r of outcome.thresholds) {
    add(r.topology, {
      name: `${r.threshold.key} ${r.threshold.condition}`,
      status: r.status,
      message: r.status === 'skipped' ? (r.note ?? 'skipped') : thresholdLine(r),
      type: 'threshold',
    });
  }
  for (const row of outcome.baseline?.rows ?? []) {
    const figures =
      row.current === null || row.baseline === null || row.limit === null
        ? (row.note ?? 'no value')
        : `${describeValue(row.current, row.unit)}, baseline ${describeValue(row.baseline, row.unit)}, limit ${describeValue(row.limit, row.unit)}`;
    add(row.topology, {
      name: `baseline ${row.label}`,
      status: row.status,
      message: `${row.label} on ${row.topology}: ${figures}`,
      type: 'baseline',
    });
  }
  const count = (cases: Case[], status: Case['status']) =>
    cases.filter((c) => c.status === status).length;
  const all = [...suites.values()].flat();
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(`capacity gate: ${outcome.scenario}`)}" tests="${all.length}" failures="${count(all, 'fail')}" skipped="${count(all, 'skipped')}">`,
  ];
  for (const [topology, cases] of suites) {
    const suite = escapeXml(`${outcome.scenario}.${topology}`);
    out.push(
      `  <testsuite name="${suite}" tests="${cases.length}" failures="${count(cases, 'fail')}" skipped="${count(cases, 'skipped')}">`,
    );
    // How busy the machine was while this topology ran, and the gate's verdict (issue 13).
    const quality = outcome.quality?.[topology];
    if (quality !== undefined)
      out.push(
        `    <properties><property name="measurement-quality" value="${quality.level}"/><property name="verdict" value="${outcome.verdict}"/></properties>`,
      );
    for (const c of cases) {
      const open = `    <testcase classname="${suite}" name="${escapeXml(c.name)}"`;
      if (c.status === 'pass') out.push(`${open}/>`);
      else if (c.status === 'skipped')
        out.push(
          `${open}>`,
          `      <skipped message="${escapeXml(c.message)}"/>`,
          '    </testcase>',
        );
      else
        out.push(
          `${open}>`,
          `      <failure message="${escapeXml(c.message)}" type="${c.type}"/>`,
          '    </testcase>',
        );
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
