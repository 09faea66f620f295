#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { loadConfig } from '../config/load.js';
import type { Role } from '../config/defaults.js';
import { startHookflow } from '../main.js';
import { createLogger } from '../shared/logger.js';
import { openStore, storeOptionsFromConfig } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';
import { getWorkflow } from '../store/workflows.js';
import { createDefaultRegistry } from '../nodes/index.js';
import { createWorkflowCatalog } from '../workflows/catalog.js';
import { createWorkflowService } from '../workflows/service.js';
import { systemClock } from '../shared/clock.js';
import { HookflowError } from '../shared/errors.js';
import { webhookUrls } from '../api/workflows.js';

const usage = `Usage: hookflow <command> [options]

Commands:
  start [--port N] [--host H] [--role all|web|worker]   run the server
  migrate                                               bring the database schema up to date
  import FILE                                           create a workflow from a YAML or JSON file
  export ID [--json]                                    print a workflow's definition (YAML by default)

Configuration comes from the environment (docs/configuration.md), e.g.
DATABASE_URL, HOOKFLOW_DATA_DIR, PORT, HOOKFLOW_ADMIN_TOKEN.`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      role: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, arg] = positionals;
  if (values.help || !command) {
    console.log(usage);
    return command || values.help ? 0 : 1;
  }
  const config = loadConfig(process.env, {
    port: values.port === undefined ? undefined : Number(values.port),
    host: values.host,
    role: values.role as Role | undefined,
  });

  switch (command) {
    case 'start': {
      const hookflow = await startHookflow(config);
      const stop = (signal: string) => {
        console.error(`${signal}: finishing in-flight runs (up to ${config.shutdownGraceMs} ms), then stopping`);
        hookflow.close().then(
          () => process.exit(0),
          (err: unknown) => {
            console.error(err);
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      return -1; // keep running
    }
    case 'migrate': {
      const store = openStore(storeOptionsFromConfig(config));
      const result = await migrateToLatest(store);
      await store.close();
      console.log(result.applied.length ? `applied: ${result.applied.join(', ')}` : 'the schema is up to date');
      return 0;
    }
    case 'import':
    case 'export': {
      if (!arg) {
        console.error(`hookflow ${command} needs ${command === 'import' ? 'a FILE' : 'a workflow ID'}\n\n${usage}`);
        return 2;
      }
      const store = openStore(storeOptionsFromConfig(config));
      try {
        await migrateToLatest(store);
        if (command === 'export') {
          const workflow = await getWorkflow(store.db, arg);
          if (!workflow) throw new HookflowError('not_found', `no workflow ${arg}`);
          const definition = { ...(workflow.definition as object), enabled: workflow.enabled };
          process.stdout.write(values.json ? `${JSON.stringify(definition, null, 2)}\n` : toYaml(definition));
          return 0;
        }
        const text = readFileSync(arg, 'utf8');
        const definition: unknown = arg.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
        const registry = createDefaultRegistry();
        const logger = createLogger({ level: 'warn' });
        const catalog = createWorkflowCatalog({ db: store.db, registry, logger });
        const service = createWorkflowService({ db: store.db, registry, catalog, clock: systemClock });
        const workflow = await service.create(definition);
        const base = config.publicUrl ?? `http://localhost:${config.port}`;
        console.log(`imported "${workflow.title}" as ${workflow.id} (version ${workflow.version})`);
        for (const url of webhookUrls(workflow, base)) console.log(`webhook: ${url}`);
        return 0;
      } finally {
        await store.close();
      }
    }
    default:
      console.error(`unknown command "${command}"\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof HookflowError) {
      console.error(`error: ${err.message}`);
      for (const problem of (err.details as { path: string; message: string }[] | undefined) ?? []) {
        console.error(`  ${problem.path}: ${problem.message}`);
      }
    } else {
      console.error(err);
    }
    process.exitCode = 1;
  },
);
