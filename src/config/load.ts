import { options, type Config } from './defaults.js';

/**
 * Builds the configuration: defaults < environment < explicit overrides
 * (CLI flags, tests). Reads only the `env` object it is given.
 */
export function loadConfig(env: Record<string, string | undefined>, overrides: Partial<Config> = {}): Config {
  const config: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(options) as [keyof Config, (typeof options)[keyof Config]][]) {
    const raw = env[spec.env];
    config[key] = raw === undefined ? spec.default : (spec.parse as (raw: string) => unknown)(raw);
  }
  for (const [key, value] of Object.entries(overrides)) {
    if (value !== undefined) config[key] = value;
  }
  return config as unknown as Config;
}
