/** What the benchmarks print: latency percentiles and aligned tables. */

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export interface LatencySummary {
  /** Jobs that succeeded per second of wall time. */
  throughput: number;
  p50: number;
  p99: number;
  max: number;
}

export function summariseLatencies(latencies: number[], wallMs: number): LatencySummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    throughput: latencies.length / (wallMs / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Lines of a table: the first column left-aligned (labels), the others right-aligned (figures). */
export function formatTable(header: string[], rows: string[][]): string[] {
  const table = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
  return table.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('   '));
}

/** `×1.23`: a figure against its baseline. */
export const ratio = (value: number, baseline: number): string => `×${(value / baseline).toFixed(2)}`;
