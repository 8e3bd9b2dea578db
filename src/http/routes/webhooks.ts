import type { FastifyInstance } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { envelopeBody } from '../plugins/version.js'
import { IdParams, errorResponses } from '../schemas/common.js'
import {
  EVENT_TYPES,
  EventListEnvelope,
  EventListQuery,
  EventTypesEnvelope,
  WebhookBody,
  WebhookEnvelope,
  WebhookListEnvelope,
  WebhookListQuery,
  type EventListInput,
  type WebhookInput
} from '../schemas/events.js'
import { eventFilter } from '../../store/events/events.js'

/** /api/webhooks* and /api/events*: an organization's webhook and its event log (partner-surface reference 4, 5). */
export default async function webhookRoutes (api: FastifyInstance): Promise<void> {
  const { store } = api

  api.get<{ Querystring: { organization_id?: string } }>(
    '/webhooks',
    {
      schema: {
        querystring: WebhookListQuery,
        response: { 200: WebhookListEnvelope, ...errorResponses(400, 401, 404) }
      }
    },
    (request, reply) => {
      const organizations = store.access.organizationsForWebhookList(callerOf(request), request.query.organization_id)
      reply.send(envelopeBody(request, store.webhooks.listFor(organizations.map((o) => o.id))))
    }
  )

  api.post<{ Body: WebhookInput }>(
    '/webhooks',
    {
      schema: { body: WebhookBody, response: { 200: WebhookEnvelope, ...errorResponses(400, 401, 404, 409, 422) } }
    },
    (request, reply) => {
      const organization = store.access.organizationToActIn(callerOf(request), request.body.organization_id)
      reply.send(
        envelopeBody(
          request,
          store.transaction(() => store.webhooks.create(organization.id, request.body))
        )
      )
    }
  )

  api.get<{ Params: { id: string } }>(
    '/webhooks/:id',
    {
      schema: { params: IdParams, response: { 200: WebhookEnvelope, ...errorResponses(400, 401, 404) } }
    },
    (request, reply) => {
      reply.send(envelopeBody(request, store.access.reachableWebhook(callerOf(request), request.params.id)))
    }
  )

  api.put<{ Params: { id: string }; Body: WebhookInput }>(
    '/webhooks/:id',
    {
      schema: {
        params: IdParams,
        body: WebhookBody,
        response: { 200: WebhookEnvelope, ...errorResponses(400, 401, 404, 422) }
      }
    },
    (request, reply) => {
      const updated = store.transaction(() =>
        store.webhooks.replace(
          store.access.reachableWebhook(callerOf(request), request.params.id, request.body.organization_id),
          request.body
        )
      )
      reply.send(envelopeBody(request, updated))
    }
  )

  api.delete<{ Params: { id: string } }>(
    '/webhooks/:id',
    {
      schema: { params: IdParams, response: { 200: { type: 'null' }, ...errorResponses(400, 401, 404) } }
    },
    (request, reply) => {
      store.transaction(() =>
        store.webhooks.delete(store.access.reachableWebhook(callerOf(request), request.params.id))
      )
      reply.code(200).send()
    }
  )

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false]
  ] as const) {
    api.post<{ Params: { id: string } }>(
      `/webhooks/:id/${action}`,
      {
        schema: { params: IdParams, response: { 200: WebhookEnvelope, ...errorResponses(400, 401, 404) } }
      },
      (request, reply) => {
        const webhook = store.transaction(() =>
          store.webhooks.setDisabled(store.access.reachableWebhook(callerOf(request), request.params.id), disabled)
        )
        reply.send(envelopeBody(request, webhook))
      }
    )
  }

  api.get<{ Querystring: EventListInput }>(
    '/events',
    {
      schema: {
        querystring: EventListQuery,
        response: { 200: EventListEnvelope, ...errorResponses(400, 401, 404, 422) }
      }
    },
    (request, reply) => {
      const organization = store.access.organizationToActIn(callerOf(request), request.query.organization_id)
      reply.send(envelopeBody(request, store.events.list(organization.id, eventFilter(request.query))))
    }
  )

  api.get(
    '/events_types',
    {
      schema: { response: { 200: EventTypesEnvelope, ...errorResponses(400, 401) } }
    },
    (request, reply) => {
      reply.send(envelopeBody(request, [...EVENT_TYPES]))
    }
  )
}
