import type { FastifyInstance, FastifyRequest } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { envelopeBody, inGeneration } from '../plugins/version.js'
import { Errors, validationError } from '../../core/errors.js'
import { consolePage, type ConsoleQuery } from '../../store/syncs/console-log.js'
import { errorResponses } from '../schemas/common.js'
import {
  MessageEnvelope,
  SyncExecutionParams,
  BulkLogsEnvelope,
  ExportLogsEnvelope,
  ExportLogsQuery,
  BulkExecutionEnvelope,
  ConsoleLogEnvelope,
  ConsoleLogQuery,
  SyncExecutionSchemaParams,
  BulkExecutionListEnvelope,
  BulkExecutionListQuery,
  BulkScheduleBody,
  BulkScheduleEnvelope,
  BulkScheduleListEnvelope,
  BulkSchemaEnvelope,
  BulkSchemaListEnvelope,
  BulkSchemaListEnvelope2025,
  BulkStatusEnvelope,
  BulkStatusListEnvelope,
  BulkStatusListQuery,
  BulkSyncEnvelope,
  BulkSyncEnvelope2025,
  BulkSyncListEnvelope,
  BulkSyncListEnvelope2025,
  BulkSyncListQuery,
  CreateBulkSyncBody,
  CreateBulkSyncBody2025,
  PatchBulkSchemasBody,
  RefreshSchemasQuery,
  SchemaListQuery,
  StartBulkSyncBody,
  StartBulkSyncBody2025,
  SyncParams,
  SyncScheduleParams,
  SyncSchemaParams,
  UpdateBulkSchemaBody,
  UpdateBulkSyncBody,
  UpdateBulkSyncBody2025,
  type PatchBulkSchemasInput,
  type ScheduleApiInput,
  type StartBulkSyncInput,
  type UpdateBulkSchemaInput
} from '../schemas/syncs.js'
import {
  refuseLegacyResync,
  type BulkSyncInput,
  type StoredBulkSync,
  type StoredSchema
} from '../../store/syncs/bulk-syncs.js'
import { decodePageToken, page, pageSize } from '../../store/paging.js'
import { originOf } from './files.js'
import { syncRoutes } from './sync-routes.js'

type Id = { id: string }
const LIST_PAGE = 50
const EXECUTION_PAGE = 50
const MAX_EXECUTION_PAGE = 100

/** The SDK configuration that sends a version: 1.18.1 sends none unless told. */
const PIN_2024 =
  "send X-Polytomic-Version: 2024-02-08 (SDK 1.18.1: new PolytomicClient({ version: '2024-02-08', ... }))"

const has = (body: unknown, field: string): boolean =>
  typeof body === 'object' && body !== null && (body as Record<string, unknown>)[field] !== undefined

/** A 2025-09-18 body with the schedule of earlier versions: the 422 says which version that body is for. */
function check2025Body (body: unknown): void {
  if (has(body, 'schedule') && !has(body, 'default_schedule')) {
    throw validationError(
      'default_schedule',
      'is required at API version 2025-09-18, where it replaced schedule; a client that sends schedule (as SDK ' +
        `1.18.1 does, with no version header, which means the default, 2025-09-18) should ${PIN_2024}`
    )
  }
}

/** An earlier version's body with the 2025-09-18 default_schedule: the same, the other way round. */
function checkEarlierBody (body: unknown): void {
  if (has(body, 'default_schedule') && !has(body, 'schedule')) {
    throw validationError(
      'schedule',
      'is required before API version 2025-09-18; default_schedule and additional_schedules are the 2025-09-18 ' +
        'form: send X-Polytomic-Version: 2025-09-18 (the newest SDK, v25, does)'
    )
  }
}

