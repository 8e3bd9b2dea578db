import type { FastifyInstance, FastifyRequest } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { envelopeBody, versionOf } from '../plugins/version.js'
import { errorResponses } from '../schemas/common.js'
import {
  ApiKeyEnvelope,
  ApiKeyQuery,
  CreateUserBody,
  CurrentOrganizationUpdateUserBody,
  PatchUserBody,
  UpdateUserBody,
  UserEnvelope,
  UserListEnvelope
} from '../schemas/users.js'
import type { OrganizationRecord } from '../../store/index.js'
import type { UserInput, UserRepository } from '../../store/identity/users.js'

type Params = Record<string, string>
type UpdateMode = Parameters<UserRepository['update']>[2]

interface UserRouteFamily {
  /** Path of the collection, e.g. /organizations/:org_id/users. */
  base: string
  params: object
  /** The organization the request acts on, after every access check; `write` for changes. */
  organizationFor: (request: FastifyRequest<{ Params: Params }>, write: boolean) => OrganizationRecord
  updates: ReadonlyArray<{ method: 'PUT' | 'PATCH'; body: object; mode: UpdateMode }>
  /** Whether POST {base}/:id/keys exists in this family. */
  keys: boolean
  errors: { read: number[]; write: number[] }
}

/** List, create, get, update and remove users: one implementation for both families of user routes. */
export function registerUserRoutes (api: FastifyInstance, family: UserRouteFamily): void {
  const { store } = api
  const { base, organizationFor } = family
  const itemParams = {
    type: 'object',
    required: ['id'],
    properties: { ...(family.params as { properties: object }).properties, id: { type: 'string' } }
  }
  const one = `${base}/:id`

  api.get<{ Params: Params }>(
    base,
    {
      config: { cacheable: true },
      schema: { params: family.params, response: { 200: UserListEnvelope, ...errorResponses(...family.errors.read) } }
    },
    (request, reply) => {
      reply.send(envelopeBody(request, store.users.list(organizationFor(request, false).id)))
    }
  )

  api.post<{ Params: Params; Body: UserInput }>(
    base,
    {
      schema: {
        params: family.params,
        body: CreateUserBody,
        response: { 200: UserEnvelope, ...errorResponses(...family.errors.write) }
      }
    },
    (request, reply) => {
      const organization = organizationFor(request, true)
      reply.send(
        envelopeBody(
          request,
          store.transaction(() => store.users.create(organization.id, request.body))
        )
      )
    }
  )

  api.get<{ Params: Params }>(
    one,
    {
      config: { cacheable: true },
      schema: { params: itemParams, response: { 200: UserEnvelope, ...errorResponses(...family.errors.read) } }
    },
    (request, reply) => {
      reply.send(
        envelopeBody(request, store.users.find(organizationFor(request, false).id, request.params.id as string))
      )
    }
  )

  for (const { method, body, mode } of family.updates) {
    api.route<{ Params: Params; Body: UserInput }>({
      method,
      url: one,
      schema: { params: itemParams, body, response: { 200: UserEnvelope, ...errorResponses(...family.errors.write) } },
      handler: (request, reply) => {
        const organization = organizationFor(request, true)
        const updated = store.transaction(() =>
          store.users.update(store.users.find(organization.id, request.params.id as string), request.body, mode)
        )
        reply.send(envelopeBody(request, updated))
      }
    })
  }

  api.delete<{ Params: Params }>(
    one,
    {
      schema: { params: itemParams, response: { 200: UserEnvelope, ...errorResponses(...family.errors.write) } }
    },
    (request, reply) => {
      const organization = organizationFor(request, true)
      // 200 with the user as it was, not 204: the Go SDK and Terraform decode the body (reference 1.6).
      const removed = store.transaction(() => {
        const user = store.users.find(organization.id, request.params.id as string)
        store.users.delete(user)
        return user
      })
      reply.send(envelopeBody(request, removed))
    }
  )

  if (!family.keys) return
  api.post<{ Params: Params; Querystring: { force?: 'true' | 'false' } }>(
    `${one}/keys`,
    {
      schema: {
        params: itemParams,
        querystring: ApiKeyQuery,
        response: { 200: ApiKeyEnvelope, ...errorResponses(...family.errors.write) }
      }
    },
    (request, reply) => {
      const organization = organizationFor(request, true)
      const value = store.transaction(() => {
        const user = store.users.find(organization.id, request.params.id as string)
        return store.credentials.mintUserKey(organization.id, user.id, request.query.force === 'true')
      })
      reply.send(envelopeBody(request, { value }))
    }
  )
}

/** /api/organizations/:org_id/users*: the partner user endpoints (reference 1). */
export default async function partnerUserRoutes (api: FastifyInstance): Promise<void> {
  registerUserRoutes(api, {
    base: '/organizations/:org_id/users',
    params: { type: 'object', required: ['org_id'], properties: { org_id: { type: 'string' } } },
    organizationFor: (request) =>
      api.store.access.organizationForUserManagement(
        callerOf(request),
        request.params.org_id as string,
        versionOf(request)
      ),
    updates: [
      { method: 'PUT', body: UpdateUserBody, mode: 'replace' },
      { method: 'PATCH', body: PatchUserBody, mode: 'merge' }
    ],
    keys: true,
    errors: { read: [400, 401, 403, 404], write: [400, 401, 403, 404, 422] }
  })
}

/** /api/organization/users* (2025-09-18): the caller's own organization (reference 1.8). */
export function currentOrganizationUserRoutes (api: FastifyInstance): void {
  registerUserRoutes(api, {
    base: '/organization/users',
    params: { type: 'object', properties: {} },
    organizationFor: (request, write) => api.store.access.currentOrganizationForUsers(callerOf(request), write),
    updates: [{ method: 'PUT', body: CurrentOrganizationUpdateUserBody, mode: 'replace-roles' }],
    keys: false,
    errors: { read: [400, 401, 403, 404], write: [400, 401, 403, 404, 422] }
  })
}
