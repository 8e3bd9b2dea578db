import type { FastifyInstance } from 'fastify'
import { callerOf } from '../plugins/auth.js'
import { envelopeBody } from '../plugins/version.js'
import { validationError } from '../errors.js'
import { IdParams, errorResponses } from '../schemas/common.js'
import {
  EVENT_TYPES, EventListEnvelope, EventListQuery, EventTypesEnvelope, WebhookBody, WebhookEnvelope, WebhookListEnvelope,
  type EventListInput, type WebhookInput
} from '../schemas/events.js'
import { eventType, type EventFilter } from '../store/events.js'

const DEFAULT_LIMIT = 10
const MAX_LIMIT = 100
/** RFC 3339, the form the SDK sends (Date#toISOString); a date alone means its midnight UTC. */
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/i

/** A timestamp bound in epoch milliseconds, fractions below a millisecond kept (so "strictly before" stays strict). */
function timestamp (value: string, field: string): number {
  const match = TIMESTAMP.exec(value.trim())
  const fraction = match?.[3] ?? ''
  const whole = match === null ? NaN : Date.parse(`${match[1] ?? ''}T${match[2] ?? '00:00'}${fraction.slice(0, 4)}${match[4] ?? 'Z'}`)
  if (Number.isNaN(whole)) throw validationError(field, 'must be an RFC 3339 timestamp, like 2024-01-31T12:00:00Z')
  const belowMs = fraction.length > 4 ? Number(`0.${fraction.slice(4)}`) : 0
  return whole + belowMs
}

/** The query of GET /api/events as a filter; a bad value is a 422 naming it. */
function eventFilter (query: EventListInput): EventFilter {
  const filter: EventFilter = { limit: DEFAULT_LIMIT }
  const type = query.type ?? query.event_type
  if (type !== undefined) filter.type = eventType(type, query.type === undefined ? 'event_type' : 'type')
  if (query.starting_after !== undefined) filter.after = timestamp(query.starting_after, 'starting_after')
  if (query.ending_before !== undefined) filter.before = timestamp(query.ending_before, 'ending_before')
  if (query.limit !== undefined) {
    const limit = Number(query.limit)
    if (limit < 1 || limit > MAX_LIMIT) throw validationError('limit', `must be from 1 to ${MAX_LIMIT}`)
    filter.limit = limit
  }
  return filter
}

/** /api/webhooks* and /api/events*: an organization's webhook and its event log (partner-surface reference 4, 5). */
export default async function webhookRoutes (api: FastifyInstance): Promise<void> {
  const { store } = api

  api.get<{ Querystring: { organization_id?: string } }>('/webhooks', {
    schema: { querystring: { type: 'object', additionalProperties: false, properties: { organization_id: { type: 'string', maxLength: 64 } } }, response: { 200: WebhookListEnvelope, ...errorResponses(400, 401, 404) } }
  }, (request, reply) => {
    const organizations = store.access.organizationsForWebhookList(callerOf(request), request.query.organization_id)
    reply.send(envelopeBody(request, store.webhooks.listFor(organizations.map((o) => o.id))))
  })

  api.post<{ Body: WebhookInput }>('/webhooks', {
    schema: { body: WebhookBody, response: { 200: WebhookEnvelope, ...errorResponses(400, 401, 404, 409, 422) } }
  }, (request, reply) => {
    const organization = store.access.organizationToActIn(callerOf(request), request.body.organization_id)
    reply.send(envelopeBody(request, store.transaction(() => store.webhooks.create(organization.id, request.body))))
  })

  api.get<{ Params: { id: string } }>('/webhooks/:id', {
    schema: { params: IdParams, response: { 200: WebhookEnvelope, ...errorResponses(400, 401, 404) } }
  }, (request, reply) => {
    reply.send(envelopeBody(request, store.access.reachableWebhook(callerOf(request), request.params.id)))
  })

  api.put<{ Params: { id: string }, Body: WebhookInput }>('/webhooks/:id', {
    schema: { params: IdParams, body: WebhookBody, response: { 200: WebhookEnvelope, ...errorResponses(400, 401, 404, 422) } }
  }, (request, reply) => {
    const updated = store.transaction(() => store.webhooks.replace(store.access.reachableWebhook(callerOf(request), request.params.id, request.body.organization_id), request.body))
    reply.send(envelopeBody(request, updated))
  })

  api.delete<{ Params: { id: string } }>('/webhooks/:id', {
    schema: { params: IdParams, response: { 200: { type: 'null' }, ...errorResponses(400, 401, 404) } }
  }, (request, reply) => {
    store.transaction(() => store.webhooks.delete(store.access.reachableWebhook(callerOf(request), request.params.id)))
    reply.code(200).send()
  })

  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    api.post<{ Params: { id: string } }>(`/webhooks/:id/${action}`, {
      schema: { params: IdParams, response: { 200: WebhookEnvelope, ...errorResponses(400, 401, 404) } }
    }, (request, reply) => {
      const webhook = store.transaction(() => store.webhooks.disable(store.access.reachableWebhook(callerOf(request), request.params.id), disabled))
      reply.send(envelopeBody(request, webhook))
    })
  }

  api.get<{ Querystring: EventListInput }>('/events', {
    schema: { querystring: EventListQuery, response: { 200: EventListEnvelope, ...errorResponses(400, 401, 404, 422) } }
  }, (request, reply) => {
    const organization = store.access.organizationToActIn(callerOf(request), request.query.organization_id)
    reply.send(envelopeBody(request, store.events.list(organization.id, eventFilter(request.query))))
  })

  api.get('/events_types', {
    schema: { response: { 200: EventTypesEnvelope, ...errorResponses(400, 401) } }
  }, (request, reply) => {
    reply.send(envelopeBody(request, [...EVENT_TYPES]))
  })
}
