import { readFileSync } from 'node:fs';

/** The process group of a live process, from /proc (Linux); undefined when it is gone. */
export function processGroupOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state, ppid, pgrp, ...
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z') return undefined;
    const group = Number(fields[2]);
    return Number.isInteger(group) ? group : undefined;
  } catch {
    return undefined;
  }
}
