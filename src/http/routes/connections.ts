import type { FastifyInstance, FastifyRequest } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { envelopeBody, onlyInGeneration } from '../plugins/version.js'
import { IdParams, errorResponses } from '../schemas/common.js'
import {
  ProxyBody,
  ProxyEnvelope,
  ProxyInfoEnvelope,
  ConnectBody,
  ConnectEnvelope,
  ConnectionEnvelope,
  ConnectionListEnvelope,
  ConnectionListQuery,
  ConnectionTypeListEnvelope,
  ConnectionTypeSchemaResponse,
  CreateConnectionBody,
  DeleteConnectionQuery,
  OrganizationConnectionParams,
  ParameterValuesBody,
  ParameterValuesEnvelope,
  SavedConnectionEnvelope,
  ShareBody,
  SharedIdEnvelope,
  TestConnectionBody,
  TypeParams,
  UpdateConnectionBody,
  type ConnectInput,
  type CreateConnectionInput,
  type ParameterValuesInput,
  type ShareInput,
  type TestConnectionInput,
  type UpdateConnectionInput
} from '../schemas/connections.js'
import { parameterValues, publicSchema } from '../../store/connections/connection-types.js'
import type { StoredConnection } from '../../store/connections/connections.js'
import type { ProxyCall } from '../../store/connections/proxy.js'

export interface ConnectionRouteOptions {
  /** How long a Connect token stays usable, in seconds. */
  connectTokenTtlS: number
}

/** Where the hosted Connect page is served: this server, as the caller reached it. */
function connectPageUrl (request: FastifyRequest, token: string): string {
  return `${request.protocol}://${request.host}/connect/${token}`
}

/**
 * /api/connection_types* and /api/connections*: connection types, connections, Connect and sharing
 * (partner-surface reference 2, 3).
 */
