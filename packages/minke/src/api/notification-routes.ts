import {
  channelList,
  deliveriesQuery,
  deliveryPage,
  nameParams,
  runNotificationsReply,
  testDeliveryReply,
} from '@minke/contract';
import { requireSuperuser } from '../auth/access.js';
import { channelsOf } from '../notifications/channel-list.js';
import { runNotifications } from '../notifications/run-notifications.js';
import { notifierOf } from '../notifications/start-notifications.js';
import { getRunItem } from '../runs/list-runs.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { idParams } from './schemas.js';

/**
 * Notifications: the channels of the project's config (never their secrets), "send test", and
 * the delivery log with each delivery's attempts and last error. Superusers only: the log names
 * runs and channels of every user. A run's own notifications, for whoever may see the run.
 */
export const notificationRoutes: ApiRoutes = (app, { project, logger, runAccess }) => {
  app.get(
    '/runs/:id/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary:
          "What became of a finished run's notifications (its user or superusers; the last error for superusers only)",
        params: idParams,
        response: { 200: runNotificationsReply },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      await runAccess.checkRun(principal, request.params.id);
      const { run } = await getRunItem(project.database, request.params.id);
      const items = await runNotifications(
        notifierOf(project, logger),
        logger,
        { id: run.id, finishedAt: run.state === 'finished' ? run.finishedAt : null },
        principal.access.isSuperuser,
      );
      return { items };
    },
  );

  app.get(
    '/notifications/channels',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Notification channels and the global rules that use them (no secrets)',
        response: { 200: channelList },
      },
    },
    (request) => {
      requireSuperuser(principalOf(request).access, 'see notification channels');
      return { items: channelsOf(notifierOf(project, logger).settings) };
    },
  );

  app.post(
    '/notifications/channels/:name/test',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Queue a test notification to a channel; its delivery shows in the log',
        params: nameParams,
        response: { 202: testDeliveryReply },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireSuperuser(principal.access, 'send test notifications');
      const delivery = await notifierOf(project, logger).test(
        request.params.name,
        principal.user.username,
      );
      return reply.code(202).send({ delivery });
    },
  );

  app.get(
    '/notifications/deliveries',
    {
      schema: {
        tags: ['notifications'],
        summary: 'The delivery log, newest first: state, attempts and last error of each',
        querystring: deliveriesQuery,
        response: { 200: deliveryPage },
      },
    },
    async (request) => {
      requireSuperuser(principalOf(request).access, 'see the notification log');
      return notifierOf(project, logger).store.list(request.query);
    },
  );
};
