import type { AnyNodeType } from '../engine/node-type.js';
import { createNodeRegistry, type NodeRegistry } from '../engine/registry.js';
import { code } from './code/index.js';
import { condition } from './condition/index.js';
import { delay } from './delay/index.js';
import { email } from './email/index.js';
import { end } from './end/index.js';
import { http } from './http/index.js';
import { loop } from './loop/index.js';
import { notify } from './notify/index.js';
import { parallel } from './parallel/index.js';
import { recordCreate, recordDelete, recordQuery, recordUpdate, recordUpsert } from './record/index.js';
import { respond } from './respond/index.js';
import { set } from './set/index.js';

export { code, condition, delay, email, end, http, loop, notify, parallel, recordCreate, recordDelete, recordQuery, recordUpdate, recordUpsert, respond, set };

/** The node types every Hookflow server has. */
export const coreNodeTypes: readonly AnyNodeType[] = [condition, respond, set, end, delay, parallel, loop, http, email, notify, recordQuery, recordCreate, recordUpdate, recordUpsert, recordDelete, code];

/** A registry with the core node types; callers `register` more (record, email, notify, code…). */
export function createDefaultRegistry(): NodeRegistry {
  return createNodeRegistry(coreNodeTypes);
}
