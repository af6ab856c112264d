// The experiments engine as the extension uses it, loaded with the rest of the heavy modules (see heavyModules.ts).
export { experimentStatus } from '../core/experiments/analysis';
export { findExperiment, listExperiments } from '../core/experiments/definition';
export { statusLines } from '../core/experiments/report';
export { createExperimentService } from '../core/experiments/routing';
export { withWorkspace, workspaceTag } from '../core/projects/workspace';
