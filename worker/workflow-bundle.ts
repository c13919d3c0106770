import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { projectRoot } from '../runtime/tools';
import { workflowsPath } from './create-worker';

/**
 * The workflow code, bundled once at install (and by `npm start`) instead of at every worker start:
 * bundling takes seconds of CPU, and a restarted worker should be polling again at once. The bundle
 * carries a digest of the sources it was made from; a worker finding it missing or stale bundles at
 * start as before, so an outdated bundle can never run.
 */
export const bundleFile = join(projectRoot, '.build', 'workflow-bundle.js');
const digestFile = `${bundleFile}.sha256`;
/** What the bundle is made of: the workflows, the domain rules they import, and the locked SDK. */
const sources = ['workflows', 'domain'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]))
    .sort();
}

export function sourceDigest(): string {
  const hash = createHash('sha256');
  for (const file of [...sources.flatMap((dir) => filesUnder(join(projectRoot, dir))), join(projectRoot, 'package-lock.json')]) {
    hash.update(file.slice(projectRoot.length)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export async function buildWorkflowBundle(): Promise<string> {
  const digest = sourceDigest();
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quiet });
  mkdirSync(join(projectRoot, '.build'), { recursive: true });
  writeFileSync(bundleFile, code);
  writeFileSync(digestFile, digest);
  return bundleFile;
}

/** The prebuilt bundle's path if it was made from the sources checked out now. */
export function prebuiltBundle(): { codePath: string } | undefined {
  try {
    return readFileSync(digestFile, 'utf8') === sourceDigest() ? { codePath: bundleFile } : undefined;
  } catch {
    return undefined;
  }
}

const ignore = () => undefined;
const quiet = { log: ignore, trace: ignore, debug: ignore, info: ignore, warn: ignore, error: ignore };
