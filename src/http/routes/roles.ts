import type { FastifyInstance } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { envelopeBody } from '../plugins/version.js'
import { IdParams, errorResponses } from '../schemas/common.js'
import type { Infer } from '../schemas/infer.js'
import { RoleBody, RoleEnvelope, RoleListEnvelope, RoleListQuery } from '../schemas/roles.js'

type RoleInput = Infer<typeof RoleBody>

/** /api/permissions/roles*: the caller's organization's roles (reference 4). */
export default async function roleRoutes (api: FastifyInstance): Promise<void> {
  const { store } = api

  api.get<{ Querystring: { organization_id?: string } }>(
    '/permissions/roles',
    {
      config: { cacheable: true },
      schema: { querystring: RoleListQuery, response: { 200: RoleListEnvelope, ...errorResponses(400, 401, 404) } }
    },
    (request, reply) => {
      const organization = store.access.organizationForRoles(callerOf(request), request.query.organization_id)
      reply.send(envelopeBody(request, store.roles.list(organization.id)))
    }
  )

  api.post<{ Body: RoleInput }>(
    '/permissions/roles',
    {
      schema: { body: RoleBody, response: { 200: RoleEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) } }
    },
    (request, reply) => {
      const organization = store.access.organizationForNewRole(callerOf(request), request.body.organization_id)
      reply.send(
        envelopeBody(
          request,
          store.transaction(() => store.roles.create(organization.id, request.body))
        )
      )
    }
  )

  api.get<{ Params: { id: string } }>(
    '/permissions/roles/:id',
    {
      config: { cacheable: true },
      schema: { params: IdParams, response: { 200: RoleEnvelope, ...errorResponses(400, 401, 404) } }
    },
    (request, reply) => {
      reply.send(envelopeBody(request, store.access.reachableRole(callerOf(request), request.params.id)))
    }
  )

  for (const method of ['PUT', 'PATCH'] as const) {
    api.route<{ Params: { id: string }; Body: RoleInput }>({
      method,
      url: '/permissions/roles/:id',
      schema: {
        params: IdParams,
        body: RoleBody,
        response: { 200: RoleEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) }
      },
      handler: (request, reply) => {
        const role = store.access.roleToChange(callerOf(request), request.params.id, request.body.organization_id)
        reply.send(
          envelopeBody(
            request,
            store.transaction(() => store.roles.updateName(role, request.body))
          )
        )
      }
    })
  }

  api.delete<{ Params: { id: string } }>(
    '/permissions/roles/:id',
    {
      schema: { params: IdParams, response: { 200: { type: 'null' }, ...errorResponses(400, 401, 403, 404) } }
    },
    (request, reply) => {
      const role = store.access.roleToChange(callerOf(request), request.params.id)
      store.transaction(() => store.roles.delete(role))
      reply.code(200).send()
    }
  )
}
