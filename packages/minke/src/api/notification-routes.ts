import {
  channelList,
  deliveriesQuery,
  deliveryPage,
  nameParams,
  testDeliveryReply,
} from '@minke/contract';
import { requireSuperuser } from '../auth/access.js';
import { channelsOf } from '../notifications/channel-list.js';
import { notifierOf } from '../notifications/start-notifications.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';

/**
 * Notifications: the channels of the project's config (never their secrets), "send test", and
 * the delivery log with each delivery's attempts and last error. Superusers only: the log names
 * runs and channels of every user.
 */
export const notificationRoutes: ApiRoutes = (app, { project, logger }) => {
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
