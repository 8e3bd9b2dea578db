import type { FastifyInstance } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { envelope } from '../plugins/version.js'
import { Errors } from '../errors.js'
import { IdParams, errorResponses } from '../schemas/common.js'
import { RoleBody, RoleEnvelope, RoleListEnvelope, RoleListQuery } from '../schemas/roles.js'

interface RoleInput { name?: string, organization_id?: string }

/** /api/permissions/roles*: the caller's organization's roles (reference 4). */
export default async function roleRoutes (api: FastifyInstance): Promise<void> {
  const { store } = api

  api.get<{ Querystring: { organization_id?: string } }>('/permissions/roles', {
    schema: { querystring: RoleListQuery, response: { 200: RoleListEnvelope, ...errorResponses(400, 401, 404) } }
  }, (request, reply) => {
    const organization = store.access.organizationForRoles(callerOf(request), request.query.organization_id)
    reply.send(envelope(request, store.roles.list(organization.id)))
  })

  api.post<{ Body: RoleInput }>('/permissions/roles', {
    schema: { body: RoleBody, response: { 200: RoleEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) } }
  }, (request, reply) => {
    const caller = callerOf(request)
    const organization = store.access.organizationForRoles(caller, request.body.organization_id)
    store.access.requireAdmin(caller)
    reply.send(envelope(request, store.transaction(() => store.roles.create(organization.id, request.body))))
  })

  api.get<{ Params: { id: string } }>('/permissions/roles/:id', {
    schema: { params: IdParams, response: { 200: RoleEnvelope, ...errorResponses(400, 401, 404) } }
  }, (request, reply) => {
    reply.send(envelope(request, store.access.reachableRole(callerOf(request), request.params.id)))
  })

  for (const method of ['PUT', 'PATCH'] as const) {
    api.route<{ Params: { id: string }, Body: RoleInput }>({
      method,
      url: '/permissions/roles/:id',
      schema: { params: IdParams, body: RoleBody, response: { 200: RoleEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) } },
      handler: (request, reply) => {
        const caller = callerOf(request)
        const role = store.access.reachableRole(caller, request.params.id)
        // Roles do not move between organizations: another organization_id does not hold this role.
        if (request.body.organization_id !== undefined && request.body.organization_id.toLowerCase() !== role.organization_id) throw Errors.RoleNotFound()
        store.access.requireAdmin(caller)
        reply.send(envelope(request, store.transaction(() => store.roles.updateName(role, request.body))))
      }
    })
  }

  api.delete<{ Params: { id: string } }>('/permissions/roles/:id', {
    schema: { params: IdParams, response: { 200: { type: 'null' }, ...errorResponses(400, 401, 403, 404) } }
  }, (request, reply) => {
    const caller = callerOf(request)
    const role = store.access.reachableRole(caller, request.params.id)
    store.access.requireAdmin(caller)
    store.transaction(() => store.roles.delete(role))
    reply.code(200).send()
  })
}
