import type { FastifyInstance, FastifyRequest } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { envelopeBody, inGeneration } from '../plugins/version.js'
import type { Generation } from '../../core/versions.js'
import { errorResponses } from '../schemas/common.js'
import {
  ActivateBody,
  ActivateEnvelope,
  ConsoleLogEnvelope,
  ConsoleLogQuery,
  MessageEnvelope,
  SyncExecutionParams,
  SyncParams
} from '../schemas/syncs.js'
import { consolePage, type ConsoleQuery } from '../../store/syncs/console-log.js'
import type { StoredExecution, SyncFacts, StartRequest, SyncKind } from '../../store/syncs/executions.js'
import type { Caller } from '../../store/index.js'
import type { StoredBulkSync } from '../../store/syncs/bulk-syncs.js'
import type { StoredModelSync } from '../../store/syncs/model-syncs.js'
import type { Actor } from '../../store/connections/connections.js'

type Id = { id: string }
type ExecutionParams = { id: string; exec_id: string }

/** A run list's query as each kind names it: which runs, how many, from where, in which order. */
export interface ExecutionListOptions {
  ascending: boolean
  only?: 'completed' | 'terminal'
  limit: number
  page_token?: string
}

/** What the routes of one kind of sync need from it: its store, its schemas, its views. */
export interface SyncKindRoutes<S extends StoredBulkSync | StoredModelSync, Input, Start> {
  kind: SyncKind
  /** '/bulk/syncs' or '/syncs'. */
  path: string
  repository: {
    create: (organizationId: string, input: Input, actor: Actor) => S
    replace: (existing: S, input: Input, actor: Actor) => S
    setActive: (existing: S, active: boolean, actor: Actor) => S
    delete: (existing: S) => void
    view: (sync: S) => Record<string, unknown>
    facts: (sync: S) => SyncFacts
  }
  reach: (caller: Caller, id: string, organizationId?: string | null) => S
  startRequest: (sync: S, body: Start | null | undefined) => StartRequest
  /** A run as the kind answers it; `started` for the answer to a start. */
  executionView: (execution: StoredExecution) => Record<string, unknown>
  startedView: (execution: StoredExecution) => Record<string, unknown>
  listOptions: (query: Record<string, string | undefined>) => ExecutionListOptions
  schemas: {
    create: object
    replace: object
    start: object
    sync: object
    started: object
    execution: object
    executionList: object
    executionListQuery: object
    status: object
    /** The querystring a kind's GET and DELETE of one sync declare (a bulk sync's refresh_schemas), if any. */
    itemQuery?: object
  }
  /** Checks a create or PUT body before its schema does: a 422 that teaches, for the shape of another version. */
  checkBody?: (body: unknown) => void
  /**
   * The generations with shapes of their own for this kind's syncs: the routes that take or answer a sync
   * (create, read, PUT, start) are registered again for each, beside the ones every other version shares.
   */
  generations?: ReadonlyArray<SyncShapes<S>>
}

/** One generation's shapes of a kind's syncs; without a generation, the shapes every version shares. */
export interface SyncShapes<S> {
  generation?: Generation
  view: (sync: S) => Record<string, unknown>
  checkBody?: (body: unknown) => void
  /** Checks a start body before its schema does. */
  checkStart?: (body: unknown) => void
  /** start: only where a generation's start body differs. */
  schemas: { create: object; replace: object; start?: object; sync: object }
}

/**
 * The routes both kinds of sync share, over one kind's store and schemas: each registers one
 * route. A kind's route file calls them in the order its routes are listed (the OpenAPI document
 * keeps that order) between the routes only it has.
 */
export function syncRoutes<
  S extends StoredBulkSync | StoredModelSync,
  Input extends { organization_id?: string | null },
  Start
