import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import semver from 'semver';
import { parseAllDocuments } from 'yaml';
import { healthRoutes } from '../../api/health';
import { ConfigError, configVariables, loadConfig, PLACEHOLDER_MARK } from '../../runtime/config';
import { kubernetesValidatePath, projectRoot } from '../../runtime/tools';
import { runtimeImports } from './runtime-imports';

/**
 * The Kubernetes files a team deploys with (deploy/kubernetes), read as Kubernetes would read them and
 * checked against the code they run: every variable is one the processes read, the example's
 * placeholders are refused and the configuration is otherwise valid under the production rules,
 * probes and metrics point at routes and ports that exist, and every command names a file of this
 * repository; each file valid for the stated Kubernetes version (kubernetes-validate, strict); the image
 * (deploy/Dockerfile) on a Node version every dependency accepts, with the packages its processes load
 * and no others, as the user the pods run as.
 */
type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: any };
const dir = join(projectRoot, 'deploy', 'kubernetes');
/** The oldest Kubernetes release the manifests are for (its API schemas, as kubernetes-validate ships them). */
const KUBERNETES_VERSION = '1.34.0';
const read = (path: string): string => readFileSync(join(projectRoot, path), 'utf8');
const packageJson = JSON.parse(read('package.json')) as { engines: { node: string }; dependencies: Record<string, string> };

