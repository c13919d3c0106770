export { procedureGroupWorkflow } from './procedure-group';
export { deadlineSweepWorkflow } from './deadline-sweep';
export { lifeEventNoticeWorkflow } from './life-event-notice';
