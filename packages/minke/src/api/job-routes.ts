import { z } from 'zod';
import {
  jobChangeBody,
  jobDetail,
  jobItem,
  jobLaunchBody,
  jobLaunched,
  newJobBody,
  schedulePreview,
  schedulePreviewBody,
  upcomingQuery,
  upcomingTicks,
} from '@minke/contract';
import { credentialStoreOf } from '../credentials/credential-reader.js';
import { requireViewJobs } from '../auth/job-access.js';
import { JobOperations } from '../jobs/job-operations.js';
import { launchJob } from '../jobs/launch-job.js';
import { nextTimes } from '../jobs/cron-times.js';
import { notificationsOf } from '../notifications/notification-settings.js';
import { upcomingTicksOf } from '../schedules/upcoming.js';
import type { ApiRoutes } from './api-context.js';
import { principalOf } from './request-auth.js';
import { errorReply, idParams } from './schemas.js';
import { deleteRoute } from './delete-route.js';

/**
 * Saved jobs and their schedules: list and read (view_jobs), create, change, enable, disable and
 * delete (manage_jobs), launch (view_jobs, plus the session's run permission and view on its
 * model, as any run); the next times of a cron expression; what the schedules run next.
 */
export const jobRoutes: ApiRoutes = (app, { project, runtime }) => {
  // A job's rules name channels of the config, which does not change while the server runs.
  const channels = new Set(
    notificationsOf(project.config.notifications, project.config.configFile).channels.keys(),
  );
  const jobs = () =>
    new JobOperations({
      database: project.database,
      sessions: project.sessions,
      credentials: credentialStoreOf(project),
      channels,
    });
  // A body can name a session, model or record that does not exist.
  const notFound = { 404: errorReply };

  app.get(
    '/jobs',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Saved jobs, by name, with their schedules and next times',
        response: { 200: z.array(jobItem) },
      },
    },
    async (request) => jobs().list(principalOf(request).access),
  );

  app.post(
    '/jobs',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Save a job (secret fields from a credential, or asked at launch)',
        body: newJobBody,
        response: { 201: jobDetail, ...notFound, 409: errorReply },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const created = await jobs().create(principal.access, request.body, principal.user.username);
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/jobs/:id',
    {
      schema: {
        tags: ['jobs'],
        summary: 'A saved job, its schedule with the next five times, and its newest ticks',
        params: idParams,
        response: { 200: jobDetail, ...notFound },
      },
    },
    async (request) => jobs().show(principalOf(request).access, request.params.id),
  );

  app.patch(
    '/jobs/:id',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Change a job: the fields given replace its own; schedule null removes it',
        params: idParams,
        body: jobChangeBody,
        response: { 200: jobDetail, ...notFound },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      return jobs().update(
        principal.access,
        request.params.id,
        request.body,
        principal.user.username,
      );
    },
  );

  for (const enabled of [true, false]) {
    app.post(
      `/jobs/:id/${enabled ? 'enable' : 'disable'}`,
      {
        schema: {
          tags: ['jobs'],
          summary: `${enabled ? 'Switch on' : 'Switch off'} a job's schedule`,
          params: idParams,
          response: { 200: jobDetail, ...notFound },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        return jobs().setEnabled(
          principal.access,
          request.params.id,
          enabled,
          principal.user.username,
        );
      },
    );
  }

  deleteRoute(
    app,
    '/jobs/:id',
    {
      tags: ['jobs'],
      summary: 'Delete a job and its schedule (its runs stay)',
      params: idParams,
      errors: notFound,
    },
    ({ id }, request) => jobs().delete(principalOf(request).access, id),
  );

  app.post(
    '/jobs/:id/launch',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Launch a job now: an ordinary run on its selection as it stands, linked to it',
        params: idParams,
        body: jobLaunchBody,
        response: { 201: jobLaunched, ...notFound },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireViewJobs(principal.access);
      const job = await jobs().find(request.params.id);
      const started = await launchJob(runtime, job, {
        user: principal.access,
        data: request.body.data,
      });
      return reply.code(201).send({
        runId: started.runId,
        jobId: job.id,
        session: started.session.name,
        model: started.model,
        objects: started.records.length,
      });
    },
  );

  app.post(
    '/schedules/preview',
    {
      schema: {
        tags: ['jobs'],
        summary: 'The next five times a cron expression fires (for an editor, before saving)',
        body: schedulePreviewBody,
        response: { 200: schedulePreview },
      },
    },
    (request) => {
      requireViewJobs(principalOf(request).access);
      const { cron, timezone, endAt } = request.body;
      return {
        nextTimes: nextTimes({ cron, timezone: timezone ?? 'UTC', endAt: endAt ?? null }),
      };
    },
  );

  app.get(
    '/schedules',
    {
      schema: {
        tags: ['jobs'],
        summary: 'What the schedules run next (default: the next 24 hours), soonest first',
        querystring: upcomingQuery,
        response: { 200: upcomingTicks },
      },
    },
    async (request) => {
      requireViewJobs(principalOf(request).access);
      return upcomingTicksOf(project.database, request.query.hours ?? 24);
    },
  );
};
