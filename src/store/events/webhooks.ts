import type { Statement } from 'better-sqlite3'
import type { Clock } from '../../control/clock.js'
import { Errors, validationError } from '../../core/errors.js'
import type { WebhookInput } from '../../http/schemas/events.js'
import type { FixtureWebhook } from '../../http/schemas/fixtures.js'
import { statements } from '../table.js'
import type { Db } from '../db.js'
import type { DeliveryQueue } from './deliveries.js'
import { canonicalId, newId } from '../ids.js'
import { absoluteUrl, fixtureTime } from '../text.js'
import { SELF_REFUSAL, pointsAtSelf, type ListeningPorts } from '../../core/self-address.js'

interface WebhookRow {
  id: string
  organization_id: string
  endpoint: string
  secret: string
  disabled: number
  created_at: string
}

/** A webhook as stored and as it reads (the SDK's Webhook: the secret is echoed, as its type says). */
export interface StoredWebhook {
  id: string
  organization_id: string
  endpoint: string
  secret: string
  disabled: boolean
  created_at: string
}

function toStored (row: WebhookRow): StoredWebhook {
  return { ...row, disabled: row.disabled === 1 }
}

/**
 * The delivery hosts a simulator may call: null for any. Entries are host names, "*.example.com"
 * for its subdomains; an IP literal is written as it appears in a URL (127.0.0.1, [::1]).
 */
export function hostAllowed (allowed: readonly string[] | null, url: URL): boolean {
  if (allowed === null) return true
  const host = url.hostname.toLowerCase()
  return allowed.some((entry) => (entry.startsWith('*.') ? host.endsWith(entry.slice(1)) : host === entry))
}

interface WebhookStatements {
  byId: Statement<[string], WebhookRow>
  byOrganization: Statement<[string], WebhookRow>
  all: Statement<[], WebhookRow>
  insert: Statement<[Record<string, unknown>]>
  update: Statement<[Record<string, unknown>]>
  updateDisabled: Statement<[number, string]>
  remove: Statement<[string]>
}

/**
 * Webhooks: at most one per organization (reference 4), with an absolute http(s) endpoint within
 * the allowed hosts and a secret. Disabling keeps the configuration; the delivery queue drops what
 * was pending for it (events while disabled are not queued).
 */
export class WebhookRepository {
  private readonly sql: WebhookStatements
  /**
   * The ports the simulator listens on (set by the app once it exists): an endpoint must not name one of them
   * on this machine.
   */
  listeningPorts: ListeningPorts = () => []

  constructor (
    db: Db,
    private readonly clock: Clock,
    private readonly allowedHosts: readonly string[] | null,
    private readonly queue: DeliveryQueue
  ) {
    this.sql = statements<WebhookStatements>(db, {
      byId: 'SELECT id, organization_id, endpoint, secret, disabled, created_at FROM webhooks WHERE id = ?',
      byOrganization:
        'SELECT id, organization_id, endpoint, secret, disabled, created_at FROM webhooks WHERE organization_id = ?',
      all: 'SELECT id, organization_id, endpoint, secret, disabled, created_at FROM webhooks ORDER BY seq',
      insert:
        `INSERT INTO webhooks (id, organization_id, endpoint, secret, disabled, created_at) VALUES (@id,
          @organization_id, @endpoint, @secret, @disabled, @created_at)`,
      update: 'UPDATE webhooks SET endpoint = @endpoint, secret = @secret WHERE id = @id',
      updateDisabled: 'UPDATE webhooks SET disabled = ? WHERE id = ?',
      remove: 'DELETE FROM webhooks WHERE id = ?'
    })
  }

  find (id: string): StoredWebhook | undefined {
    const row = this.sql.byId.get(canonicalId(id))
    return row === undefined ? undefined : toStored(row)
  }

  forOrganization (organizationId: string): StoredWebhook | undefined {
    const row = this.sql.byOrganization.get(organizationId)
    return row === undefined ? undefined : toStored(row)
  }

  listAll (): StoredWebhook[] {
    return this.sql.all.all().map(toStored)
  }

  /** The webhooks of these organizations, in the order given. */
  listFor (organizationIds: readonly string[]): StoredWebhook[] {
    return organizationIds.flatMap((id) => {
      const webhook = this.forOrganization(id)
      return webhook === undefined ? [] : [webhook]
    })
  }

  /** Call inside a transaction. A second webhook in one organization is a 409. */
  create (
    organizationId: string,
    input: WebhookInput,
    options: { id?: string; disabled?: boolean; created_at?: string } = {}
  ): StoredWebhook {
    if (this.sql.byOrganization.get(organizationId) !== undefined) throw Errors.WebhookExists()
    const id = options.id ?? newId()
    this.sql.insert.run({
      id,
      organization_id: organizationId,
      endpoint: this.checkedEndpoint(input.endpoint),
      secret: checkedSecret(input.secret),
      disabled: options.disabled === true ? 1 : 0,
      created_at: options.created_at ?? new Date(this.clock.now()).toISOString()
    })
    return this.find(id) as StoredWebhook
  }

  /** PUT: endpoint and secret both replaced; enabled state and creation time kept. Call inside a transaction. */
  replace (existing: StoredWebhook, input: WebhookInput): StoredWebhook {
    this.sql.update.run({
      id: existing.id,
      endpoint: this.checkedEndpoint(input.endpoint),
      secret: checkedSecret(input.secret)
    })
    return this.find(existing.id) as StoredWebhook
  }

  /**
   * Disabling cancels what was pending for the webhook: enabling resumes with the next event, nothing is
   * replayed. Call inside a transaction.
   */
  setDisabled (existing: StoredWebhook, disabled: boolean): StoredWebhook {
    this.sql.updateDisabled.run(disabled ? 1 : 0, existing.id)
    this.queue.sweep()
    return { ...existing, disabled }
  }

  /** Call inside a transaction; pending deliveries to the webhook are cancelled. */
  delete (existing: StoredWebhook): void {
    this.sql.remove.run(existing.id)
    this.queue.sweep()
  }

  /** A webhook from a fixture document, checked as the API checks it. Call inside a transaction. */
  load (organizationId: string, fixture: FixtureWebhook): void {
    if (fixture.created_at !== undefined) fixtureTime(fixture.created_at, 'created_at')
    this.create(organizationId, fixture, {
      id: canonicalId(fixture.id),
      disabled: fixture.disabled,
      created_at: fixture.created_at
    })
  }

  /** A stored webhook is already in the fixture shape. */
  exportAll (): FixtureWebhook[] {
    return this.listAll()
  }

  private checkedEndpoint (value: string): string {
    const endpoint = value.trim()
    const url = absoluteUrl(endpoint, 'endpoint')
    if (!hostAllowed(this.allowedHosts, url)) {
      throw validationError(
        'endpoint',
        `host ${url.hostname} is not in WEBHOOK_ALLOWED_HOSTS (${(this.allowedHosts ?? []).join(', ')})`
      )
    }
    if (pointsAtSelf(url, this.listeningPorts)) throw validationError('endpoint', SELF_REFUSAL)
    return endpoint
  }
}

function checkedSecret (value: string): string {
  if (value.trim() === '') throw validationError('secret', 'must not be empty')
  return value
}
