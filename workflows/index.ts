export { procedureGroupWorkflow } from './procedure-group';
