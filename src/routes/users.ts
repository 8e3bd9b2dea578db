import type { FastifyInstance, FastifyRequest } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { envelope, versionOf } from '../plugins/version.js'
import { OrganizationIdParams, OrganizationUserParams, errorResponses } from '../schemas/common.js'
import { ApiKeyEnvelope, ApiKeyQuery, CreateUserBody, PatchUserBody, UpdateUserBody, UserEnvelope, UserListEnvelope } from '../schemas/users.js'
import type { OrganizationRecord } from '../store/index.js'
import type { UserInput } from '../store/users.js'

interface OrgParams { org_id: string }
interface UserParams { org_id: string, id: string }

/** /api/organizations/:org_id/users*: the partner user endpoints (reference 1). */
export default async function userRoutes (api: FastifyInstance): Promise<void> {
  const { store } = api
  const organizationFor = (request: FastifyRequest, orgId: string): OrganizationRecord =>
    store.access.organizationForUserManagement(callerOf(request), orgId, versionOf(request))

  api.get<{ Params: OrgParams }>('/organizations/:org_id/users', {
    schema: { params: OrganizationIdParams, response: { 200: UserListEnvelope, ...errorResponses(401, 403, 404) } }
  }, (request, reply) => {
    const organization = organizationFor(request, request.params.org_id)
    reply.send(envelope(request, store.users.list(organization.id)))
  })

  api.post<{ Params: OrgParams, Body: UserInput }>('/organizations/:org_id/users', {
    schema: { params: OrganizationIdParams, body: CreateUserBody, response: { 200: UserEnvelope, ...errorResponses(401, 403, 404, 422) } }
  }, (request, reply) => {
    const organization = organizationFor(request, request.params.org_id)
    reply.send(envelope(request, store.transaction(() => store.users.create(organization.id, request.body))))
  })

  api.get<{ Params: UserParams }>('/organizations/:org_id/users/:id', {
    schema: { params: OrganizationUserParams, response: { 200: UserEnvelope, ...errorResponses(401, 403, 404) } }
  }, (request, reply) => {
    const organization = organizationFor(request, request.params.org_id)
    reply.send(envelope(request, store.users.find(organization.id, request.params.id)))
  })

  for (const [method, body, mode] of [['PUT', UpdateUserBody, 'replace'], ['PATCH', PatchUserBody, 'merge']] as const) {
    api.route<{ Params: UserParams, Body: UserInput }>({
      method,
      url: '/organizations/:org_id/users/:id',
      schema: { params: OrganizationUserParams, body, response: { 200: UserEnvelope, ...errorResponses(401, 403, 404, 422) } },
      handler: (request, reply) => {
        const organization = organizationFor(request, request.params.org_id)
        const updated = store.transaction(() => store.users.update(store.users.find(organization.id, request.params.id), request.body, mode))
        reply.send(envelope(request, updated))
      }
    })
  }

  api.delete<{ Params: UserParams }>('/organizations/:org_id/users/:id', {
    schema: { params: OrganizationUserParams, response: { 200: UserEnvelope, ...errorResponses(401, 403, 404) } }
  }, (request, reply) => {
    const organization = organizationFor(request, request.params.org_id)
    // 200 with the user as it was, not 204: the Go SDK and Terraform decode the body (reference 1.6).
    const removed = store.transaction(() => {
      const user = store.users.find(organization.id, request.params.id)
      store.users.delete(user)
      return user
    })
    reply.send(envelope(request, removed))
  })

  api.post<{ Params: UserParams, Querystring: { force?: 'true' | 'false' } }>('/organizations/:org_id/users/:id/keys', {
    schema: { params: OrganizationUserParams, querystring: ApiKeyQuery, response: { 200: ApiKeyEnvelope, ...errorResponses(401, 403, 404, 422) } }
  }, (request, reply) => {
    const organization = organizationFor(request, request.params.org_id)
    const value = store.transaction(() => {
      const user = store.users.find(organization.id, request.params.id)
      return store.credentials.mintUserKey(organization.id, user.id, request.query.force === 'true')
    })
    reply.send(envelope(request, { value }))
  })
}
