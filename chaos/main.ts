import { runScenario, scenarios, type ScenarioResult } from './scenarios';

/**
 * `npm run chaos`: every fault-injection scenario against the real processes, one table row each.
 * CHAOS_GROUPS (default 300) birth groups for the process kills, a third of that for the others;
 * CHAOS_SCENARIOS picks some (comma list of worker-kill, temporal-restart, postgres-restart,
 * agency-outage, withdrawal-race, manual-withdrawal). Exits 1 on any loss, act done twice, act left standing or stop
 * not honoured.
 */
export function failed(result: ScenarioResult): boolean {
  return result.lost > 0 || result.duplicateActs > 0 || result.actsLeftStanding > 0 || result.stoppedAsIntended < result.stopsRequested;
}

export function table(results: ScenarioResult[]): string {
  const header = ['scenario', 'started', 'completed', 'stopped as intended', 'lost', 'duplicate acts', 'acts left standing', 'max recovery s'];
  const rows = results.map((r) => [r.scenario, r.started, r.completed, r.stoppedAsIntended, r.lost, r.duplicateActs, r.actsLeftStanding, r.maxRecoverySeconds.toFixed(1)].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
  const groups = Number(process.env.CHAOS_GROUPS ?? 300);
  const wanted = (process.env.CHAOS_SCENARIOS ?? Object.keys(scenarios).join(',')).split(',');
  const results: ScenarioResult[] = [];
  for (const key of wanted) {
    const scenario = scenarios[key];
    if (!scenario) throw new Error(`unknown scenario ${key}: ${Object.keys(scenarios).join(', ')}`);
    const size = key === 'worker-kill' || key.endsWith('-restart') ? groups : Math.ceil(groups / 3);
    process.stdout.write(`running ${key} with ${size} birth groups…\n`);
    results.push(await runScenario(scenario, size));
    process.stdout.write(`${table(results.slice(-1))}\n`);
  }
  process.stdout.write(`\n${table(results)}\n`);
  process.exit(results.some((r) => failed(r)) ? 1 : 0);
}

if (require.main === module) {
  void main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
