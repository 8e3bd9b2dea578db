import type { Statement } from 'better-sqlite3'
import type { Clock } from '../../control/clock.js'
import { Errors } from '../../core/errors.js'
import type { FixtureJob } from '../../http/schemas/fixtures.js'
import { JOB_TYPES } from '../../http/schemas/syncs.js'
import type { Db } from '../db.js'
import { canonicalId, newId } from '../ids.js'
import { fixtureTime } from '../text.js'
import { overBudget } from '../../core/bounds.js'

export type JobType = (typeof JOB_TYPES)[number]

interface JobRow {
  id: string
  organization_id: string
  type: string
  status: string
  result: string | null
  error: string | null
  created_ms: number
  due_ms: number | null
}

/** JobResponse. */
export interface JobView {
  job_id: string
  type: string
  status: string
  result?: unknown
  error?: string
}

function toView (row: JobRow): JobView {
  const view: JobView = { job_id: row.id, type: row.type, status: row.status }
  if (row.status === 'done' && row.result !== null) view.result = JSON.parse(row.result) as unknown
  if (row.error !== null) view.error = row.error
  return view
}

/**
 * Asynchronous jobs (reference 8): a route called with async=true answers at once with a job,
 * running; the runner (src/background/runner.ts) finishes it at its next turn, and GET /api/jobs/:type/:id
 * then gives its result. The work itself is done when the job starts: only its report waits.
 * A partner keeps at most JOBS_MAX jobs and JOBS_MAX_BYTES of their results: past either, its
 * oldest finished jobs are forgotten (GET answers 404 for them).
 */
export class JobRepository {
  private readonly byId: Statement<[string], JobRow>
  private readonly insert: Statement<[Record<string, unknown>]>
  private readonly finish: Statement<[string]>
  private readonly complete: Statement<[Record<string, unknown>]>
  private readonly dueRows: Statement<[number], { id: string }>
  private readonly nextDueRow: Statement<[], { due: number | null }>
  private readonly all: Statement<[], JobRow>
  private readonly listeners = new Set<() => void>()
  private readonly partnerJobs: Statement<[string], { id: string; status: string; bytes: number }>
  private readonly removeOne: Statement<[string]>

  /** `bounds`: how many jobs, and how many bytes of results, a partner keeps (JOBS_MAX, JOBS_MAX_BYTES). */
  constructor (
    db: Db,
    private readonly clock: Clock,
    private readonly bounds: { count: number; bytes: number }
  ) {
    const columns = 'id, organization_id, type, status, result, error, created_ms, due_ms'
    this.byId = db.prepare(`SELECT ${columns} FROM jobs WHERE id = ?`)
    this.insert = db.prepare(
      `INSERT INTO jobs (${columns}, bytes) VALUES (@id, @organization_id, @type, @status, @result, @error, @created_ms,
        @due_ms, octet_length(coalesce(@result, '')) + octet_length(coalesce(@error, '')))`
    )
    this.finish = db.prepare(
      "UPDATE jobs SET status = CASE WHEN error IS NULL THEN 'done' ELSE 'failed' END, due_ms = NULL WHERE id = ?"
    )
    this.complete = db.prepare(`UPDATE jobs SET result = @result, error = @error, due_ms = @due_ms,
      bytes = octet_length(coalesce(@result, '')) + octet_length(coalesce(@error, '')) WHERE id = @id`)
    this.dueRows = db.prepare(
      'SELECT id FROM jobs WHERE due_ms IS NOT NULL AND due_ms <= ? ORDER BY due_ms, seq LIMIT 500'
    )
    this.nextDueRow = db.prepare('SELECT min(due_ms) AS due FROM jobs WHERE due_ms IS NOT NULL')
    this.all = db.prepare(`SELECT ${columns} FROM jobs ORDER BY seq`)
    // A partner's jobs, oldest first, with what each weighs ('' for a deployment's organizations).
    this.partnerJobs =
      db.prepare(`SELECT j.id, j.status, j.bytes
      FROM jobs j JOIN organizations o ON o.id = j.organization_id
      WHERE coalesce(o.partner_id, '') = (SELECT coalesce(partner_id, '') FROM organizations WHERE id = ?)
      ORDER BY j.seq`)
    this.removeOne = db.prepare('DELETE FROM jobs WHERE id = ?')
  }

