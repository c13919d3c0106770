import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalTestServerPath } from '../../runtime/tools';

/** Temporal's time-skipping test server, from the binary scripts/provision.sh installed. */
export function createTimeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalTestServerPath() } },
  });
}
