import type { FastifyInstance, FastifyRequest } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { envelopeBody } from '../plugins/version.js'
import { errorResponses } from '../schemas/common.js'
import {
  ActivateBody, ActivateEnvelope, AsyncQuery, JobEnvelope, JobParams, MessageEnvelope, ModelBody, ModelEnvelope, ModelExecutionEnvelope, ModelExecutionListEnvelope,
  ModelExecutionListQuery, ModelListEnvelope, ModelSyncBody, ModelSyncEnvelope, ModelSyncListEnvelope, ModelSyncListQuery, ModelSyncStatusEnvelope,
  StartModelSyncBody, StartModelSyncEnvelope, SyncExecutionParams, SyncParams,
  type ModelInput, type ModelSyncInput, type StartModelSyncInput
} from '../schemas/syncs.js'
import type { StoredModelSync } from '../../store/syncs/model-syncs.js'
import type { StoredModel } from '../../store/syncs/models.js'

type Id = { id: string }
const EXECUTION_PAGE = 50

/** /api/models*, /api/syncs* and /api/jobs: models, model syncs and their runs, asynchronous jobs (partner-surface reference 7 to 9). */
export default async function modelSyncRoutes (api: FastifyInstance): Promise<void> {
  const { store } = api
  const syncOf = (request: FastifyRequest, organizationId?: string | null): StoredModelSync =>
    store.access.reachableModelSync(callerOf(request), (request.params as Id).id, organizationId)
  const modelOf = (request: FastifyRequest, organizationId?: string | null): StoredModel =>
    store.access.reachableModel(callerOf(request), (request.params as Id).id, organizationId)
  const actor = (request: FastifyRequest): ReturnType<typeof store.actorOf> => store.actorOf(callerOf(request))

  // Models

  api.get<{ Querystring: { organization_id?: string } }>('/models', {
    schema: { querystring: AsyncQuery, response: { 200: ModelListEnvelope, ...errorResponses(400, 401, 404) } }
  }, (request, reply) => {
    const organization = store.access.organizationToActIn(callerOf(request), request.query.organization_id)
    reply.send(envelopeBody(request, store.models.list(organization.id).map((m) => store.models.view(m))))
  })

  /** A model's answer; with async=true also a job that reports it (running now, done at the runner's next turn). */
  const modelAnswer = (request: FastifyRequest, model: StoredModel, jobType: 'createmodel' | 'updatemodel'): Record<string, unknown> => {
    const view = store.models.view(model)
    const body: Record<string, unknown> = envelopeBody(request, view)
    if ((request.query as { async?: string }).async === 'true') body.job = store.transaction(() => store.jobs.start(model.organization_id, jobType, view))
    return body
  }

  api.post<{ Querystring: { async?: string }, Body: ModelInput }>('/models', {
    schema: { querystring: AsyncQuery, body: ModelBody, response: { 200: ModelEnvelope, ...errorResponses(400, 401, 403, 404, 422) } }
  }, (request, reply) => {
    const organization = store.access.organizationToActIn(callerOf(request), request.body.organization_id)
    const created = store.transaction(() => store.models.create(organization.id, request.body, actor(request)))
    reply.send(modelAnswer(request, created, 'createmodel'))
  })

  api.get<{ Params: Id }>('/models/:id', {
    schema: { params: SyncParams, querystring: AsyncQuery, response: { 200: ModelEnvelope, ...errorResponses(400, 401, 404) } }
  }, (request, reply) => {
    reply.send(envelopeBody(request, store.models.view(modelOf(request))))
  })

  api.put<{ Params: Id, Querystring: { async?: string }, Body: ModelInput }>('/models/:id', {
    schema: { params: SyncParams, querystring: AsyncQuery, body: ModelBody, response: { 200: ModelEnvelope, ...errorResponses(400, 401, 403, 404, 422) } }
  }, (request, reply) => {
    const updated = store.transaction(() => store.models.replace(modelOf(request, request.body.organization_id), request.body, actor(request)))
    reply.send(modelAnswer(request, updated, 'updatemodel'))
  })

  api.delete<{ Params: Id }>('/models/:id', {
    schema: { params: SyncParams, querystring: AsyncQuery, response: { 200: { type: 'null' }, ...errorResponses(400, 401, 403, 404, 422) } }
  }, (request, reply) => {
    store.transaction(() => store.models.delete(modelOf(request)))
    reply.code(200).send()
  })

  // Model syncs

  api.get<{ Querystring: { active?: string, mode?: string, target_connection_id?: string, organization_id?: string } }>('/syncs', {
    schema: { querystring: ModelSyncListQuery, response: { 200: ModelSyncListEnvelope, ...errorResponses(400, 401, 404) } }
  }, (request, reply) => {
    const q = request.query
    const organization = store.access.organizationToActIn(callerOf(request), q.organization_id)
    const syncs = store.modelSyncs.list(organization.id, { active: q.active === undefined ? undefined : q.active === 'true', mode: q.mode, target_connection_id: q.target_connection_id })
    reply.send(envelopeBody(request, syncs.map((s) => store.modelSyncs.view(s))))
  })

  api.post<{ Body: ModelSyncInput }>('/syncs', {
    schema: { body: ModelSyncBody, response: { 200: ModelSyncEnvelope, ...errorResponses(400, 401, 403, 404, 422) } }
  }, (request, reply) => {
    const organization = store.access.organizationToActIn(callerOf(request), request.body.organization_id)
    const created = store.transaction(() => store.modelSyncs.create(organization.id, request.body, actor(request)))
    reply.send(envelopeBody(request, store.modelSyncs.view(created)))
  })

  api.get<{ Params: Id }>('/syncs/:id', {
    schema: { params: SyncParams, response: { 200: ModelSyncEnvelope, ...errorResponses(400, 401, 404) } }
  }, (request, reply) => {
    reply.send(envelopeBody(request, store.modelSyncs.view(syncOf(request))))
  })

  api.put<{ Params: Id, Body: ModelSyncInput }>('/syncs/:id', {
    schema: { params: SyncParams, body: ModelSyncBody, response: { 200: ModelSyncEnvelope, ...errorResponses(400, 401, 403, 404, 422) } }
  }, (request, reply) => {
    const updated = store.transaction(() => store.modelSyncs.replace(syncOf(request, request.body.organization_id), request.body, actor(request)))
    reply.send(envelopeBody(request, store.modelSyncs.view(updated)))
  })

  api.delete<{ Params: Id }>('/syncs/:id', {
    schema: { params: SyncParams, response: { 200: { type: 'null' }, ...errorResponses(400, 401, 403, 404) } }
  }, (request, reply) => {
    store.transaction(() => store.modelSyncs.delete(syncOf(request)))
    reply.code(200).send()
  })

  api.post<{ Params: Id, Body: { active: boolean } }>('/syncs/:id/activate', {
    schema: { params: SyncParams, body: ActivateBody, response: { 200: ActivateEnvelope, ...errorResponses(400, 401, 403, 404, 422) } }
  }, (request, reply) => {
    const updated = store.transaction(() => store.modelSyncs.setActive(syncOf(request), request.body.active, actor(request)))
    reply.send(envelopeBody(request, { id: updated.id, active: updated.active }))
  })

  api.post<{ Params: Id }>('/syncs/:id/cancel', {
    schema: { params: SyncParams, response: { 200: MessageEnvelope, ...errorResponses(400, 401, 403, 404) } }
  }, (request, reply) => {
    reply.send(envelopeBody(request, { message: store.transaction(() => store.executions.cancelActive(syncOf(request).id)) }))
  })

  api.post<{ Params: Id, Body: StartModelSyncInput | null }>('/syncs/:id/executions', {
    schema: { params: SyncParams, body: StartModelSyncBody, response: { 200: StartModelSyncEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) } }
  }, (request, reply) => {
    const execution = store.transaction(() => {
      const sync = syncOf(request)
      return store.executions.start(store.modelSyncs.facts(sync), store.modelSyncs.startRequest(request.body, 'manual'))
    })
    reply.send(envelopeBody(request, { id: execution.id, status: execution.status, created_at: new Date(execution.created_ms).toISOString() }))
  })

  api.get<{ Params: Id, Querystring: { page_token?: string, only_completed?: string, ascending?: string } }>('/syncs/:id/executions', {
    schema: { params: SyncParams, querystring: ModelExecutionListQuery, response: { 200: ModelExecutionListEnvelope, ...errorResponses(400, 401, 404, 422) } }
  }, (request, reply) => {
    const q = request.query
    const page = store.executions.list('model', syncOf(request).id, { ascending: q.ascending === 'true', only: q.only_completed === 'true' ? 'completed' : undefined, limit: EXECUTION_PAGE, page_token: q.page_token })
    const body: Record<string, unknown> = envelopeBody(request, page.executions.map((e) => store.executions.modelView(e)))
    body.pagination = page.next_page_token === undefined ? {} : { next_page_token: page.next_page_token }
    reply.send(body)
  })

  api.get<{ Params: { id: string, exec_id: string } }>('/syncs/:id/executions/:exec_id', {
    schema: { params: SyncExecutionParams, response: { 200: ModelExecutionEnvelope, ...errorResponses(400, 401, 404) } }
  }, (request, reply) => {
    reply.send(envelopeBody(request, store.executions.modelView(store.executions.require('model', syncOf(request).id, request.params.exec_id))))
  })

  api.get<{ Params: Id }>('/syncs/:id/status', {
    schema: { params: SyncParams, response: { 200: ModelSyncStatusEnvelope, ...errorResponses(400, 401, 404) } }
  }, (request, reply) => {
    const sync = syncOf(request)
    const status: Record<string, unknown> = store.executions.status(sync.id)
    const next = store.scheduler.nextExecution(sync, 'model', store.clock.now())
    if (next !== undefined) status.next_execution_time = next
    reply.send(envelopeBody(request, status))
  })

  // Jobs

  api.get<{ Params: { type: string, id: string } }>('/jobs/:type/:id', {
    schema: { params: JobParams, response: { 200: JobEnvelope, ...errorResponses(400, 401, 404) } }
  }, (request, reply) => {
    const caller = callerOf(request)
    reply.send(envelopeBody(request, store.jobs.find(request.params.type, request.params.id, (organizationId) => store.access.canSeeOrganization(caller, organizationId))))
  })
}
