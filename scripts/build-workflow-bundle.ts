import { buildWorkflowBundle, prebuiltBundle } from '../worker/workflow-bundle';

/** `npm install` and `npm start`: bundle the workflow code unless the bundle of these sources exists. */
async function main(): Promise<void> {
  if (prebuiltBundle()) {
    process.stdout.write('workflow bundle up to date\n');
    return;
  }
  process.stdout.write(`workflow bundle written to ${await buildWorkflowBundle()}\n`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
