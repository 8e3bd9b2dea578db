import type { FastifyInstance } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { errorResponses } from '../schemas/common.js'
import { ErrorSubscribers, ErrorSubscribersBody } from '../schemas/events.js'
import { RoleListQuery } from '../schemas/roles.js'

/**
 * /api/notifications/global-error-subscribers: who hears of the caller's organization's failed runs (answered
 * bare, without a data envelope, as the SDK types it). No mail is sent: GET /__admin/notifications lists what
 * would have been.
 */
export default async function notificationRoutes (api: FastifyInstance): Promise<void> {
  const { store } = api

  api.get<{ Querystring: { organization_id?: string } }>(
    '/notifications/global-error-subscribers',
    {
      config: { cacheable: true },
      schema: { querystring: RoleListQuery, response: { 200: ErrorSubscribers, ...errorResponses(400, 401, 404) } }
    },
    (request, reply) => {
      const organization = store.access.organizationToConfigure(callerOf(request), request.query.organization_id)
      reply.send({ emails: store.notifications.subscribers(organization.id) })
    }
  )

  api.put<{ Body: { emails?: string[]; organization_id?: string } | undefined }>(
    '/notifications/global-error-subscribers',
    {
      schema: {
        body: ErrorSubscribersBody,
        response: { 200: ErrorSubscribers, ...errorResponses(400, 401, 403, 404, 422) }
      }
    },
    (request, reply) => {
      const caller = callerOf(request)
      const body = request.body ?? {}
      const organization = store.access.organizationToConfigure(caller, body.organization_id, true)
      const emails = store.transaction(() => store.notifications.setSubscribers(organization.id, body.emails))
      reply.send({ emails })
    }
  )
}
