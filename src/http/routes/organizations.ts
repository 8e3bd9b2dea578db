import type { FastifyInstance } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { envelopeBody, versionOf } from '../plugins/version.js'
import { IdParams, errorResponses } from '../schemas/common.js'
import {
  CreateOrganizationBody,
  OrganizationEnvelope,
  OrganizationListEnvelope,
  PatchOrganizationBody,
  UpdateOrganizationBody
} from '../schemas/organizations.js'
import { publicOrganization, type OrganizationInput } from '../../store/identity/organizations.js'

/** /api/organizations*: the partner organization endpoints (reference 2). */
export default async function organizationRoutes (api: FastifyInstance): Promise<void> {
  const { store } = api

  api.get(
    '/organizations',
    {
      config: { cacheable: true },
      schema: { response: { 200: OrganizationListEnvelope, ...errorResponses(400, 401, 403) } }
    },
    (request, reply) => {
      const caller = callerOf(request)
      store.access.requirePartnerEndpointKind(caller, versionOf(request))
      reply.send(envelopeBody(request, store.access.reachableOrganizations(caller).map(publicOrganization)))
    }
  )

  api.post<{ Body: OrganizationInput }>(
    '/organizations',
    {
      schema: {
        body: CreateOrganizationBody,
        response: { 200: OrganizationEnvelope, ...errorResponses(400, 401, 403, 409, 422) }
      }
    },
    (request, reply) => {
      const partnerId = store.access.partnerForNewOrganization(callerOf(request))
      const organization = store.transaction(() => store.organizations.create(partnerId, request.body))
      reply.send(envelopeBody(request, publicOrganization(organization)))
    }
  )

  api.get<{ Params: { id: string } }>(
    '/organizations/:id',
    {
      config: { cacheable: true },
      schema: { params: IdParams, response: { 200: OrganizationEnvelope, ...errorResponses(400, 401, 403, 404) } }
    },
    (request, reply) => {
      const caller = callerOf(request)
      store.access.requirePartnerEndpointKind(caller, versionOf(request))
      reply.send(
        envelopeBody(request, publicOrganization(store.access.reachableOrganization(caller, request.params.id)))
      )
    }
  )

  for (const [method, body, mode] of [
    ['PUT', UpdateOrganizationBody, 'replace'],
    ['PATCH', PatchOrganizationBody, 'merge']
  ] as const) {
    api.route<{ Params: { id: string }; Body: OrganizationInput }>({
      method,
      url: '/organizations/:id',
      schema: {
        params: IdParams,
        body,
        response: { 200: OrganizationEnvelope, ...errorResponses(400, 401, 403, 404, 409, 422) }
      },
      handler: (request, reply) => {
        const caller = callerOf(request)
        store.access.requirePartnerOrDeployment(caller)
        const updated = store.transaction(() =>
          store.organizations.updateOrganization(
            store.access.reachableOrganization(caller, request.params.id),
            request.body,
            mode
          )
        )
        reply.send(envelopeBody(request, publicOrganization(updated)))
      }
    })
  }

  api.delete<{ Params: { id: string } }>(
    '/organizations/:id',
    {
      schema: { params: IdParams, response: { 200: { type: 'null' }, ...errorResponses(400, 401, 403, 404) } }
    },
    (request, reply) => {
      store.transaction(() =>
        store.organizations.delete(store.access.organizationToDelete(callerOf(request), request.params.id).id)
      )
      // 200 with an empty body: the SDKs' remove() returns nothing (reference 2.7).
      reply.code(200).send()
    }
  )
}
