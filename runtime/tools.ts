import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Paths of the tools scripts/provision.sh installs under .tools/. */
export const projectRoot = join(__dirname, '..');
const toolBin = join(projectRoot, '.tools', 'venv', 'bin');

function tool(name: string): string {
  const path = join(toolBin, name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm install (scripts/provision.sh installs it)`);
  return path;
}

export const temporalCliPath = (): string => tool('temporal');
export const temporalTestServerPath = (): string => tool('temporal-test-server');
/** The OpenAPI conformance tester the test suite runs against the API (Schemathesis, from PyPI). */
export const schemathesisPath = (): string => tool('schemathesis');
/** The Kubernetes manifest validator the test suite runs over deploy/kubernetes (kubernetes-validate, from PyPI). */
export const kubernetesValidatePath = (): string => tool('kubernetes-validate');

/** Node's arguments for building the web console with Vite into console/dist (npm start, the browser tests). */
export const consoleBuildArgs = [join(projectRoot, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '-c', 'console/vite.config.mts'];
