import { readFile } from 'node:fs/promises';
import { UsageError } from './cli-error.js';

/** `--port`: a whole number from 1 to 65535. */
export function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535)
    throw new UsageError(`--port "${text}": use a whole number from 1 to 65535`);
  return port;
}

/** The connection config's text from `--config` or `--config-file` (the file wins), if given. */
export async function configFlag(options: {
  config?: string;
  configFile?: string;
}): Promise<string | undefined> {
  return options.configFile !== undefined ? readFile(options.configFile, 'utf8') : options.config;
}
