/**
 * `@minke/agent`: the engine behind the `minke-agent` command, for embedding and tests.
 */
export { Agent, type AgentConfig, type AgentOptions } from './agent.js';
export {
  ConfigError,
  DEFAULT_CONFIG_FILE,
  envName,
  loadSettings,
  type AgentSettings,
  type LoadSettingsOptions,
} from './config.js';
export { main, type CliIo } from './cli.js';
export { createLineLogger, silentLogger, type Logger, type LogLevel } from './logger.js';
export {
  connectMqtt,
  reconnectDelay,
  type ConnectMqtt,
  type MqttClientLike,
} from './mqtt-client.js';
export { executePlugin, notAuthorizedResult, NOT_AUTHORIZED } from './plugins/execute-plugin.js';
export { loadPlugins, PLUGIN_FILE } from './plugins/load-plugins.js';
export { parseOutput, type ParsedOutput } from './plugins/parse-output.js';
export { parsePluginFile } from './plugins/parse-plugin-file.js';
export { pluginInfo, PLUGIN_DEFAULTS, type Plugin, type PluginSet } from './plugins/plugin.js';
export { readIni } from './plugins/read-ini.js';
export {
  runPlugin,
  pluginEnvironment,
  type RunOptions,
  type RunOutcome,
} from './plugins/run-plugin.js';
export { splitArgv, type SplitOutcome } from './plugins/split-argv.js';
export { parsePythonLiteral, type PythonLiteralOutcome } from './plugins/parse-python-literal.js';
export { Spool, type ForeignEntries, type SpoolOptions } from './spool.js';
export { SpoolInUseError, SpoolLock } from './spool-lock.js';
export { AGENT_VERSION } from './version.js';
