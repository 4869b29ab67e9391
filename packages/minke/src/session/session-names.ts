import { snakeCase } from '../model/define-model.js';
import type { SessionClass } from './session.js';

/** "ServerInfo" → "Server info", unless the class sets `verboseName`. */
export function verboseNameOf(cls: SessionClass): string {
  if (Object.hasOwn(cls, 'verboseName') && cls.verboseName) return cls.verboseName;
  const words = snakeCase(cls.name).split('_').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The automatic run permission: `run_server_info`. */
export function runPermissionOf(cls: SessionClass): string {
  return `run_${snakeCase(cls.name)}`;
}
