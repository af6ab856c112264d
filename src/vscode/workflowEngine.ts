// The workflow engine as the extension uses it, loaded with the rest of the heavy modules (see heavyModules.ts).
export { loadWorkflow, resolveInputs } from '../core/workflows/definition';
export {
  examplesDir,
  findWorkflowFile,
  listWorkflowFiles,
  readWorkflowFile,
  WORKSPACE_DIR,
} from '../core/workflows/library';
export { planWorkflow, runWorkflow, stages } from '../core/workflows/run';
