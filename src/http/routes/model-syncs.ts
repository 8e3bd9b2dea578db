import type { FastifyInstance, FastifyRequest } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { envelopeBody, inGeneration } from '../plugins/version.js'
import { decodePageToken, page } from '../../store/paging.js'
import { errorResponses } from '../schemas/common.js'
import {
  AsyncQuery,
  JobEnvelope,
  JobParams,
  ModelBody,
  ModelEnvelope,
  ModelExecutionEnvelope,
  ModelExecutionListEnvelope,
  ModelExecutionListQuery,
  ModelListEnvelope,
  ModelLogParams,
  ModelLogsEnvelope,
  ScheduleOptionsEnvelope,
  ModelSyncBody,
  ModelSyncEnvelope,
  ModelSyncListEnvelope,
  ModelSyncListEnvelope2025,
  ModelSyncListQuery,
  ModelSyncListQuery2025,
  ModelSyncStatusEnvelope,
  StartModelSyncBody,
  StartModelSyncEnvelope,
  SyncExecutionParams,
  SyncParams,
  UpdateExecutionBody,
  type ModelInput,
  type ModelSyncInput,
  type StartModelSyncInput
} from '../schemas/syncs.js'
import { syncRoutes } from './sync-routes.js'
import { originOf } from './files.js'
import { scheduleOptions } from '../../store/syncs/schedule.js'
import type { ModelLogType } from '../../store/syncs/run-logs.js'
import type { StoredModelSync } from '../../store/syncs/model-syncs.js'
import type { StoredModel } from '../../store/syncs/models.js'
import type { JobType } from '../../store/syncs/jobs.js'
import type { Store } from '../../store/index.js'

type Id = { id: string }
const EXECUTION_PAGE = 50
const LIST_PAGE = 50

/**
 * The envelope of `data`; with async=true also a job of `type` in the organization that reports it (running now,
 * done at the runner's next turn with `data` as its result).
 */
export function answerWithJob (
  store: Store,
  request: FastifyRequest,
  organizationId: string,
  type: JobType,
  data: unknown
): Record<string, unknown> {
  const body: Record<string, unknown> = envelopeBody(request, data)
  if ((request.query as { async?: string }).async === 'true') {
    body.job = store.transaction(() => store.jobs.start(organizationId, type, data))
  }
  return body
}

/**
 * /api/models*, /api/syncs* and /api/jobs: models, model syncs and their runs, asynchronous jobs
 * (partner-surface reference 7 to 9).
 */
