import type { Statement } from 'better-sqlite3'
import type { Clock } from '../../control/clock.js'
import { validationError } from '../../core/errors.js'
import type { Db } from '../db.js'
import { newId } from '../ids.js'
import { normalizeEmail } from '../identity/users.js'
import { statements } from '../table.js'

/** Global error subscribers one organization may have: one more is a 422. */
export const SUBSCRIBERS_MAX = 100

/** What a notification is about: a run that failed, or exported logs that are ready. */
export type NotificationKind = 'sync_failed' | 'logs_exported'

/** One notification the simulator would have sent (GET /__admin/notifications): no mail leaves it. */
export interface Notification {
  id: string
  organization_id: string
  kind: NotificationKind
  recipient: string
  subject: string
  details: Record<string, unknown>
  created_at: string
}

/** GET /__admin/notifications: of one organization, of one kind, the first `limit`. */
export interface NotificationFilter {
  organization_id?: string
  kind?: string
  limit?: number
}

interface NotificationRow {
  id: string
  organization_id: string
  kind: NotificationKind
  recipient: string
  subject: string
  details: string
  created_ms: number
}

interface NotificationStatements {
  subscribers: Statement<[string], { emails: string }>
  setSubscribers: Statement<[string, string]>
  clearSubscribers: Statement<[string]>
  allSubscribers: Statement<[], { organization_id: string; emails: string }>
  insert: Statement<[Record<string, unknown>]>
  prune: Statement<[{ organization: string; keep: number }]>
  list: Statement<[{ organization: string | null; kind: string | null; limit: number }], NotificationRow>
}

/**
 * notifications.*: an organization's global error subscribers, and what they would have been told. A run that
 * fails tells each subscriber; exported logs asked with notify tell the one who asked. Kept per organization
 * (NOTIFICATIONS_MAX, the oldest dropped past it), with the world: reset, snapshots and tenants take them.
 */
export class NotificationRepository {
  private readonly sql: NotificationStatements

  constructor (
    db: Db,
    private readonly clock: Clock,
    private readonly perOrganization: number
  ) {
    const columns = 'id, organization_id, kind, recipient, subject, details, created_ms'
    this.sql = statements<NotificationStatements>(db, {
      subscribers: 'SELECT emails FROM error_subscribers WHERE organization_id = ?',
      setSubscribers: `INSERT INTO error_subscribers (organization_id, emails) VALUES (?, ?)
        ON CONFLICT (organization_id) DO UPDATE SET emails = excluded.emails`,
      clearSubscribers: 'DELETE FROM error_subscribers WHERE organization_id = ?',
      allSubscribers: 'SELECT organization_id, emails FROM error_subscribers ORDER BY organization_id',
      insert: `INSERT INTO notifications (${columns}) VALUES (@id, @organization_id, @kind, @recipient, @subject,
        @details, @created_ms)`,
      prune: `DELETE FROM notifications WHERE seq IN (SELECT seq FROM notifications
        WHERE organization_id = @organization ORDER BY seq DESC LIMIT -1 OFFSET @keep)`,
      list: `SELECT ${columns} FROM notifications WHERE (@organization IS NULL OR organization_id = @organization)
        AND (@kind IS NULL OR kind = @kind) ORDER BY seq LIMIT @limit`
    })
  }

  /** GET /api/notifications/global-error-subscribers. */
  subscribers (organizationId: string): string[] {
    const row = this.sql.subscribers.get(organizationId)
    return row === undefined ? [] : (JSON.parse(row.emails) as string[])
  }

  /**
   * PUT: the list replaced; each an email address (lower-cased, duplicates dropped), at most SUBSCRIBERS_MAX;
   * an empty list unsubscribes everyone. Call inside a transaction.
   */
  setSubscribers (organizationId: string, emails: readonly unknown[] | undefined): string[] {
    const list: string[] = []
    ;(emails ?? []).forEach((value, index) => {
      const email = normalizeEmail(value, `emails[${index}]`)
      if (!list.includes(email)) list.push(email)
    })
    if (list.length > SUBSCRIBERS_MAX) {
      throw validationError('emails', `an organization has at most ${SUBSCRIBERS_MAX} global error subscribers`)
    }
    if (list.length === 0) this.sql.clearSubscribers.run(organizationId)
    else this.sql.setSubscribers.run(organizationId, JSON.stringify(list))
    return list
  }

  /** Records one notification per recipient (the organization's subscribers when none are named). */
  notify (
    organizationId: string,
    kind: NotificationKind,
    subject: string,
    details: Record<string, unknown>,
    recipients: readonly string[] = this.subscribers(organizationId)
  ): void {
    if (recipients.length === 0) return
    const now = this.clock.now()
    for (const recipient of recipients) {
      this.sql.insert.run({
        id: newId(),
        organization_id: organizationId,
        kind,
        recipient,
        subject,
        details: JSON.stringify(details),
        created_ms: now
      })
    }
    this.sql.prune.run({ organization: organizationId, keep: this.perOrganization })
  }

  /** What would have been sent, oldest first; of one organization or kind if named. */
  list (filter: NotificationFilter = {}): Notification[] {
    return this.sql.list
      .all({
        organization: filter.organization_id?.toLowerCase() ?? null,
        kind: filter.kind ?? null,
        limit: filter.limit ?? -1
      })
      .map((row) => ({
        id: row.id,
        organization_id: row.organization_id,
        kind: row.kind,
        recipient: row.recipient,
        subject: row.subject,
        details: JSON.parse(row.details) as Record<string, unknown>,
        created_at: new Date(row.created_ms).toISOString()
      }))
  }

  /** The subscribers of every organization that has any, as a fixture document holds them. */
  exportSubscribers (): Array<{ organization_id: string; emails: string[] }> {
    return this.sql.allSubscribers.all().map((row) => ({
      organization_id: row.organization_id,
      emails: JSON.parse(row.emails) as string[]
    }))
  }
}
