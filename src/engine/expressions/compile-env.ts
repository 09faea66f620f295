import { ExpressionSyntaxError } from './errors.js';
import type { Ctx } from './runtime.js';

/** A compiled expression: a closure over a pre-built tree, run per evaluation. */
export type Evaluate = (ctx: Ctx) => unknown;

/** What the compiler knows at a point in the tree. */
export interface CompileEnv {
  /** Arrow parameters in scope, by name, with their slot in `ctx.locals`. */
  readonly locals: ReadonlyMap<string, number>;
  /** The first free slot for the parameters of a nested arrow function. */
  readonly nextSlot: number;
  readonly depth: number;
}

export const rootEnv: CompileEnv = { locals: new Map(), nextSlot: 0, depth: 0 };

/** Refuses the expression at compile time; the caller adds path and source. */
export function fail(reason: string): never {
  throw new ExpressionSyntaxError(reason);
}
