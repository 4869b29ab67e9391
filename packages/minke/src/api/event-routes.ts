import { eventsQuery } from '@minke/contract';
import type { Principal } from '../auth/principal.js';
import type { DeliveredEvent } from '../events/run-events.js';
import type { ApiContext, ApiRoutes } from './api-context.js';
import { EventStreamWriter } from './event-stream.js';
import { hideHostInEvent, mayViewHosts } from './host-name-visibility.js';
import { principalOf } from './request-auth.js';

/**
 * `GET /api/events`: run events as server-sent events, for the caller's runs (all runs for
 * superusers), optionally of one run; resumable with `Last-Event-ID` or `?since=`.
 */
export const eventRoutes: ApiRoutes = (app, context) => {
  const latest = { seq: context.runtime.bus.since(0).at(-1)?.seq ?? 0 };
  // The newest sequence number given out, to tell a stale id from one of an earlier server run.
  const untrack = context.runtime.bus.subscribe((event) => {
    latest.seq = event.seq;
  });
  app.addHook('onClose', (_instance, done) => {
    untrack();
    done();
  });
  app.get(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Run events (text/event-stream)',
        description:
          'Each event: `id: <seq>`, `event: <type>`, `data: <RunEvent JSON>`. Output chunks are coalesced per session record and stream (at most one flush per 100 ms). After a reconnect with `Last-Event-ID` the held events after it are replayed; if they are no longer held, `event: reset` says to re-read the state. `: ping` every 15 s.',
        querystring: eventsQuery,
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const runId = request.query.run;
      if (runId !== undefined) await context.runAccess.checkRun(principal, runId);
      const since = lastEventId(request.headers['last-event-id']) ?? request.query.since;

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const writer = new EventStreamWriter(res, context.events);
      const visible = visibility(context, principal, runId);
      const filter = runId === undefined ? undefined : { runId };
      let chain = Promise.resolve();
      const hideHosts = mayViewHosts(principal.access) ? undefined : hostNameHider(context);
      const deliver = (events: DeliveredEvent[], replay: boolean) => {
        const write = (list: DeliveredEvent[]) =>
          replay ? writer.replay(list) : list.forEach((e) => writer.push(e));
        if (visible === 'all' && !hideHosts) return write(events);
        // Ownership and host lookups are asynchronous: a chain keeps the events in order.
        chain = chain
          .then(async () => {
            const shown = visible === 'all' ? events : await visibleOnly(events, visible);
            write(hideHosts ? await hideHosts(shown) : shown);
          })
          .catch((error: unknown) => context.logger.error({ err: error }, 'event stream failed'));
      };

      writer.start();
      // Replay and subscribe in one synchronous step: no event can fall between them.
      if (since !== undefined) {
        const held = context.runtime.bus.since(since);
        const first = held[0];
        // The bus may have loaded its history after these routes were built: what it holds now
        // counts too, so a resume on a freshly started server is not mistaken for a stale id.
        latest.seq = Math.max(latest.seq, held.at(-1)?.seq ?? 0);
        if (since > latest.seq || (since > 0 && first !== undefined && first.seq > since + 1)) {
          writer.reset(
            'events after your last id are no longer held: re-read the state',
            latest.seq,
          );
        } else {
          deliver(filter ? held.filter((e) => e.runId === filter.runId) : held, true);
        }
      }
      const unsubscribe = context.runtime.bus.subscribe((event) => deliver([event], false), filter);
      const ping = setInterval(() => writer.ping(), context.events.pingMs);
      let closed = false;
      const stream = {
        close() {
          if (closed) return;
          closed = true;
          clearInterval(ping);
          unsubscribe();
          writer.close();
          context.openStreams.delete(stream);
          if (!res.writableEnded) res.end();
        },
      };
      context.openStreams.add(stream);
      // The response's close, not the request's: it fires when the client goes away.
      res.on('close', () => stream.close());
    },
  );
};

type Visibility = 'all' | ((runId: number) => Promise<boolean>);

function visibility(
  context: ApiContext,
  principal: Principal,
  runId: number | undefined,
): Visibility {
  // One run, already checked; or a superuser, who sees every run.
  if (runId !== undefined || principal.access.isSuperuser) return 'all';
  return (id) => context.runAccess.maySeeRun(principal, id);
}

/**
 * Leaves host names out of events for a user who may not view hosts (as the run detail does):
 * learns each record's host from its state events, or reads it once from the record.
 */
function hostNameHider(
  context: ApiContext,
): (events: DeliveredEvent[]) => Promise<DeliveredEvent[]> {
  const hosts = new Map<number, string | null>();
  return async (events) => {
    for (const event of events) {
      if (event.type === 'session.state' || event.type === 'session.finished')
        hosts.set(event.recordId, event.hostName);
      else if (event.type === 'message.added' && !hosts.has(event.recordId)) {
        const record = await context.history.get(event.recordId).catch(() => undefined);
        hosts.set(event.recordId, record?.hostName ?? null);
      }
    }
    return events.map((event) => hideHostInEvent(event, (id) => hosts.get(id)));
  };
}

async function visibleOnly(
  events: DeliveredEvent[],
  maySee: (runId: number) => Promise<boolean>,
): Promise<DeliveredEvent[]> {
  const allowed = new Map<number, boolean>();
  for (const event of events) {
    if (!allowed.has(event.runId)) allowed.set(event.runId, await maySee(event.runId));
  }
  return events.filter((event) => allowed.get(event.runId));
}

function lastEventId(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}