export default async function connectionRoutes (api: FastifyInstance, options: ConnectionRouteOptions): Promise<void> {
  const { store } = api

  api.get(
    '/connection_types',
    {
      schema: { response: { 200: ConnectionTypeListEnvelope, ...errorResponses(400, 401) } }
    },
    (request, reply) => {
      reply.send(envelopeBody(request, store.connectionTypes.publicList()))
    }
  )

  api.get<{ Params: { id: string } }>(
    '/connection_types/:id',
    {
      schema: { params: IdParams, response: { 200: ConnectionTypeSchemaResponse, ...errorResponses(400, 401, 404) } }
    },
    (request, reply) => {
      // A bare JSON Schema, in every version: the one response without an envelope (reference 2.2).
      reply.send(publicSchema(store.connectionTypes.get(request.params.id)))
    }
  )

  api.post<{ Params: { type: string }; Body: ParameterValuesInput }>(
    '/connection_types/:type/parameter_values',
    {
      schema: {
        params: TypeParams,
        body: ParameterValuesBody,
        response: { 200: ParameterValuesEnvelope, ...errorResponses(400, 401, 404, 422) }
      }
    },
    (request, reply) => {
      const entry = store.connectionTypes.get(request.params.type)
      if (request.body.connection_id !== undefined) {
        store.access.reachableConnection(callerOf(request), request.body.connection_id)
      }
      reply.send(envelopeBody(request, parameterValues(entry, request.body.field, request.body.query)))
    }
  )

  api.get<{ Querystring: { organization_id?: string } }>(
    '/connections',
    {
      schema: {
        querystring: ConnectionListQuery,
        response: { 200: ConnectionListEnvelope, ...errorResponses(400, 401, 404) }
      }
    },
    (request, reply) => {
      const organization = store.access.organizationToActIn(callerOf(request), request.query.organization_id)
      reply.send(
        envelopeBody(
          request,
          store.connections.list(organization.id).map((c) => store.connections.view(c))
        )
      )
    }
  )

  api.post<{ Body: CreateConnectionInput }>(
    '/connections',
    {
      schema: {
        body: CreateConnectionBody,
        response: { 200: SavedConnectionEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) }
      }
    },
    (request, reply) => {
      const caller = callerOf(request)
      const organization = store.access.organizationToActIn(caller, request.body.organization_id)
      const created = store.transaction(() =>
        store.connections.create(organization.id, request.body, store.actorOf(caller))
      )
      reply.send(envelopeBody(request, store.connections.savedView(created)))
    }
  )

  api.post<{ Body: TestConnectionInput }>(
    '/connections/test',
    {
      schema: { body: TestConnectionBody, response: { 200: { type: 'null' }, ...errorResponses(400, 401, 404, 422) } }
    },
    (request, reply) => {
      const caller = callerOf(request)
      const base =
        request.body.connection_id === undefined
          ? undefined
          : store.access.reachableConnection(caller, request.body.connection_id, request.body.organization_id)
      store.connections.test(request.body.type, request.body.configuration, base)
      reply.code(200).send()
    }
  )

  for (const url of ['/connections/connect', '/connections/connect/']) {
    api.post<{ Body: ConnectInput }>(
      url,
      {
        schema: {
          body: ConnectBody,
          response: { 200: ConnectEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) }
        }
      },
      (request, reply) => {
        const caller = callerOf(request)
        const organization = store.access.organizationToActIn(caller, request.body.organization_id)
        const existing =
          request.body.connection === undefined
            ? undefined
            : store.access.reachableConnection(caller, request.body.connection, organization.id)
        const token = store.transaction(() =>
          store.connect.start(organization.id, request.body, existing, store.actorOf(caller), options.connectTokenTtlS)
        )
        reply.send(envelopeBody(request, { redirect_url: connectPageUrl(request, token), token }))
      }
    )
  }

  api.get<{ Params: { id: string } }>(
    '/connections/:id',
    {
      schema: { params: IdParams, response: { 200: ConnectionEnvelope, ...errorResponses(400, 401, 404) } }
    },
    (request, reply) => {
      reply.send(
        envelopeBody(
          request,
          store.connections.view(store.access.reachableConnection(callerOf(request), request.params.id))
        )
      )
    }
  )

  api.put<{ Params: { id: string }; Body: UpdateConnectionInput }>(
    '/connections/:id',
    {
      schema: {
        params: IdParams,
        body: UpdateConnectionBody,
        response: { 200: SavedConnectionEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) }
      }
    },
    (request, reply) => {
      const caller = callerOf(request)
      const updated = store.transaction(() => {
        const existing = store.access.reachableConnection(caller, request.params.id, request.body.organization_id)
        return store.connections.replace(existing, request.body, store.actorOf(caller))
      })
      reply.send(envelopeBody(request, store.connections.savedView(updated)))
    }
  )

  api.delete<{ Params: { id: string }; Querystring: { force?: 'true' | 'false'; organization_id?: string } }>(
    '/connections/:id',
    {
      schema: {
        params: IdParams,
        querystring: DeleteConnectionQuery,
        response: { 200: { type: 'null' }, ...errorResponses(400, 401, 403, 404, 422) }
      }
    },
    (request, reply) => {
      store.transaction(() => {
        const connection = store.access.reachableConnection(
          callerOf(request),
          request.params.id,
          request.query.organization_id
        )
        store.connections.delete(connection, request.query.force === 'true')
      })
      reply.code(200).send()
    }
  )

  api.get<{ Params: { id: string } }>(
    '/connections/:id/parameter_values',
    {
      schema: { params: IdParams, response: { 200: ParameterValuesEnvelope, ...errorResponses(400, 401, 404) } }
    },
    (request, reply) => {
      const connection = store.access.reachableConnection(callerOf(request), request.params.id)
      reply.send(envelopeBody(request, parameterValues(store.connectionTypes.require(connection.type))))
    }
  )

  const share = (request: FastifyRequest, parent: StoredConnection, input: ShareInput): { id: string } => {
    const caller = callerOf(request)
    const child = store.access.reachableOrganization(caller, input.child_organization_id)
    return {
      id: store.transaction(() => store.connections.share(parent, child.id, input.name, store.actorOf(caller))).id
    }
  }
  const sharedCopies = (parent: StoredConnection): unknown[] =>
    store.connections.sharedCopies(parent.id).map((c) => store.connections.view(c))

  api.post<{ Params: { id: string }; Body: ShareInput }>(
    '/connections/:id/share',
    {
      schema: {
        params: IdParams,
        body: ShareBody,
        response: { 200: SharedIdEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) }
      }
    },
    (request, reply) => {
      reply.send(
        envelopeBody(
          request,
          share(request, store.access.sharedParent(callerOf(request), request.params.id), request.body)
        )
      )
    }
  )

  api.get<{ Params: { id: string } }>(
    '/connections/:id/shared',
    {
      schema: { params: IdParams, response: { 200: ConnectionListEnvelope, ...errorResponses(400, 401, 403, 404) } }
    },
    (request, reply) => {
      reply.send(envelopeBody(request, sharedCopies(store.access.sharedParent(callerOf(request), request.params.id))))
    }
  )

  // 2025-09-18 moved sharing under the owning organization (reference 3.7); a 404 route before.
  await api.register(async (scoped) => {
    onlyInGeneration(scoped, '2025-09-18')
    type Params = { org_id: string; connection_id: string }
    scoped.post<{ Params: Params; Body: ShareInput }>(
      '/organizations/:org_id/connections/:connection_id/shared',
      {
        schema: {
          params: OrganizationConnectionParams,
          body: ShareBody,
          response: { 200: SharedIdEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) }
        }
      },
      (request, reply) => {
        const parent = store.access.organizationConnection(
          callerOf(request),
          request.params.org_id,
          request.params.connection_id
        )
        reply.send(envelopeBody(request, share(request, parent, request.body)))
      }
    )
    scoped.get<{ Params: Params }>(
      '/organizations/:org_id/connections/:connection_id/shared',
      {
        schema: {
          params: OrganizationConnectionParams,
          response: { 200: ConnectionListEnvelope, ...errorResponses(400, 401, 403, 404) }
        }
      },
      (request, reply) => {
        reply.send(
          envelopeBody(
            request,
            sharedCopies(
              store.access.organizationConnection(
                callerOf(request),
                request.params.org_id,
                request.params.connection_id
              )
            )
          )
        )
      }
    )

    // The connection proxy (reference 3.10): a request sent to the connection's own API with its stored auth.
    scoped.post<{ Params: { id: string }; Body: { request: ProxyCall } }>(
      '/connections/:id/proxy',
      {
        schema: {
          params: IdParams,
          body: ProxyBody,
          response: { 200: ProxyEnvelope, ...errorResponses(400, 401, 403, 404, 429, 502, 503, 504) }
        }
      },
      async (request, reply) => {
        const connection = store.access.reachableConnection(callerOf(request), request.params.id)
        reply.send(envelopeBody(request, await store.proxy.execute(connection, request.body.request)))
      }
    )

    scoped.get<{ Params: { id: string } }>(
      '/connections/:id/proxy/info',
      { schema: { params: IdParams, response: { 200: ProxyInfoEnvelope, ...errorResponses(400, 401, 403, 404) } } },
      (request, reply) => {
        const connection = store.access.reachableConnection(callerOf(request), request.params.id)
        reply.send(envelopeBody(request, store.proxy.info(connection)))
      }
    )
  })
}
