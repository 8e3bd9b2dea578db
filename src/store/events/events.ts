import type { Statement } from 'better-sqlite3'
import type { Clock } from '../../control/clock.js'
import type { DeliveryFaults } from '../../control/delivery-faults.js'
import { validationError } from '../../core/errors.js'
import { EVENT_PAYLOAD_FIELDS, EVENT_TYPES, eventPayloadSchema, type EventType } from '../../http/schemas/events.js'
import type { FixtureEvent } from '../../http/schemas/fixtures.js'
import type { EventListInput } from '../../http/schemas/events.js'
import { unknownFieldProblem } from '../../core/suggest.js'
import { firstIssue, requestValidator } from '../../http/validation.js'
import type { DeliveryQueue } from './deliveries.js'
import type { Db } from '../db.js'
import { canonicalId, newId } from '../ids.js'
import { fixtureTime } from '../text.js'
import type { WebhookRepository } from './webhooks.js'

export type EventPayload = Record<string, unknown>

/** An event as GET /api/events answers it (the SDK's Event). */
export interface EventView {
  id: string
  type: string
  organization_id: string
  created_at: string
  event: EventPayload
}

interface EventRow {
  id: string
  organization_id: string
  type: string
  created_ms: number
  payload: string
}

export interface EventFilter {
  type?: EventType
  /** Simulated epoch milliseconds (fractions kept): events created strictly after. */
  after?: number
  /** Events created strictly before. */
  before?: number
  limit: number
}

/** Each type's payload validator, compiled when first needed (start-up stays lean). */
const validators = new Map<EventType, ReturnType<typeof requestValidator<EventPayload>>>()
function validatorOf (type: EventType): ReturnType<typeof requestValidator<EventPayload>> {
  let validate = validators.get(type)
  if (validate === undefined) {
    validate = requestValidator<EventPayload>(eventPayloadSchema(type))
    validators.set(type, validate)
  }
  return validate
}

function isEventType (value: string): value is EventType {
  return Object.hasOwn(EVENT_PAYLOAD_FIELDS, value)
}

/** A type name from a request: one of the ten, or a 422 listing them. */
function eventType (value: string, field: string): EventType {
  if (!isEventType(value)) {
    throw validationError(field, `must be one of ${EVENT_TYPES.join(', ')} (GET /api/events_types)`)
  }
  return value
}

/**
 * A payload checked against its type's shape (SDK types): known fields, each of its type; a 422 names the
 * first problem.
 */
export function checkPayload (type: EventType, payload: EventPayload, field = 'event'): EventPayload {
  const fields = Object.keys(EVENT_PAYLOAD_FIELDS[type])
  for (const name of Object.keys(payload)) {
    if (!fields.includes(name)) throw validationError(`${field}.${name}`, unknownFieldProblem(name, fields))
  }
  const copy = { ...payload }
  const validate = validatorOf(type)
  if (!validate(copy)) {
    const issue = firstIssue(validate.errors ?? [])
    throw validationError(
      issue === undefined || issue.path === '' ? field : `${field}.${issue.path}`,
      issue?.problem ?? 'is invalid'
    )
  }
  return copy
}

const DEFAULT_LIMIT = 10
const MAX_LIMIT = 100
/** RFC 3339, the form the SDK sends (Date#toISOString); a date alone means its midnight UTC. */
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/i

/** A timestamp bound in epoch milliseconds, fractions below a millisecond kept (so "strictly before" stays strict). */
function timestamp (value: string, field: string): number {
  const match = TIMESTAMP.exec(value.trim())
  const fraction = match?.[3] ?? ''
  const whole =
    match === null
      ? NaN
      : Date.parse(`${match[1] ?? ''}T${match[2] ?? '00:00'}${fraction.slice(0, 4)}${match[4] ?? 'Z'}`)
  if (Number.isNaN(whole)) throw validationError(field, 'must be an RFC 3339 timestamp, like 2024-01-31T12:00:00Z')
  const belowMs = fraction.length > 4 ? Number(`0.${fraction.slice(4)}`) : 0
  return whole + belowMs
}

