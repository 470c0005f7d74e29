import { createRoute, OpenAPIHono, type z } from '@hono/zod-openapi';
import { foundJob, type JobState } from '../../jobs/job-queue.js';
import type { WinnowJobName } from '../../jobs/winnow-jobs.js';
import type { ApiDeps } from '../api-deps.js';
import { BEARER, errors, json } from '../openapi.js';
import { JobIdParam, JobListQuery, JobListSchema, JobSchema } from '../schemas.js';

type Job = z.infer<typeof JobSchema>;
const security = BEARER;
const split = (value: string | undefined) => value?.split(',');

/** Background jobs (sync, thumbnails, embed) on this catalog's queue, whichever process or worker runs them. */
export function jobRoutes(deps: ApiDeps) {
  const { context } = deps;
  return new OpenAPIHono({ defaultHook: deps.validationHook })
    .openapi(
      createRoute({
        method: 'get',
        path: '/jobs',
        operationId: 'listJobs',
        security,
        tags: ['jobs'],
        summary: 'Jobs, newest first, with their state, progress, retries and errors',
        request: { query: JobListQuery },
        responses: { 200: json(JobListSchema, 'The jobs'), ...errors(400, 401) },
      }),
      async (c) => {
        const query = c.req.valid('query');
        const jobs = await (
          await context.jobs()
        ).list({
          states: split(query.state) as JobState[] | undefined,
          names: split(query.name) as WinnowJobName[] | undefined,
          dataset: query.dataset,
          limit: query.limit,
        });
        return c.json({ jobs: jobs as Job[] }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/jobs/{id}',
        operationId: 'getJob',
        security,
        tags: ['jobs'],
        summary: 'One job',
        request: { params: JobIdParam },
        responses: { 200: json(JobSchema, 'The job'), ...errors(400, 401, 404) },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        return c.json(foundJob(await (await context.jobs()).get(id), id) as Job, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/jobs/{id}/cancel',
        operationId: 'cancelJob',
        security,
        tags: ['jobs'],
        summary: 'Cancel a job that has not finished; a running one stops at its next committed step',
        request: { params: JobIdParam },
        responses: { 200: json(JobSchema, 'The cancelled job'), ...errors(400, 401, 404, 409) },
      }),
      async (c) => c.json((await (await context.jobs()).cancel(c.req.valid('param').id)) as Job, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/jobs/{id}/retry',
        operationId: 'retryJob',
        security,
        tags: ['jobs'],
        summary: 'Run a failed or cancelled job again; it resumes where it stopped',
        request: { params: JobIdParam },
        responses: { 200: json(JobSchema, 'The job, queued again'), ...errors(400, 401, 404, 409) },
      }),
      async (c) => c.json((await (await context.jobs()).retry(c.req.valid('param').id)) as Job, 200),
    );
}
