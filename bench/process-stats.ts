import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What a benchmark reads of another process (the API, a worker) from Linux's /proc, by its id. */

let ticksPerSecond: number | undefined;
/** The unit of /proc's CPU times (USER_HZ): 100 on every usual kernel, asked once. */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const answer = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    ticksPerSecond = Number.isInteger(answer) && answer > 0 ? answer : 100;
  }
  return ticksPerSecond;
}

/** CPU time the process has used so far, user and system, all threads, in ms (10 ms resolution). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name, in parentheses, may hold spaces: the fields are counted after it (utime is 14th, stime 15th).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
}

/** Resident memory of the process now and at its peak, in bytes (`VmRSS`, `VmHWM`). */
export function processMemory(pid: number): { rss: number; peakRss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kilobytes('VmRSS'), peakRss: kilobytes('VmHWM') };
}

/** The named samples (no labels) of a Prometheus text endpoint, e.g. `nodejs_heap_size_used_bytes`. */
export async function prometheusGauges(url: string, names: string[]): Promise<Record<string, number>> {
  const text = await (await fetch(url)).text();
  const found: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [name, value] = line.split(' ');
    if (name && names.includes(name)) found[name] = Number(value);
  }
  return found;
}

export const megabytes = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);
