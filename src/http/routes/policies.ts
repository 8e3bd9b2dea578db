import type { FastifyInstance } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { envelopeBody } from '../plugins/version.js'
import { IdParams, errorResponses } from '../schemas/common.js'
import type { Infer } from '../schemas/infer.js'
import { PolicyBody, PolicyEnvelope, PolicyListEnvelope, RoleListQuery } from '../schemas/roles.js'

type PolicyInput = Infer<typeof PolicyBody>

/**
 * /api/permissions/policies*: the caller's organization's permission policies, reached as roles are; an admin
 * creates, changes and deletes them (src/store/identity/policies.ts holds the rules).
 */
export default async function policyRoutes (api: FastifyInstance): Promise<void> {
  const { store } = api
  const roleExists = (roleId: string, organizationId: string): boolean =>
    store.roles.find(roleId)?.organization_id === organizationId

  api.get<{ Querystring: { organization_id?: string } }>(
    '/permissions/policies',
    {
      config: { cacheable: true },
      schema: { querystring: RoleListQuery, response: { 200: PolicyListEnvelope, ...errorResponses(400, 401, 404) } }
    },
    (request, reply) => {
      const organization = store.access.organizationToConfigure(callerOf(request), request.query.organization_id)
      reply.send(envelopeBody(request, store.policies.list(organization.id)))
    }
  )

  api.post<{ Body: PolicyInput }>(
    '/permissions/policies',
    {
      schema: { body: PolicyBody, response: { 200: PolicyEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) } }
    },
    (request, reply) => {
      const caller = callerOf(request)
      const organization = store.access.organizationToConfigure(caller, request.body.organization_id, true)
      const created = store.transaction(() => store.policies.create(organization.id, request.body, roleExists))
      reply.send(envelopeBody(request, created))
    }
  )

  api.get<{ Params: { id: string } }>(
    '/permissions/policies/:id',
    {
      config: { cacheable: true },
      schema: { params: IdParams, response: { 200: PolicyEnvelope, ...errorResponses(400, 401, 404) } }
    },
    (request, reply) => {
      reply.send(envelopeBody(request, store.access.reachablePolicy(callerOf(request), request.params.id)))
    }
  )

  api.put<{ Params: { id: string }; Body: PolicyInput }>(
    '/permissions/policies/:id',
    {
      schema: {
        params: IdParams,
        body: PolicyBody,
        response: { 200: PolicyEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) }
      }
    },
    (request, reply) => {
      const caller = callerOf(request)
      const policy = store.access.reachablePolicy(caller, request.params.id, true, request.body.organization_id)
      const replaced = store.transaction(() => store.policies.replace(policy, request.body, roleExists))
      reply.send(envelopeBody(request, replaced))
    }
  )

  api.delete<{ Params: { id: string } }>(
    '/permissions/policies/:id',
    {
      schema: { params: IdParams, response: { 200: { type: 'null' }, ...errorResponses(400, 401, 403, 404) } }
    },
    (request, reply) => {
      const policy = store.access.reachablePolicy(callerOf(request), request.params.id, true)
      store.transaction(() => store.policies.delete(policy))
      reply.code(200).send()
    }
  )
}
