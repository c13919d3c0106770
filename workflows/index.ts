export { procedureGroupWorkflow } from './procedure-group';
export { deadlineSweepWorkflow } from './deadline-sweep';
