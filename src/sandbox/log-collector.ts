/**
 * Keeps a script's `console.*` lines, bounded: a script that logs in a loop
 * must not turn its job record into megabytes.
 */
export const LOG_LIMITS = { lines: 100, lineLength: 1000 } as const;

export type LogLevel = 'log' | 'info' | 'debug' | 'warn' | 'error';

export interface LogCollector {
  add(level: string, text: string): void;
  /** The kept lines, plus one saying how many were dropped, if any. */
  lines(): string[];
}

/** `log`, `info` and `debug` lines are kept as written; `warn` and `error` get a `[warn] ` / `[error] ` prefix. */
export function createLogCollector(limits: { lines: number; lineLength: number } = LOG_LIMITS): LogCollector {
  const kept: string[] = [];
  let dropped = 0;
  return {
    add(level, text) {
      if (kept.length >= limits.lines) {
        dropped++;
        return;
      }
      const line = level === 'warn' || level === 'error' ? `[${level}] ${text}` : text;
      kept.push(line.length > limits.lineLength ? `${line.slice(0, limits.lineLength)}… (${line.length} characters)` : line);
    },
    lines() {
      return dropped === 0 ? kept : [...kept, `… ${dropped} more line${dropped === 1 ? '' : 's'} not kept (limit ${limits.lines})`];
    },
  };
}
