import { TestWorkflowEnvironment } from '@temporalio/testing';
import { registerSearchAttributes } from '../../runtime/search-attributes';
import { temporalTestServerPath } from '../../runtime/tools';

/** Temporal's time-skipping test server, from the binary scripts/provision.sh installed. */
export async function createTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
  });
  await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}