  onChange (listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** A job whose result is ready: it reports running until the runner's next turn. Call inside a transaction. */
  start (organizationId: string, type: JobType, result: unknown): JobView {
    return this.begin(organizationId, type, result, true)
  }

  /**
   * A job (of any type: a query too) that reports running; `ready` when its result is already there, otherwise
   * it waits for finishWith. Call inside a transaction.
   */
  begin (organizationId: string, type: string, result: unknown, ready: boolean): JobView {
    const now = this.clock.now()
    const id = newId()
    this.insert.run({
      id,
      organization_id: organizationId,
      type,
      status: 'running',
      result: JSON.stringify(result),
      error: null,
      created_ms: now,
      due_ms: ready ? now : null
    })
    this.keepWithinBounds(organizationId)
    for (const listener of this.listeners) listener()
    return toView(this.byId.get(id) as JobRow)
  }

  /** The partner of this organization keeps at most its bounds' jobs and bytes: its oldest finished jobs go. */
  private keepWithinBounds (organizationId: string): void {
    for (const job of overBudget(this.partnerJobs.all(organizationId), this.bounds.count, this.bounds.bytes)) {
      if (job.status === 'done') this.removeOne.run(job.id)
    }
  }

  /** A job by type and id, in one of the organizations given (the caller's reach); an unknown type is a 400. */
  find (type: string, id: string, canSee: (organizationId: string) => boolean): JobView {
    if (!(JOB_TYPES as readonly string[]).includes(type)) {
      throw Errors.UnknownJobType({ message: `unknown job type ${type}: one of ${JOB_TYPES.join(', ')}` })
    }
    const row = this.byId.get(canonicalId(id))
    if (row === undefined || row.type !== type || !canSee(row.organization_id)) throw Errors.JobNotFound()
    return toView(row)
  }

  /**
   * A waiting job's result (or error) has come: it reports done (or failed) at the runner's next turn. A job that
   * has gone meanwhile (reset, bounds) stays gone. Call inside a transaction.
   */
  finishWith (id: string, result: unknown, error: string | null): void {
    const row = this.byId.get(id)
    if (row === undefined || row.status !== 'running') return
    this.complete.run({
      id,
      result: JSON.stringify(result),
      error: error === null ? null : error.slice(0, 2048),
      due_ms: this.clock.now()
    })
    this.keepWithinBounds(row.organization_id)
    for (const listener of this.listeners) listener()
  }

  /** A job of any type with what it holds (its result, even while it runs), if an organization given holds it. */
  record (
    type: string,
    id: string,
    canSee: (organizationId: string) => boolean
  ): { view: JobView; held: unknown } | undefined {
    const row = this.byId.get(canonicalId(id))
    if (row === undefined || row.type !== type || !canSee(row.organization_id)) return undefined
    return { view: toView(row), held: row.result === null ? undefined : (JSON.parse(row.result) as unknown) }
  }

  /** Finishes the jobs due by now. Call inside a transaction. */
  finishDue (now: number): number {
    const rows = this.dueRows.all(now)
    for (const row of rows) this.finish.run(row.id)
    return rows.length
  }

  nextDue (): number | null {
    return this.nextDueRow.get()?.due ?? null
  }

  load (organizationId: string, fixture: FixtureJob): void {
    const created = fixtureTime(fixture.created_at, 'created_at')
    const active = fixture.status === 'created' || fixture.status === 'running'
    this.insert.run({
      id: canonicalId(fixture.id),
      organization_id: organizationId,
      type: fixture.type,
      status: fixture.status,
      result: fixture.result === undefined ? null : JSON.stringify(fixture.result),
      error: fixture.error ?? null,
      created_ms: created,
      due_ms: active ? created : null
    })
  }

  exportAll (): FixtureJob[] {
    return this.all.all().map((row) => {
      const job: FixtureJob = {
        id: row.id,
        organization_id: row.organization_id,
        type: row.type as FixtureJob['type'],
        status: row.status as FixtureJob['status'],
        created_at: new Date(row.created_ms).toISOString()
      }
      if (row.result !== null) job.result = JSON.parse(row.result) as unknown
      if (row.error !== null) job.error = row.error
      return job
    })
  }
}
