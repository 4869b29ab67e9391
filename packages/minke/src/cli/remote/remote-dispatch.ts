import type { DispatchReply, RequestStatus } from '@minke/contract';
import type { ApiClient } from './api-client.js';

/** What `minke dispatch` asks for, on the project or through a server. */
export interface DispatchAsk {
  plugin: string;
  nodes?: readonly string[] | undefined;
  all?: boolean | undefined;
  where?: string | undefined;
  ttlSeconds?: number | undefined;
}

/** Where `minke dispatch` makes its request and reads how it went. */
export interface DispatchSource {
  dispatch(ask: DispatchAsk): Promise<DispatchReply>;
  status(id: string): Promise<RequestStatus | undefined>;
  /** How often `--wait` reads the status. */
  pollMs: number;
}

/**
 * `POST /api/dispatch` as the token's user (`change_host`), then `GET /api/dispatch/ID` while
 * waiting: the server signs and delivers the request, and records its user as the one who asked.
 */
export function remoteDispatch(client: ApiClient): DispatchSource {
  return {
    dispatch: (ask) =>
      client.post<DispatchReply>('/api/dispatch', {
        plugin: ask.plugin,
        ...(ask.nodes ? { nodes: ask.nodes } : {}),
        ...(ask.all ? { all: true } : {}),
        ...(ask.where !== undefined ? { where: ask.where } : {}),
        // The API takes whole seconds.
        ...(ask.ttlSeconds !== undefined ? { ttlSeconds: Math.ceil(ask.ttlSeconds) } : {}),
      }),
    status: (id) => client.get<RequestStatus>(`/api/dispatch/${encodeURIComponent(id)}`),
    // A request over HTTP each time: half a second keeps a long wait light on the server.
    pollMs: 500,
  };
}
