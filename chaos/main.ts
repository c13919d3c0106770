import { runScenario, scenarios, type ScenarioResult } from './scenarios';

/**
 * `npm run chaos`: every fault-injection scenario against the real processes, one table row each.
 * CHAOS_GROUPS (default 300) birth groups for the process kills, a third of that for the others;
 * CHAOS_SCENARIOS picks some (comma list of worker-kill, temporal-restart, postgres-restart,
 * agency-outage, withdrawal-race, manual-withdrawal, task-decisions, portal). Exits 1 on any loss, act
 * done twice, act left standing, stop not honoured, task decided twice, decision undelivered, answer
 * amiss (for the portal also an attachment without its object, an orphan object after the sweep, or a
 * status message undelivered, sent twice or out of order) or service crashed.
 */
export function failed(result: ScenarioResult): boolean {
  const faults = result.lost + result.duplicateActs + result.actsLeftStanding + result.decidedTwice + result.decisionsUndelivered + result.answersAmiss.length + result.servicesCrashed.length;
  return faults > 0 || result.stoppedAsIntended < result.stopsRequested;
}

export function table(results: ScenarioResult[]): string {
  const header = ['scenario', 'started', 'completed', 'stopped as intended', 'lost', 'duplicate acts', 'acts left standing', 'decided twice', 'undelivered', 'answers amiss', 'services crashed', 'max recovery s'];
  const rows = results.map((r) =>
    [r.scenario, r.started, r.completed, r.stoppedAsIntended, r.lost, r.duplicateActs, r.actsLeftStanding, r.decidedTwice, r.decisionsUndelivered, r.answersAmiss.length, r.servicesCrashed.length, r.maxRecoverySeconds.toFixed(1)].map(String),
  );
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
    const result = await runScenario(scenario, size);
    results.push(result);
    const figures = Object.entries(result.figures).map(([figure, value]) => `${figure}: ${value}`);
    const notes = [...(figures.length ? [figures.join('; ')] : []), ...result.answersAmiss, ...result.servicesCrashed];
    process.stdout.write(`${[table([result]), ...notes.map((note) => `  ${note}`)].join('\n')}\n`);
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
