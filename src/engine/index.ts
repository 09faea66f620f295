/** The engine's public surface, for ingress, the queue, the API and third-party node types. */
export { compileWorkflow, DEFAULT_BACKOFF_MS } from './compile.js';
export type { CompiledChild, CompiledNode, CompiledTrigger, CompiledWorkflow } from './compile.js';
export type { CompiledConfig } from './compile-config.js';
export {
  HTTP_METHODS, NodeCommonFields, RUN_MODES, StringEnum, TriggerSpec, VERIFY_PRESETS, WorkflowSpec,
} from './definition.js';
export type { HttpMethod, NodeDefinition, OnError, RunMode, VerifyPreset, WorkflowDefinition } from './definition.js';
export { parseDuration } from './duration.js';
export { runWorkflow } from './executor.js';
export { createHttpPort } from './http-port.js';
export type { HttpPortOptions } from './http-port.js';
export { defineNode } from './node-type.js';
export type {
  AnyNodeType, ChildKind, NodeContext, NodeResult, NodeType, Problem, ReplayedJob, ReplayedResult,
} from './node-type.js';
export { sleep } from './ports.js';
export type { EnginePorts, HttpPort, HttpPortRequest, HttpPortResponse } from './ports.js';
export { createNodeRegistry } from './registry.js';
export type { NodeRegistry } from './registry.js';
export type { FileInfo, HttpReply, JobRecord, JobStatus, RunOutcome, RunRequest, TriggerContext } from './run.js';
export { validateDefinition } from './validate.js';
export type { ValidationResult } from './validate.js';
