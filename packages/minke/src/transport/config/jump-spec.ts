import { TransportError } from '../transport-error.js';

export interface JumpSpec {
  hostname: string;
  user?: string;
  port?: number;
}

/**
 * Parses one ProxyJump hop as OpenSSH writes it: `host`, `user@host`, `host:port`,
 * `[v6addr]:port` or `ssh://user@host:port`.
 *
 * @example
 *   parseJumpSpec('admin@bastion:2222') // => { user: 'admin', hostname: 'bastion', port: 2222 }
 */
export function parseJumpSpec(spec: string): JumpSpec {
  const text = spec.replace(/^ssh:\/\//, '');
  const at = text.lastIndexOf('@');
  const user = at > 0 ? text.slice(0, at) : undefined;
  const rest = at >= 0 ? text.slice(at + 1) : text;
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest) ?? /^([^:]+)(?::(\d+))?$/.exec(rest);
  const hostname = match?.[1];
  if (!hostname) throw new TransportError('config', spec, 'ProxyJump must be [user@]host[:port]');
  const result: JumpSpec = { hostname };
  if (user) result.user = user;
  if (match[2] !== undefined) {
    const port = Number(match[2]);
    if (port < 1 || port > 65_535)
      throw new TransportError('config', spec, 'ProxyJump port out of range');
    result.port = port;
  }
  return result;
}
