// Runs a real agent in the test process from a YAML config, with a captured log.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, type AgentDeps } from '../../../edge/agent/agent.ts';
import { parseConfig } from '../../../edge/config/load.ts';
import { captureLog } from './capture-log.ts';

export const MODELS_DIR = fileURLToPath(new URL('../../../models/', import.meta.url));

export interface RunningAgent {
  agent: Agent;
  dir: string;
  logText(): string;
  stop(): Promise<void>;
}

/** Parses `yaml` (relative paths resolve against a fresh temp folder) and starts the agent. */
export async function startAgent(
  yaml: string,
  deps: Partial<AgentDeps> = {},
  dir = mkdtempSync(join(tmpdir(), 'volno-agent-')),
): Promise<RunningAgent> {
  const r = parseConfig(yaml, dir);
  if (!r.ok) throw new Error(`test config is invalid:\n${r.issues.join('\n')}`);
  const { log, text } = captureLog('info');
  const agent = new Agent(r.value.config, { log, version: 'test', ...deps });
  await agent.start();
  return { agent, dir, logText: text, stop: () => agent.stop() };
}