/** The query of GET /api/events as a filter; a bad value is a 422 naming it. */
export function eventFilter (query: EventListInput): EventFilter {
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

function toView (row: EventRow): EventView {
  return {
    id: row.id,
    type: row.type,
    organization_id: row.organization_id,
    created_at: new Date(row.created_ms).toISOString(),
    event: JSON.parse(row.payload) as EventPayload
  }
}

/**
 * The event log (reference 5): events belong to an organization and are kept for the retention
 * period of simulated time, newest first. Within an organization no two events share a
 * millisecond, so the timestamps GET /api/events pages by (starting_after, ending_before) never
 * skip or repeat one. Emitting queues a delivery when the organization has an enabled webhook.
 * An organization keeps at most EVENTS_MAX events: past it the oldest goes (its pending delivery
 * with it, as the queue drops deliveries whose event is gone).
 */
export class EventLog {
  private readonly insert: Statement<[Record<string, unknown>]>
  private readonly lastTime: Statement<[string], { last: number | null }>
  private readonly purge: Statement<[number]>
  private readonly all: Statement<[number], EventRow>
  private readonly page: Statement<[Record<string, unknown>], EventRow>
  private readonly listeners = new Set<() => void>()
  private readonly trim: Statement<[{ organization: string; keep: number }]>
  private readonly retentionMs: number
  private readonly perOrganization: number

  /** `bounds`: how long an event is kept (EVENT_RETENTION_S), and how many an organization keeps (EVENTS_MAX). */
  constructor (
    db: Db,
    private readonly clock: Clock,
    bounds: { retentionMs: number; perOrganization: number },
    private readonly webhooks: WebhookRepository,
    private readonly queue: DeliveryQueue,
    private readonly faults: DeliveryFaults
  ) {
    this.retentionMs = bounds.retentionMs
    this.perOrganization = bounds.perOrganization
    this.trim = db.prepare(
      `DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE organization_id = @organization ORDER BY seq
        DESC LIMIT -1 OFFSET @keep)`
    )
    this.insert = db.prepare(
      `INSERT INTO events (id, organization_id, type, created_ms, payload) VALUES (@id, @organization_id, @type,
        @created_ms, @payload)`
    )
    this.lastTime = db.prepare('SELECT max(created_ms) AS last FROM events WHERE organization_id = ?')
    this.purge = db.prepare('DELETE FROM events WHERE created_ms <= ?')
    this.page = db.prepare(`SELECT id, organization_id, type, created_ms, payload FROM events
      WHERE organization_id = @organization AND created_ms > @horizon AND (@type IS NULL OR type = @type)
        AND (@after IS NULL OR created_ms > @after) AND (@before IS NULL OR created_ms < @before)
      ORDER BY created_ms DESC, seq DESC LIMIT @limit`)
    this.all = db.prepare(
      'SELECT id, organization_id, type, created_ms, payload FROM events WHERE created_ms > ? ORDER BY seq'
    )
  }

  /** Called after every emit (inside its transaction): the dispatcher wakes on it. */
  onEmit (listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The oldest time an event may have and still be kept. */
  private horizon (): number {
    return this.clock.now() - this.retentionMs
  }

  /**
   * Records an event (its payload already checked) and queues its delivery to the organization's
   * webhook if it has an enabled one; events older than the retention period go. Call inside a transaction.
   */
  emit (organizationId: string, type: EventType, payload: EventPayload): EventView {
    const now = this.clock.now()
    this.purge.run(now - this.retentionMs)
    const last = this.lastTime.get(organizationId)?.last ?? null
    const row: EventRow = {
      id: newId(),
      organization_id: organizationId,
      type,
      created_ms: last === null ? now : Math.max(now, last + 1),
      payload: JSON.stringify(payload)
    }
    this.insert.run({ ...row })
    this.trim.run({ organization: organizationId, keep: this.perOrganization })
    const webhook = this.webhooks.forOrganization(organizationId)
    if (webhook !== undefined && !webhook.disabled) {
      const body = JSON.stringify({ type, event: payload })
      this.queue.enqueue(
        { event_id: row.id, event_type: type, organization_id: organizationId, webhook_id: webhook.id, body },
        now,
        this.faults.fire(organizationId, type)
      )
    }
    for (const listener of this.listeners) listener()
    return toView(row)
  }

  /** An organization's events within retention, newest first. */
  list (organizationId: string, filter: EventFilter): EventView[] {
    return this.page
      .all({
        organization: organizationId,
        horizon: this.horizon(),
        type: filter.type ?? null,
        after: filter.after ?? null,
        before: filter.before ?? null,
        limit: filter.limit
      })
      .map(toView)
  }

  /** An event from a fixture document: history, never delivered. Call inside a transaction. */
  load (organizationId: string, fixture: FixtureEvent): void {
    const createdMs = fixtureTime(fixture.created_at, 'created_at')
    const payload = checkPayload(fixture.type, fixture.event ?? {})
    this.insert.run({
      id: canonicalId(fixture.id),
      organization_id: organizationId,
      type: fixture.type,
      created_ms: createdMs,
      payload: JSON.stringify(payload)
    })
  }

  /** The events within retention, oldest first, as a fixture document holds them. */
  exportAll (): FixtureEvent[] {
    return this.all.all(this.horizon()).map((row) => ({ ...toView(row), type: row.type as EventType }))
  }
}

/** The record lists of a sync.completed payload: the simulator moves no records, so none are named. */
export const NO_RECORD_LISTS = {
  warnings: [],
  total_records: [],
  inserted_records: [],
  updated_records: [],
  deleted_records: [],
  errored_records: []
} as const

/**
 * Exactly the fields of a type's payload (src/http/schemas/events.ts), taken from values that may hold more;
 * those not set are left out.
 */
export function payloadOf (type: EventType, values: EventPayload): EventPayload {
  const payload: EventPayload = {}
  for (const field of Object.keys(EVENT_PAYLOAD_FIELDS[type])) {
    if (values[field] !== undefined) payload[field] = values[field]
  }
  return payload
}

/**
 * A payload for an event emitted by a test (POST /__admin/events): the fields given, checked, and
 * every other field of the type filled with a plausible value (new ids, counts drawn from the
 * seeded source). organization_id is always the event's own.
 */
export function plausiblePayload (
  type: EventType,
  organizationId: string,
  given: EventPayload,
  random: () => number
): EventPayload {
  const payload = checkPayload(type, given)
  if (
    payload.organization_id !== undefined &&
    canonicalId(typeof payload.organization_id === 'string' ? payload.organization_id : '') !== organizationId
  ) {
    throw validationError('event.organization_id', 'must be the organization the event is emitted for (or left out)')
  }
  const between = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1))
  const records = between(1, 1000)
  const inserted = between(0, records)
  const fill: EventPayload = {
    execution_id: newId(),
    organization_id: organizationId,
    sync_id: newId(),
    sync_name: type.startsWith('bulk_sync.') ? 'Simulated bulk sync' : 'Simulated sync',
    target_connection_id: newId(),
    source_connection_id: newId(),
    destination_connection_id: newId(),
    status: type.endsWith('.canceled') ? 'canceled' : 'completed',
    trigger: 'manual',
    trigger_source: 'manual',
    error: type.endsWith('.failed') ? 'simulated failure' : 'some records could not be synced',
    record_count: records,
    inserted_count: inserted,
    updated_count: records - inserted,
    upserted_count: 0,
    error_count: 0,
    warning_count: 0,
    number_of_errors: between(1, 25),
    number_of_warnings: 0,
    ...NO_RECORD_LISTS
  }
  return { ...payloadOf(type, { ...fill, ...payload }), organization_id: organizationId }
}
