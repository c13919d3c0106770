import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { parseAllDocuments } from 'yaml';
import { healthRoutes } from '../../api/health';
import { ConfigError, configVariables, loadConfig, PLACEHOLDER_MARK } from '../../runtime/config';
import { projectRoot } from '../../runtime/tools';

/**
 * The Kubernetes files a team deploys with (deploy/kubernetes), read as Kubernetes would read them and
 * checked against the code they run: every variable is one the processes read, the example's
 * placeholders are refused and the configuration is otherwise valid under the production rules,
 * probes and metrics point at routes and ports that exist, and every command names a file of this
 * repository.
 */
type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: any };
const dir = join(projectRoot, 'deploy', 'kubernetes');

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
  const workloads = [...byKind('Deployment'), ...byKind('Job')];
  const containersOf = (m: Manifest) => m.spec.template.spec.containers as any[];
  const deployment = (component: string) => byKind('Deployment').find((d) => d.metadata.labels?.['app.kubernetes.io/component'] === component)!;

  it('lists every file of the folder and gives each resource a kind and a name', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(8);
    for (const m of manifests) expect(m).toMatchObject({ apiVersion: expect.any(String), kind: expect.any(String), metadata: { name: expect.any(String) } });
    expect(byKind('Deployment').map((d) => d.metadata.labels?.['app.kubernetes.io/component']).sort()).toEqual(['api', 'worker']);
    expect(byKind('Job').map((j) => j.metadata.name).sort()).toEqual(['lien-thong-migrations', 'lien-thong-search-attributes']);
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
      expect(workload.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    }
  });

  it('probes routes the API serves, and scrapes the ports the processes listen on', async () => {
    const api = containersOf(deployment('api'))[0];
    const app = Fastify();
    await app.register(healthRoutes({} as never));
    await app.ready();
    for (const probe of [api.livenessProbe, api.readinessProbe]) expect(app.hasRoute({ method: 'GET', url: probe.httpGet.path })).toBe(true);
    await app.close();
    expect(api.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(api.ports[0].containerPort).toBe(Number(configMap.data.API_PORT));
    const worker = containersOf(deployment('worker'))[0];
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