/** /api/bulk/syncs*: bulk syncs, their runs, schedules and schemas (partner-surface reference 6). */
export default async function bulkSyncRoutes (api: FastifyInstance): Promise<void> {
  const { store } = api
  const sync = (request: FastifyRequest, organizationId?: string | null): StoredBulkSync =>
    store.access.reachableBulkSync(callerOf(request), (request.params as Id).id, organizationId)
  const actor = (request: FastifyRequest): ReturnType<typeof store.actorOf> => store.actorOf(callerOf(request))
  const nextExecution = (s: StoredBulkSync): string | undefined =>
    store.scheduler.nextExecution(s, 'bulk', store.clock.now())
  const lifecycle = syncRoutes<StoredBulkSync, BulkSyncInput, StartBulkSyncInput>(api, {
    kind: 'bulk',
    path: '/bulk/syncs',
    repository: store.bulkSyncs,
    reach: (caller, id, organizationId) => store.access.reachableBulkSync(caller, id, organizationId),
    startRequest: (s, body: StartBulkSyncInput | null | undefined) => store.bulkSyncs.startRequest(s, body, 'manual'),
    executionView: (e) => store.executions.bulkView(e),
    startedView: (e) => store.executions.bulkView(e),
    listOptions: (q) => ({
      ascending: q.ascending === 'true',
      only: q.only_terminal === 'true' ? 'terminal' : undefined,
      limit: pageSize(q.limit, EXECUTION_PAGE, MAX_EXECUTION_PAGE),
      page_token: q.page_token
    }),
    schemas: {
      create: CreateBulkSyncBody,
      replace: UpdateBulkSyncBody,
      start: StartBulkSyncBody,
      sync: BulkSyncEnvelope,
      started: BulkExecutionEnvelope,
      execution: BulkExecutionEnvelope,
      executionList: BulkExecutionListEnvelope,
      executionListQuery: BulkExecutionListQuery,
      status: BulkStatusEnvelope,
      itemQuery: RefreshSchemasQuery
    },
    checkBody: checkEarlierBody,
    generations: [
      {
        generation: '2025-09-18',
        view: (s) => store.bulkSyncs.view2025(s),
        checkBody: check2025Body,
        checkStart: (body) => {
          refuseLegacyResync((body as { resync?: unknown } | null)?.resync)
        },
        schemas: {
          start: StartBulkSyncBody2025,
          create: CreateBulkSyncBody2025,
          replace: UpdateBulkSyncBody2025,
          sync: BulkSyncEnvelope2025
        }
      }
    ]
  })

  type ListQuery = { active?: string; organization_id?: string; page_token?: string; limit?: string }
  const listed = (request: FastifyRequest<{ Querystring: ListQuery }>): StoredBulkSync[] => {
    const organization = store.access.organizationToActIn(callerOf(request), request.query.organization_id)
    const active = request.query.active === undefined ? undefined : request.query.active === 'true'
    return store.bulkSyncs.list(organization.id, active)
  }

  // Before 2025-09-18 the list comes whole.
  api.get<{ Querystring: ListQuery }>(
    '/bulk/syncs',
    {
      schema: {
        querystring: BulkSyncListQuery,
        response: { 200: BulkSyncListEnvelope, ...errorResponses(400, 401, 404, 422) }
      }
    },
    (request, reply) => {
      reply.send(
        envelopeBody(
          request,
          listed(request).map((s) => store.bulkSyncs.view(s))
        )
      )
    }
  )

  // 2025-09-18 pages it, most recently updated first (reference 6.7), in its shapes.
  api.get<{ Querystring: ListQuery }>(
    '/bulk/syncs',
    {
      ...inGeneration('2025-09-18'),
      schema: {
        querystring: BulkSyncListQuery,
        response: { 200: BulkSyncListEnvelope2025, ...errorResponses(400, 401, 404, 422) }
      }
    },
    (request, reply) => {
      const limit = pageSize(request.query.limit, LIST_PAGE, LIST_PAGE)
      const ordered = [...listed(request)].sort((a, b) => b.updated_at.localeCompare(a.updated_at))
      const { items, next_page_token: next } = page(ordered, decodePageToken(request.query.page_token), limit)
      const body: Record<string, unknown> = envelopeBody(
        request,
        items.map((s) => store.bulkSyncs.view2025(s))
      )
      body.pagination = next === undefined ? {} : { next_page_token: next }
      reply.send(body)
    }
  )

  lifecycle.create()

  api.get<{ Querystring: { all?: string; active?: string; sync_id?: string | string[]; organization_id?: string } }>(
    '/bulk/syncs/status',
    {
      schema: {
        querystring: BulkStatusListQuery,
        response: { 200: BulkStatusListEnvelope, ...errorResponses(400, 401, 404, 422) }
      }
    },
    (request, reply) => {
      const caller = callerOf(request)
      const q = request.query
      const ids = q.sync_id === undefined ? [] : ([] as string[]).concat(q.sync_id)
      // all=true or active=true override sync_id (reference 6.4): the syncs of one organization (the
      // caller's, or the one named). Named syncs may be in any organization the caller reaches.
      const everySync = q.all === 'true' || q.active === 'true' || ids.length === 0
      const syncs = everySync
        ? store.bulkSyncs.list(
          store.access.organizationToActIn(caller, q.organization_id).id,
          q.active === 'true' ? true : undefined
        )
        : ids.map((id) => store.access.reachableBulkSync(caller, id, q.organization_id))
      reply.send(
        envelopeBody(
          request,
          syncs.map((s) => {
            const latest = store.executions.latest(s.id)
            const view = latest === undefined ? undefined : store.executions.bulkView(latest)
            const item: Record<string, unknown> = {
              sync_id: s.id,
              schemas: ((view?.schemas ?? []) as Array<Record<string, unknown>>).map((schema) => ({
                execution_id: latest?.id,
                ...schema
              }))
            }
            if (view !== undefined) item.status = view.status
            const next = nextExecution(s)
            if (next !== undefined) item.nextExecutionTime = next
            return item
          })
        )
      )
    }
  )

  lifecycle.read()
  lifecycle.replace()
  lifecycle.remove()
  lifecycle.activate()
  lifecycle.cancel()
  lifecycle.start()
  lifecycle.executions()
  lifecycle.execution()

  lifecycle.cancelExecution()
  lifecycle.consoleLog()

  // One schema's lines of a run's console log (2025-09-18): a schema the run does not cover is a 404.
  api.get<{ Params: { id: string; exec_id: string; schema_id: string }; Querystring: ConsoleQuery }>(
    '/bulk/syncs/:id/executions/:exec_id/schemas/:schema_id/consolelog',
    {
      ...inGeneration('2025-09-18'),
      schema: {
        params: SyncExecutionSchemaParams,
        querystring: ConsoleLogQuery,
        response: { 200: ConsoleLogEnvelope, ...errorResponses(400, 401, 404) }
      }
    },
    (request, reply) => {
      const execution = store.executions.require('bulk', sync(request).id, request.params.exec_id)
      const schemaId = request.params.schema_id
      if (!execution.plan.schemas.some((s) => s.schema === schemaId)) throw Errors.SchemaNotFound()
      const lines = store.executions.consoleLog(execution).filter((entry) => entry.payload.schema_id === schemaId)
      reply.send(envelopeBody(request, consolePage(lines, request.query)))
    }
  )

  lifecycle.status()

  // A run's log files: signed URLs the simulator serves itself (src/http/routes/files.ts).
  api.get<{ Params: { id: string; exec_id: string } }>(
    '/bulk/syncs/:id/executions/:exec_id/logs',
    { schema: { params: SyncExecutionParams, response: { 200: BulkLogsEnvelope, ...errorResponses(400, 401, 404) } } },
    (request, reply) => {
      const execution = store.executions.require('bulk', sync(request).id, request.params.exec_id)
      const { expires, urls } = store.runLogs.bulkUrls(originOf(request), execution)
      reply.send(envelopeBody(request, { Expires: expires, URLs: urls }))
    }
  )

  // The whole log as one file, by a job (exportlogs) done at the runner's next turn; notify=true tells the caller.
  api.post<{ Params: { id: string; exec_id: string }; Querystring: { notify?: string } }>(
    '/bulk/syncs/:id/executions/:exec_id/logs/export',
    {
      schema: {
        params: SyncExecutionParams,
        querystring: ExportLogsQuery,
        response: { 200: ExportLogsEnvelope, ...errorResponses(400, 401, 403, 404) }
      }
    },
    (request, reply) => {
      const caller = callerOf(request)
      const execution = store.executions.require('bulk', sync(request).id, request.params.exec_id)
      const url = store.runLogs.exportUrl(originOf(request), execution)
      const job = store.transaction(() => {
        if (request.query.notify === 'true') {
          store.notifications.notify(
            execution.organization_id,
            'logs_exported',
            'exported logs are ready',
            { execution_id: execution.id, sync_id: execution.sync_id, url },
            store.recipientsOf(caller, execution.organization_id)
          )
        }
        return store.jobs.start(execution.organization_id, 'exportlogs', { url })
      })
      // The URL comes as the job's result, once done (data stays empty until then, as the docs describe).
      reply.send({ ...envelopeBody(request, {}), job })
    }
  )

  // Additional schedules (camelCase wire keys, reference 6.5)

  api.get<{ Params: Id }>(
    '/bulk/syncs/:id/schedules',
    {
      schema: { params: SyncParams, response: { 200: BulkScheduleListEnvelope, ...errorResponses(400, 401, 404) } }
    },
    (request, reply) => {
      reply.send(
        envelopeBody(
          request,
          store.bulkSyncs.schedules(sync(request).id).map((s) => store.bulkSyncs.scheduleView(s))
        )
      )
    }
  )

  api.post<{ Params: Id; Body: { schedule: ScheduleApiInput } }>(
    '/bulk/syncs/:id/schedules',
    {
      schema: {
        params: SyncParams,
        body: BulkScheduleBody,
        response: { 200: BulkScheduleEnvelope, ...errorResponses(400, 401, 403, 404, 422) }
      }
    },
    (request, reply) => {
      const created = store.transaction(() =>
        store.bulkSyncs.addSchedule(sync(request).id, request.body.schedule, actor(request))
      )
      reply.send(envelopeBody(request, store.bulkSyncs.scheduleView(created)))
    }
  )

  api.get<{ Params: { id: string; schedule_id: string } }>(
    '/bulk/syncs/:id/schedules/:schedule_id',
    {
      schema: { params: SyncScheduleParams, response: { 200: BulkScheduleEnvelope, ...errorResponses(400, 401, 404) } }
    },
    (request, reply) => {
      reply.send(
        envelopeBody(
          request,
          store.bulkSyncs.scheduleView(store.bulkSyncs.schedule(sync(request).id, request.params.schedule_id))
        )
      )
    }
  )

  api.put<{ Params: { id: string; schedule_id: string }; Body: { schedule: ScheduleApiInput } }>(
    '/bulk/syncs/:id/schedules/:schedule_id',
    {
      schema: {
        params: SyncScheduleParams,
        body: BulkScheduleBody,
        response: { 200: BulkScheduleEnvelope, ...errorResponses(400, 401, 403, 404, 422) }
      }
    },
    (request, reply) => {
      const updated = store.transaction(() =>
        store.bulkSyncs.replaceSchedule(
          store.bulkSyncs.schedule(sync(request).id, request.params.schedule_id),
          request.body.schedule,
          actor(request)
        )
      )
      reply.send(envelopeBody(request, store.bulkSyncs.scheduleView(updated)))
    }
  )

  api.delete<{ Params: { id: string; schedule_id: string } }>(
    '/bulk/syncs/:id/schedules/:schedule_id',
    {
      schema: { params: SyncScheduleParams, response: { 200: { type: 'null' }, ...errorResponses(400, 401, 403, 404) } }
    },
    (request, reply) => {
      store.transaction(() =>
        store.bulkSyncs.deleteSchedule(store.bulkSyncs.schedule(sync(request).id, request.params.schedule_id))
      )
      reply.code(200).send()
    }
  )

  // Schemas (reference 6.6)

  // The list: BulkSchema items before 2025-09-18, BulkSchemaListItem (no fields, no filters) from it.
  for (const [generation, envelope, item] of [
    [undefined, BulkSchemaListEnvelope, (s: StoredSchema) => store.bulkSyncs.schemaView(s)],
    ['2025-09-18', BulkSchemaListEnvelope2025, (s: StoredSchema) => store.bulkSyncs.schemaListItem(s)]
  ] as const) {
    api.get<{ Params: Id; Querystring: { filters?: string } }>(
      '/bulk/syncs/:id/schemas',
      {
        ...(generation === undefined ? {} : inGeneration(generation)),
        schema: {
          params: SyncParams,
          querystring: SchemaListQuery,
          response: { 200: envelope, ...errorResponses(400, 401, 404, 422) }
        }
      },
      (request, reply) => {
        const schemas = store.bulkSyncs.filterSchemas(store.bulkSyncs.schemas(sync(request).id), request.query.filters)
        reply.send(envelopeBody(request, schemas.map(item)))
      }
    )
  }

  api.patch<{ Params: Id; Body: PatchBulkSchemasInput }>(
    '/bulk/syncs/:id/schemas',
    {
      schema: {
        params: SyncParams,
        body: PatchBulkSchemasBody,
        response: { 200: BulkSchemaListEnvelope, ...errorResponses(400, 401, 403, 404, 422) }
      }
    },
    (request, reply) => {
      const schemas = store.transaction(() =>
        store.bulkSyncs.patchSchemas(sync(request), request.body.schemas ?? [])
      )
      reply.send(
        envelopeBody(
          request,
          schemas.map((s) => store.bulkSyncs.schemaView(s))
        )
      )
    }
  )

  api.get<{ Params: { id: string; schema_id: string } }>(
    '/bulk/syncs/:id/schemas/:schema_id',
    {
      schema: { params: SyncSchemaParams, response: { 200: BulkSchemaEnvelope, ...errorResponses(400, 401, 404) } }
    },
    (request, reply) => {
      reply.send(
        envelopeBody(
          request,
          store.bulkSyncs.schemaView(store.bulkSyncs.schema(sync(request).id, request.params.schema_id))
        )
      )
    }
  )

  // One schema of the run under way stops; the run goes on with the others.
  api.post<{ Params: { id: string; schema_id: string } }>(
    '/bulk/syncs/:id/schemas/:schema_id/cancel',
    {
      schema: { params: SyncSchemaParams, response: { 200: MessageEnvelope, ...errorResponses(400, 401, 403, 404) } }
    },
    (request, reply) => {
      const message = store.transaction(() => {
        const bulkSync = sync(request)
        const schema = store.bulkSyncs.schema(bulkSync.id, request.params.schema_id)
        return store.executions.cancelSchema(bulkSync.id, schema.id)
      })
      reply.send(envelopeBody(request, { message }))
    }
  )

  api.put<{ Params: { id: string; schema_id: string }; Body: UpdateBulkSchemaInput }>(
    '/bulk/syncs/:id/schemas/:schema_id',
    {
      schema: {
        params: SyncSchemaParams,
        body: UpdateBulkSchemaBody,
        response: { 200: BulkSchemaEnvelope, ...errorResponses(400, 401, 403, 404, 422) }
      }
    },
    (request, reply) => {
      const updated = store.transaction(() =>
        store.bulkSyncs.updateSchema(sync(request).id, request.params.schema_id, request.body)
      )
      reply.send(envelopeBody(request, store.bulkSyncs.schemaView(updated)))
    }
  )
}