> (api: FastifyInstance, k: SyncKindRoutes<S, Input, Start>) {
  const { store } = api
  const { schemas } = k
  const syncOf = (request: FastifyRequest, organizationId?: string | null): S =>
    k.reach(callerOf(request), (request.params as Id).id, organizationId)
  const actor = (request: FastifyRequest): Actor => store.actorOf(callerOf(request))
  const itemQuery = schemas.itemQuery === undefined ? {} : { querystring: schemas.itemQuery }
  const one = `${k.path}/:id`
  /** The shapes every version shares, then each generation's own: a route taking or answering a sync per shape. */
  const shapes: Array<SyncShapes<S>> = [
    { view: (sync) => k.repository.view(sync), checkBody: k.checkBody, schemas },
    ...(k.generations ?? [])
  ]
  const routeOptions = (shape: { generation?: Generation; checkBody?: (body: unknown) => void }) => ({
    ...(shape.generation === undefined ? {} : inGeneration(shape.generation)),
    ...(shape.checkBody === undefined
      ? {}
      : {
          preValidation: (request: FastifyRequest, _reply: unknown, done: (err?: Error) => void) => {
            try {
              shape.checkBody?.(request.body)
              done()
            } catch (err) {
              done(err as Error)
            }
          }
        })
  })

  return {
    create (): void {
      for (const shape of shapes) {
        api.post(
          k.path,
          {
            ...routeOptions(shape),
            schema: {
              body: shape.schemas.create,
              response: { 200: shape.schemas.sync, ...errorResponses(400, 401, 403, 404, 422) }
            }
          },
          (request, reply) => {
            const body = request.body as Input
            const organization = store.access.organizationToActIn(callerOf(request), body.organization_id)
            const created = store.transaction(() => k.repository.create(organization.id, body, actor(request)))
            reply.send(envelopeBody(request, shape.view(created)))
          }
        )
      }
    },

    read (): void {
      for (const shape of shapes) {
        api.get<{ Params: Id }>(
          one,
          {
            ...routeOptions({ generation: shape.generation }),
            schema: {
              params: SyncParams,
              ...itemQuery,
              response: { 200: shape.schemas.sync, ...errorResponses(400, 401, 404) }
            }
          },
          (request, reply) => {
            reply.send(envelopeBody(request, shape.view(syncOf(request))))
          }
        )
      }
    },

    replace (): void {
      for (const shape of shapes) {
        api.put(
          one,
          {
            ...routeOptions(shape),
            schema: {
              params: SyncParams,
              body: shape.schemas.replace,
              response: { 200: shape.schemas.sync, ...errorResponses(400, 401, 403, 404, 422) }
            }
          },
          (request, reply) => {
            const body = request.body as Input
            const updated = store.transaction(() =>
              k.repository.replace(syncOf(request, body.organization_id), body, actor(request))
            )
            reply.send(envelopeBody(request, shape.view(updated)))
          }
        )
      }
    },

    remove (): void {
      api.delete<{ Params: Id }>(
        one,
        {
          schema: {
            params: SyncParams,
            ...itemQuery,
            response: { 200: { type: 'null' }, ...errorResponses(400, 401, 403, 404) }
          }
        },
        (request, reply) => {
          store.transaction(() => k.repository.delete(syncOf(request)))
          reply.code(200).send()
        }
      )
    },

    activate (): void {
      api.post<{ Params: Id; Body: { active: boolean } }>(
        `${one}/activate`,
        {
          schema: {
            params: SyncParams,
            body: ActivateBody,
            response: { 200: ActivateEnvelope, ...errorResponses(400, 401, 403, 404, 422) }
          }
        },
        (request, reply) => {
          const updated = store.transaction(() =>
            k.repository.setActive(syncOf(request), request.body.active, actor(request))
          )
          reply.send(envelopeBody(request, { id: updated.id, active: updated.active }))
        }
      )
    },

    cancel (): void {
      api.post<{ Params: Id }>(
        `${one}/cancel`,
        {
          schema: { params: SyncParams, response: { 200: MessageEnvelope, ...errorResponses(400, 401, 403, 404) } }
        },
        (request, reply) => {
          reply.send(
            envelopeBody(request, {
              message: store.transaction(() => store.executions.cancelActive(syncOf(request).id))
            })
          )
        }
      )
    },

    start (): void {
      for (const shape of shapes) {
        if (shape.schemas.start === undefined) continue
        api.post(
          `${one}/executions`,
          {
            ...routeOptions({ generation: shape.generation, checkBody: shape.checkStart }),
            schema: {
              params: SyncParams,
              body: shape.schemas.start,
              response: { 200: schemas.started, ...errorResponses(400, 401, 403, 404, 409, 422) }
            }
          },
          (request, reply) => {
            const execution = store.transaction(() => {
              const sync = syncOf(request)
              const asked = k.startRequest(sync, request.body as Start | null)
              return store.executions.start(k.repository.facts(sync), asked)
            })
            reply.send(envelopeBody(request, k.startedView(execution)))
          }
        )
      }
    },

    executions (): void {
      api.get<{ Params: Id; Querystring: Record<string, string | undefined> }>(
        `${one}/executions`,
        {
          schema: {
            params: SyncParams,
            querystring: schemas.executionListQuery,
            response: { 200: schemas.executionList, ...errorResponses(400, 401, 404, 422) }
          }
        },
        (request, reply) => {
          const page = store.executions.list(k.kind, syncOf(request).id, k.listOptions(request.query))
          const body: Record<string, unknown> = envelopeBody(
            request,
            page.executions.map((e) => k.executionView(e))
          )
          body.pagination = page.next_page_token === undefined ? {} : { next_page_token: page.next_page_token }
          reply.send(body)
        }
      )
    },

    execution (): void {
      api.get<{ Params: ExecutionParams }>(
        `${one}/executions/:exec_id`,
        {
          schema: {
            params: SyncExecutionParams,
            response: { 200: schemas.execution, ...errorResponses(400, 401, 404) }
          }
        },
        (request, reply) => {
          reply.send(
            envelopeBody(
              request,
              k.executionView(store.executions.require(k.kind, syncOf(request).id, request.params.exec_id))
            )
          )
        }
      )
    },

    /** POST .../executions/:exec_id/cancel: one run asked to stop (a model sync's: new in 2025-09-18). */
    cancelExecution (generation?: Generation): void {
      api.post<{ Params: ExecutionParams }>(
        `${one}/executions/:exec_id/cancel`,
        {
          ...routeOptions({ generation }),
          schema: {
            params: SyncExecutionParams,
            response: { 200: MessageEnvelope, ...errorResponses(400, 401, 403, 404, 409) }
          }
        },
        (request, reply) => {
          const execution = store.transaction(() =>
            store.executions.cancel(store.executions.require(k.kind, syncOf(request).id, request.params.exec_id))
          )
          reply.send(envelopeBody(request, { message: `cancellation of execution ${execution.id} requested` }))
        }
      )
    },

    /** GET .../executions/:exec_id/consolelog (2025-09-18): the run's console log, tailed or after a cursor. */
    consoleLog (): void {
      api.get<{ Params: ExecutionParams; Querystring: ConsoleQuery }>(
        `${one}/executions/:exec_id/consolelog`,
        {
          ...inGeneration('2025-09-18'),
          schema: {
            params: SyncExecutionParams,
            querystring: ConsoleLogQuery,
            response: { 200: ConsoleLogEnvelope, ...errorResponses(400, 401, 404) }
          }
        },
        (request, reply) => {
          const execution = store.executions.require(k.kind, syncOf(request).id, request.params.exec_id)
          reply.send(envelopeBody(request, consolePage(store.executions.consoleLog(execution), request.query)))
        }
      )
    },

    status (): void {
      api.get<{ Params: Id }>(
        `${one}/status`,
        {
          schema: { params: SyncParams, response: { 200: schemas.status, ...errorResponses(400, 401, 404) } }
        },
        (request, reply) => {
          const sync = syncOf(request)
          const status: Record<string, unknown> = store.executions.status(sync.id)
          const next = store.scheduler.nextExecution(sync, k.kind, store.clock.now())
          if (next !== undefined) status.next_execution_time = next
          reply.send(envelopeBody(request, status))
        }
      )
    }
  }
}