function kubernetesValidate(files: string[]): { status: number | null; output: string } {
  const run = spawnSync(kubernetesValidatePath(), ['--strict', '--kubernetes-version', KUBERNETES_VERSION, '--quiet', '--no-warn', ...files], { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** deploy/Dockerfile's stages: each one's base image and instructions. */
function dockerStages(): { name: string; from: string; lines: string[] }[] {
  const lines = read('deploy/Dockerfile').replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  const stages: { name: string; from: string; lines: string[] }[] = [];
  for (const line of lines) {
    const from = /^FROM (\S+)(?: AS (\S+))?$/i.exec(line);
    if (from) stages.push({ from: from[1]!, name: from[2] ?? '', lines: [] });
    else stages.at(-1)!.lines.push(line);
  }
  return stages;
}

function load(file: string): Manifest[] {
  const docs = parseAllDocuments(readFileSync(join(dir, file), 'utf8'));
  for (const doc of docs) expect(doc.errors.map((e) => `${file}: ${e.message}`)).toEqual([]);
  return docs.map((doc) => doc.toJS() as Manifest);
}

describe('deployment files', () => {
  const kustomization = load('kustomization.yaml')[0]!;
  const manifests = (kustomization.resources as string[]).flatMap(load);
  const byKind = (kind: string) => manifests.filter((m) => m.kind === kind);
  const configMap = byKind('ConfigMap')[0]!;
  const secret = byKind('Secret')[0]!;
  const workloads = byKind('Deployment');
  const containersOf = (m: Manifest) => [...(m.spec.template.spec.initContainers ?? []), ...m.spec.template.spec.containers] as any[];
  const commands = workloads.flatMap((w) => containersOf(w).map((c) => c.command as string[]));
  const deployment = (component: string) => byKind('Deployment').find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === component)!;

  it('lists every file of the folder and gives each resource a kind and a name', () => {
    expect(manifests.map((m) => m.kind).sort()).toEqual(['ConfigMap', 'Deployment', 'Deployment', 'Namespace', 'Secret', 'Service']);
    for (const m of manifests) expect(m).toMatchObject({ apiVersion: expect.any(String), kind: expect.any(String), metadata: { name: expect.any(String) } });
    expect(byKind('Deployment').map((d) => d.metadata.labels?.['app.kubernetes.io/component']).sort()).toEqual(['api', 'worker']);
    const files = readdirSync(dir).filter((file) => file !== 'kustomization.yaml');
    expect(files.sort()).toEqual([...(kustomization.resources as string[])].sort());
  });

  it('configures only variables the processes read; the example starts nothing until its placeholders are replaced, and then passes the production rules', () => {
    const env = { ...configMap.data, ...secret.stringData } as Record<string, string>;
    expect(Object.keys(env).filter((key) => !(configVariables as string[]).includes(key))).toEqual([]);

    const placeholders = Object.keys(env).filter((key) => env[key]!.includes(PLACEHOLDER_MARK));
    expect(placeholders.sort()).toEqual(['AUTH_JWT_SECRET', 'DATABASE_URL', 'RECEIPT_CODE_KEY']);
    let refusal = '';
    try {
      loadConfig(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      refusal = error.message;
    }
    for (const key of placeholders) expect(refusal).toContain(`${key}: still holds the example's ${PLACEHOLDER_MARK} placeholder`);
    // Named, never echoed: the refusal carries no value of the Secret.
    for (const key of placeholders) expect(refusal).not.toContain(env[key]!);

    // What a team fills in instead: private values of the same shape.
    const filled = Object.fromEntries(placeholders.map((key) => [key, env[key]!.replaceAll(PLACEHOLDER_MARK, randomBytes(24).toString('base64url'))]));
    const config = loadConfig({ ...env, ...filled });
    expect(config).toMatchObject({ NODE_ENV: 'production', LIEN_THONG_DEV_MODE: false, API_HOST: '0.0.0.0' });
    expect(config.AUTH_OIDC_ISSUER).toMatch(/^https:/);
  });

  it('runs files of this repository from the image the kustomization names, with the configuration and secrets', () => {
    const image = (kustomization.images as { name: string }[])[0]!.name;
    for (const workload of workloads) {
      for (const container of containersOf(workload)) {
        expect(container.image).toBe(image);
        const entry = (container.command as string[]).at(-1)!;
        expect(existsSync(join(projectRoot, entry))).toBe(true);
        expect(container.envFrom).toEqual([{ configMapRef: { name: configMap.metadata.name } }, { secretRef: { name: secret.metadata.name } }]);
      }
    }
  });

  it(`passes the strict validation of Kubernetes ${KUBERNETES_VERSION}'s schemas, which refuses a misspelled field and a wrong type`, () => {
    const files = (kustomization.resources as string[]).map((file) => join(dir, file));
    expect(kubernetesValidate(files)).toEqual({ status: 0, output: '' });

    const scratch = mkdtempSync(join(tmpdir(), 'manifests-'));
    try {
      const api = readFileSync(join(dir, 'api.yaml'), 'utf8');
      const broken = { 'misspelled.yaml': api.replace('livenessProbe:', 'livenesProbe:'), 'string-replicas.yaml': api.replace('replicas: 2', 'replicas: "2"') };
      for (const [file, text] of Object.entries(broken)) {
        expect(text).not.toBe(api);
        writeFileSync(join(scratch, file), text);
      }
      const misspelled = kubernetesValidate([join(scratch, 'misspelled.yaml')]);
      expect(misspelled.status).not.toBe(0);
      expect(misspelled.output).toContain('livenesProbe');
      const stringReplicas = kubernetesValidate([join(scratch, 'string-replicas.yaml')]);
      expect(stringReplicas.status).not.toBe(0);
      expect(stringReplicas.output).toMatch(/replicas: '2' is not of type 'integer'/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('takes a new image tag by being applied again: only Deployments run the image, and their new pods migrate and register the search attributes', () => {
    // A Job's pod template is immutable: applied again with another image it would be refused.
    expect(manifests.filter((m) => m.spec?.template || m.spec?.jobTemplate).map((m) => m.kind)).toEqual(workloads.map(() => 'Deployment'));
    const workerInit = deployment('worker').spec.template.spec.initContainers as { command: string[] }[];
    expect(workerInit.map((c) => c.command.at(-1))).toEqual(['scripts/register-search-attributes.ts']);
    // Both processes apply pending migrations themselves before they serve (runtime/migrations.ts, advisory-locked).
    for (const component of ['api', 'worker']) {
      const entry = deployment(component).spec.template.spec.containers[0].command.at(-1) as string;
      expect(runtimeImports([entry]).files).toContain('runtime/migrations.ts');
    }
  });

  it('builds the image on a Node version every locked package accepts, and package.json says which versions those are', () => {
    const bases = dockerStages().map((stage) => stage.from);
    const majors = new Set(bases.map((base) => /^node:(\d+)-/.exec(base)?.[1]));
    expect([...majors]).toHaveLength(1);
    const imageNode = `${[...majors][0]}.0.0`;
    expect(semver.satisfies(imageNode, packageJson.engines.node)).toBe(true);

    const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { engines?: { node?: string }; optional?: boolean }> };
    const refusing = Object.entries(lock.packages)
      // Optional packages are the other platforms' binaries, skipped where they do not fit.
      .filter(([path, entry]) => path && entry.engines?.node && !entry.optional)
      .filter(([, entry]) => !semver.satisfies(imageNode, entry.engines!.node!) || !semver.subset(packageJson.engines.node, entry.engines!.node!))
      .map(([path, entry]) => `${path}: ${entry.engines!.node}`);
    expect(refusing).toEqual([]);
    // The claim is not vacuous: packages of today's lock refuse the Node 20 this project once claimed.
    expect(Object.values(lock.packages).some((entry) => entry.engines?.node && !entry.optional && !semver.subset('>=20.19', entry.engines.node))).toBe(true);
  });

  it('gives the image the packages its processes load and no others, the sources they read, and the user the pods run as', () => {
    const stages = dockerStages();
    const runtime = stages.at(-1)!;
    const cmd = JSON.parse(runtime.lines.find((line) => line.startsWith('CMD '))!.slice(4)) as string[];
    const entries = [...commands, cmd].map((command) => command.at(-1)!);
    const loaders = [...commands, cmd].flatMap((command) => command.flatMap((arg, i) => (command[i - 1] === '--import' ? [arg] : [])));
    const { files, packages } = runtimeImports(entries);
    const dependencies = Object.keys(packageJson.dependencies).sort();
    const loaded = new Set([...packages.keys(), ...loaders]);
    // Everything loaded is installed by `npm ci --omit=dev`; nothing installed so is left unloaded.
    expect([...loaded].filter((name) => !dependencies.includes(name)).map((name) => `${name} (${packages.get(name)?.join(', ')})`)).toEqual([]);
    expect(dependencies.filter((name) => !loaded.has(name))).toEqual([]);

    // The runtime stage's files: its own COPYs, and node_modules from a stage that left the development dependencies out.
    const copies = runtime.lines.filter((line) => line.startsWith('COPY ')).map((line) => line.split(/\s+/).slice(1));
    const copied = copies.flatMap((args) => args.filter((arg) => !arg.startsWith('--')).slice(0, -1));
    expect(files.filter((file) => !copied.some((source) => file === source || file.startsWith(`${source}/`)))).toEqual([]);
    const modulesFrom = copies.find((args) => args.includes('/app/node_modules'))![0]!.replace('--from=', '');
    expect(stages.find((stage) => stage.name === modulesFrom)!.lines.join('\n')).toMatch(/npm pkg delete devDependencies[\s\S]*npm install --omit=dev/);

    const user = runtime.lines.find((line) => line.startsWith('USER '))!.slice(5);
    expect(user).toMatch(/^\d+:\d+$/);
    const [uid, gid] = user.split(':').map(Number);
    expect(uid).not.toBe(0);
    for (const workload of workloads) expect(workload.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: uid, runAsGroup: gid });
  });

  it('sends the image a build context without history, local installs or what the build makes again', () => {
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['.git', '.tools', '.data', 'node_modules', '.build', 'console/dist', 'prisma/generated', 'tests']));
    const fromContext = dockerStages().flatMap((stage) => stage.lines.filter((line) => line.startsWith('COPY ') && !line.includes('--from=')));
    const sources = fromContext.flatMap((line) => line.split(/\s+/).slice(1, -1)).filter((source) => source !== '.');
    expect(sources.filter((source) => ignored.some((pattern) => source === pattern || source.startsWith(`${pattern}/`)))).toEqual([]);
  });

  it('documents the production commands the manifests run: node itself, which receives SIGTERM, not an npx or tsx wrapper', () => {
    // The README's command lines that start a part (its explanations may follow a #).
    const documented = read('README.md')
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => /\b(api|worker)\/main\.ts$/.test(line));
    const run = ['api', 'worker'].map((component) => deployment(component).spec.template.spec.containers[0].command.join(' '));
    expect(documented).toEqual(expect.arrayContaining(run));
    expect(documented.filter((line) => !run.includes(line))).toEqual([]);
    for (const command of commands) expect(command.slice(0, 3)).toEqual(['node', '--import', 'tsx']);
  });

  it('probes routes the API serves, and scrapes the ports the processes listen on', async () => {
    const api = deployment('api').spec.template.spec.containers[0];
    const app = Fastify();
    await app.register(healthRoutes({} as never));
    await app.ready();
    for (const probe of [api.livenessProbe, api.readinessProbe]) expect(app.hasRoute({ method: 'GET', url: probe.httpGet.path })).toBe(true);
    await app.close();
    expect(api.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(api.ports[0].containerPort).toBe(Number(configMap.data.API_PORT));
    const worker = deployment('worker').spec.template.spec.containers[0];
    expect(worker.ports[0].containerPort).toBe(Number(configMap.data.WORKER_METRICS_PORT));
    for (const [component, container] of [['api', api], ['worker', worker]] as const) {
      const annotations = deployment(component).spec.template.metadata.annotations;
      expect(annotations['prometheus.io/scrape']).toBe('true');
      expect(annotations['prometheus.io/path']).toBe('/metrics');
      expect(container.ports.map((p: { containerPort: number }) => String(p.containerPort))).toContain(annotations['prometheus.io/port']);
    }
    const service = byKind('Service')[0]!;
    expect(service.spec.selector).toEqual(deployment('api').spec.selector.matchLabels);
  });

  it('builds the image with the steps package.json defines', () => {
    const dockerfile = readFileSync(join(projectRoot, 'deploy', 'Dockerfile'), 'utf8');
    const scripts = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).scripts as Record<string, string>;
    for (const [, name] of dockerfile.matchAll(/npm run ([\w:]+)/g)) expect(Object.keys(scripts)).toContain(name);
  });
});