export default async function modelSyncRoutes (api: FastifyInstance): Promise<void> {
  const { store } = api
  const modelOf = (request: FastifyRequest, organizationId?: string | null): StoredModel =>
    store.access.reachableModel(callerOf(request), (request.params as Id).id, organizationId)
  const actor = (request: FastifyRequest): ReturnType<typeof store.actorOf> => store.actorOf(callerOf(request))

  // Models

  api.get<{ Querystring: { organization_id?: string } }>(
    '/models',
    {
      schema: { querystring: AsyncQuery, response: { 200: ModelListEnvelope, ...errorResponses(400, 401, 404) } }
    },
    (request, reply) => {
      const organization = store.access.organizationToActIn(callerOf(request), request.query.organization_id)
      reply.send(
        envelopeBody(
          request,
          store.models.list(organization.id).map((m) => store.models.view(m))
        )
      )
    }
  )

  /** A model's answer; with async=true also a job that reports it (running now, done at the runner's next turn). */
  const modelAnswer = (
    request: FastifyRequest,
    model: StoredModel,
    jobType: 'createmodel' | 'updatemodel'
  ): Record<string, unknown> =>
    answerWithJob(store, request, model.organization_id, jobType, store.models.view(model))

  api.post<{ Querystring: { async?: string }; Body: ModelInput }>(
    '/models',
    {
      schema: {
        querystring: AsyncQuery,
        body: ModelBody,
        response: { 200: ModelEnvelope, ...errorResponses(400, 401, 403, 404, 422) }
      }
    },
    (request, reply) => {
      const organization = store.access.organizationToActIn(callerOf(request), request.body.organization_id)
      const created = store.transaction(() => store.models.create(organization.id, request.body, actor(request)))
      reply.send(modelAnswer(request, created, 'createmodel'))
    }
  )

  api.get<{ Params: Id }>(
    '/models/:id',
    {
      schema: {
        params: SyncParams,
        querystring: AsyncQuery,
        response: { 200: ModelEnvelope, ...errorResponses(400, 401, 404) }
      }
    },
    (request, reply) => {
      reply.send(envelopeBody(request, store.models.view(modelOf(request))))
    }
  )

  api.put<{ Params: Id; Querystring: { async?: string }; Body: ModelInput }>(
    '/models/:id',
    {
      schema: {
        params: SyncParams,
        querystring: AsyncQuery,
        body: ModelBody,
        response: { 200: ModelEnvelope, ...errorResponses(400, 401, 403, 404, 422) }
      }
    },
    (request, reply) => {
      const updated = store.transaction(() =>
        store.models.replace(modelOf(request, request.body.organization_id), request.body, actor(request))
      )
      reply.send(modelAnswer(request, updated, 'updatemodel'))
    }
  )

  api.delete<{ Params: Id }>(
    '/models/:id',
    {
      schema: {
        params: SyncParams,
        querystring: AsyncQuery,
        response: { 200: { type: 'null' }, ...errorResponses(400, 401, 403, 404, 422) }
      }
    },
    (request, reply) => {
      store.transaction(() => store.models.delete(modelOf(request)))
      reply.code(200).send()
    }
  )

  // Model syncs

  type ListQuery = {
    active?: string
    mode?: string
    target_connection_id?: string
    organization_id?: string
    page_token?: string
    limit?: string
  }
  const listed = (request: FastifyRequest<{ Querystring: ListQuery }>): StoredModelSync[] => {
    const q = request.query
    const organization = store.access.organizationToActIn(callerOf(request), q.organization_id)
    return store.modelSyncs.list(organization.id, {
      active: q.active === undefined ? undefined : q.active === 'true',
      mode: q.mode,
      target_connection_id: q.target_connection_id
    })
  }

  // Before 2025-09-18: every sync, whole (ModelSyncResponse).
  api.get<{ Querystring: ListQuery }>(
    '/syncs',
    {
      schema: {
        querystring: ModelSyncListQuery,
        response: { 200: ModelSyncListEnvelope, ...errorResponses(400, 401, 404) }
      }
    },
    (request, reply) => {
      reply.send(
        envelopeBody(
          request,
          listed(request).map((s) => store.modelSyncs.view(s))
        )
      )
    }
  )

  // 2025-09-18 (2025-09-18 surface 3.4): summaries (ListSyncItem), most recently updated first, paged.
  api.get<{ Querystring: ListQuery }>(
    '/syncs',
    {
      ...inGeneration('2025-09-18'),
      schema: {
        querystring: ModelSyncListQuery2025,
        response: { 200: ModelSyncListEnvelope2025, ...errorResponses(400, 401, 404, 422) }
      }
    },
    (request, reply) => {
      // Above 50 is 50; zero or less is the default (the reference's words for this list).
      const asked = request.query.limit === undefined ? LIST_PAGE : Number(request.query.limit)
      const limit = asked < 1 ? LIST_PAGE : Math.min(asked, LIST_PAGE)
      const ordered = listed(request).sort(
        (a, b) => b.updated_at.localeCompare(a.updated_at) || a.id.localeCompare(b.id)
      )
      const { items, next_page_token: next } = page(ordered, decodePageToken(request.query.page_token), limit)
      const body: Record<string, unknown> = envelopeBody(
        request,
        items.map((s) => store.modelSyncs.listItem(s))
      )
      body.pagination = next === undefined ? {} : { next_page_token: next }
      reply.send(body)
    }
  )

  const sync = syncRoutes<StoredModelSync, ModelSyncInput, StartModelSyncInput>(api, {
    kind: 'model',
    path: '/syncs',
    repository: store.modelSyncs,
    reach: (caller, id, organizationId) => store.access.reachableModelSync(caller, id, organizationId),
    startRequest: (_sync, body: StartModelSyncInput | null | undefined) =>
      store.modelSyncs.startRequest(body, 'manual'),
    executionView: (e) => store.executions.modelView(e),
    startedView: (e) => ({ id: e.id, status: e.status, created_at: new Date(e.created_ms).toISOString() }),
    listOptions: (q) => ({
      ascending: q.ascending === 'true',
      only: q.only_completed === 'true' ? 'completed' : undefined,
      limit: EXECUTION_PAGE,
      page_token: q.page_token
    }),
    schemas: {
      create: ModelSyncBody,
      replace: ModelSyncBody,
      start: StartModelSyncBody,
      sync: ModelSyncEnvelope,
      started: StartModelSyncEnvelope,
      execution: ModelExecutionEnvelope,
      executionList: ModelExecutionListEnvelope,
      executionListQuery: ModelExecutionListQuery,
      status: ModelSyncStatusEnvelope
    }
  })
  sync.create()
  sync.read()
  sync.replace()
  sync.remove()
  sync.activate()
  sync.cancel()
  sync.start()
  sync.executions()
  sync.execution()
  sync.cancelExecution('2025-09-18')

  // SDK 1.18.1's modelSync.executions.update, which v25 dropped: it keeps working.
  api.put<{ Params: { id: string; exec_id: string }; Body: { status: string } }>(
    '/syncs/:id/executions/:exec_id',
    {
      schema: {
        params: SyncExecutionParams,
        body: UpdateExecutionBody,
        response: { 200: ModelExecutionEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) }
      }
    },
    (request, reply) => {
      const updated = store.transaction(() => {
        const sync = store.access.reachableModelSync(callerOf(request), request.params.id)
        const execution = store.executions.require('model', sync.id, request.params.exec_id)
        return store.executions.setStatus(execution, request.body.status)
      })
      reply.send(envelopeBody(request, store.executions.modelView(updated)))
    }
  )
  sync.consoleLog()
  sync.status()

  // The frequencies a model sync's schedule takes, and the fields each reads (the store's own rule).
  api.get(
    '/syncs/schedules',
    { config: { cacheable: true }, schema: { response: { 200: ScheduleOptionsEnvelope, ...errorResponses(401) } } },
    (request, reply) => {
      reply.send(envelopeBody(request, { schedule_options: scheduleOptions() }))
    }
  )

  // A run's log files of one category, and one file's URL: signed URLs the simulator serves itself.
  api.get<{ Params: { id: string; exec_id: string; type: ModelLogType } }>(
    '/syncs/:id/executions/:exec_id/:type',
    { schema: { params: ModelLogParams, response: { 200: ModelLogsEnvelope, ...errorResponses(400, 401, 404) } } },
    (request, reply) => {
      const sync = store.access.reachableModelSync(callerOf(request), request.params.id)
      const execution = store.executions.require('model', sync.id, request.params.exec_id)
      reply.send(envelopeBody(request, store.runLogs.modelUrls(originOf(request), execution, request.params.type)))
    }
  )

  api.get<{ Params: { id: string; exec_id: string; type: ModelLogType; filename: string } }>(
    '/syncs/:id/executions/:exec_id/:type/:filename',
    { schema: { params: ModelLogParams, response: { 200: ModelLogsEnvelope, ...errorResponses(400, 401, 404) } } },
    (request, reply) => {
      const { id, exec_id: executionId, type, filename } = request.params
      const sync = store.access.reachableModelSync(callerOf(request), id)
      const execution = store.executions.require('model', sync.id, executionId)
      reply.send(envelopeBody(request, store.runLogs.modelFileUrl(originOf(request), execution, type, filename)))
    }
  )

  // Jobs

  api.get<{ Params: { type: string; id: string } }>(
    '/jobs/:type/:id',
    {
      schema: { params: JobParams, response: { 200: JobEnvelope, ...errorResponses(400, 401, 404) } }
    },
    (request, reply) => {
      const caller = callerOf(request)
      reply.send(
        envelopeBody(
          request,
          store.jobs.find(request.params.type, request.params.id, (organizationId) =>
            store.access.canSeeOrganization(caller, organizationId)
          )
        )
      )
    }
  )
}
