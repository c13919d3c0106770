import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable } from './report';

/**
 * Summarises `node --cpu-prof` profiles (one file per thread) by self time: the top frames, and the
 * time per component — the nearest npm package or project folder on the stack, so a sample in
 * `node:net` called from `pg` counts for `pg`. `--from`/`--to` (µs, the clock `npm run bench` prints
 * for each batch) keep only that window.
 *
 *   node --import tsx bench/profile-summary.ts [--from µs --to µs] [--top 20] CPU.*.cpuprofile
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The parts worth telling apart, by package; anything else is shown by its own name. */
const parts: [RegExp, string][] = [
  [/^@temporalio\/|^protobufjs|^long$|^workflow bundle/, 'Temporal SDK'],
  [/^@prisma\//, 'Prisma'],
  [/^pg(-|$)|^postgres-array|^pgpass/, 'pg driver'],
  [/^fastify|^@fastify\/|^find-my-way|^avvio|^light-my-request|^fast-json-stringify|^zod|^ajv/, 'Fastify + zod'],
  [/^pino|^sonic-boom|^thread-stream/, 'pino'],
  [/^undici \(fetch\)$/, 'fetch (undici)'],
  [/^tsx$|^esbuild$|^source-map/, 'tsx loader / source maps'],
];

const root = process.cwd();

/** The component of one frame, or undefined for Node's own internals (attributed to their caller). */
function componentOf({ url, functionName }: CallFrame): string | undefined {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return '(program: V8 and native, no JS frame)';
  if (url.startsWith('node:internal/deps/undici')) return 'undici (fetch)';
  if (url.includes('/workflow-bundle-') || url.startsWith('evalmachine.')) return 'workflow bundle';
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(path);
  if (pkg) return pkg[1];
  if (path.startsWith(root)) return `${relative(root, path).split('/')[0]}/`;
  return undefined;
}

function partOf(component: string): string {
  return parts.find(([pattern]) => pattern.test(component))?.[1] ?? component;
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { from: { type: 'string' }, to: { type: 'string' }, top: { type: 'string', default: '20' } },
  });
  const from = values.from ? Number(values.from) : -Infinity;
  const to = values.to ? Number(values.to) : Infinity;
  const selfByFrame = new Map<string, number>();
  const byComponent = new Map<string, number>();
  const byPart = new Map<string, number>();
  const byThread: string[][] = [];
  let busy = 0;
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);

  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
    const component = new Map<number, string>();
    const componentOfNode = (id: number): string => {
      let cached = component.get(id);
      if (cached === undefined) {
        const own = componentOf(nodes.get(id)!.callFrame);
        const up = parent.get(id);
        cached = own ?? (up === undefined ? 'node core' : componentOfNode(up));
        component.set(id, cached);
      }
      return cached;
    };
    let threadBusy = 0;
    let time = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      time += profile.timeDeltas[i] ?? 0;
      // A sample stands for the interval until the next one.
      const us = profile.timeDeltas[i + 1] ?? 0;
      if (time < from || time > to) continue;
      const node = nodes.get(profile.samples[i]!)!;
      const { functionName, url, lineNumber } = node.callFrame;
      if (functionName === '(idle)' || functionName === '(root)') continue;
      threadBusy += us;
      const where = url ? `${url.replace(/^file:\/\//, '').replace(`${root}/`, '').replace(/.*node_modules\//, '')}:${lineNumber + 1}` : 'native';
      add(selfByFrame, `${(functionName || "(anonymous)").slice(0, 60)}  ${where}`, us);
      const c = componentOfNode(node.id);
      add(byComponent, c, us);
      add(byPart, partOf(c), us);
    }
    busy += threadBusy;
    byThread.push([`thread ${basename(file).split('.').slice(-3, -2)[0]}`, (threadBusy / 1000).toFixed(0)]);
  }

  const top = Number(values.top);
  const rows = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, us]) => [key, (us / 1000).toFixed(0), `${((100 * us) / busy).toFixed(1)} %`]);
  const out = [
    `busy (not idle) sampled time: ${(busy / 1000).toFixed(0)} ms over ${positionals.length} thread(s)`,
    '',
    ...formatTable(['thread', 'busy ms'], byThread),
    '',
    ...formatTable(['part', 'self ms', 'share'], rows(byPart, top)),
    '',
    ...formatTable(['component', 'self ms', 'share'], rows(byComponent, top)),
    '',
    ...formatTable(['frame (self time)', 'self ms', 'share'], rows(selfByFrame, top)),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
