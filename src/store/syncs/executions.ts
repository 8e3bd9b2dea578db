import type { Statement } from 'better-sqlite3'
import type { Clock } from '../../control/clock.js'
import { Errors, validationError } from '../../core/errors.js'
import type { ExecutionRules } from '../../control/execution-rules.js'
import type { EventType } from '../../http/schemas/events.js'
import type { FixtureExecution } from '../../http/schemas/fixtures.js'
import type { Db } from '../db.js'
import { NO_RECORD_LISTS, payloadOf, type EventLog } from '../events/events.js'
import { canonicalId, newId } from '../ids.js'
import { decodePageToken, encodePageToken } from '../paging.js'
import { fixtureTime } from '../text.js'
import type { NotificationRepository } from '../events/notifications.js'
import { appendLines, type ConsoleEntry, type ConsoleLine } from './console-log.js'

export type SyncKind = 'bulk' | 'model'
/** How a run ends: decided at start (an execution rule, else complete) and changed only by advance. */
export type Outcome = 'complete' | 'fail' | 'complete_with_errors' | 'hang'
/** What POST /__admin/executions/:id/advance may name. */
export type AdvanceTarget = 'running' | 'hanging' | 'completed' | 'completed_with_errors' | 'failed' | 'canceled'

/** The states a run can be in while it is not over. */
const ACTIVE = ['created', 'running', 'canceling'] as const
const FINAL = new Set(['completed', 'failed', 'canceled'])

interface SchemaPlan {
  schema: string
  output_name: string
  records: number
  errors: number
  /** Stopped by bulkSync.schemas.cancel while the run went on: it syncs nothing. */
  canceled?: boolean
}

/** Decided when a run starts, so that the same seed gives the same counts whatever the pace. */
interface Plan {
  outcome: Outcome
  message: string | null
  records: number
  /** Records that fail if the run completes with errors. */
  errors: number
  inserted: number
  schemas: SchemaPlan[]
  rule_id: string | null
}

/** What was asked at start. */
interface Details {
  type: string
  is_test: boolean
  is_resync: boolean
  is_partial: boolean
  fetch_mode: string | null
  output_disposition: string
  identities: string[]
}

interface ExecutionRow {
  id: string
  organization_id: string
  bulk_sync_id: string | null
  model_sync_id: string | null
  status: string
  status_message: string | null
  trigger: string
  plan: string
  details: string
  created_ms: number
  started_ms: number | null
  completed_ms: number | null
  updated_ms: number
  due_ms: number | null
}

export interface StoredExecution {
  id: string
  kind: SyncKind
  sync_id: string
  organization_id: string
  status: string
  status_message: string | null
  trigger: string
  plan: Plan
  details: Details
  created_ms: number
  started_ms: number | null
  completed_ms: number | null
  updated_ms: number
  due_ms: number | null
}

/** What a run's events say about its sync. */
export interface SyncFacts {
  kind: SyncKind
  id: string
  organization_id: string
  name: string
  source_connection_id?: string
  destination_connection_id?: string
  target_connection_id?: string
}

/** A run as it starts: what the caller asked for, and the schemas (bulk) it covers. */
export interface StartRequest {
  trigger: 'manual' | 'schedule'
  test?: boolean
  resync?: boolean
  resync_mode?: string
  fetch_mode?: string
  identities?: string[]
  /** Bulk: the schemas to run (the sync's enabled ones when the caller named none), and whether that is a subset. */
  schemas?: Array<{ id: string; output_name: string; rows?: number }>
  partial?: boolean
}

function toStored (row: ExecutionRow): StoredExecution {
  return {
    id: row.id,
    kind: row.bulk_sync_id === null ? 'model' : 'bulk',
    sync_id: row.bulk_sync_id ?? row.model_sync_id ?? '',
    organization_id: row.organization_id,
    status: row.status,
    status_message: row.status_message,
    trigger: row.trigger,
    plan: JSON.parse(row.plan) as Plan,
    details: JSON.parse(row.details) as Details,
    created_ms: row.created_ms,
    started_ms: row.started_ms,
    completed_ms: row.completed_ms,
    updated_ms: row.updated_ms,
    due_ms: row.due_ms
  }
}

const iso = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(ms).toISOString())

/** The event a state change emits, by kind. */
const EVENTS: Record<
  SyncKind,
  Record<'running' | 'completed' | 'completed_with_errors' | 'failed' | 'canceled', EventType>
> = {
  bulk: {
    running: 'bulk_sync.running',
    completed: 'bulk_sync.completed',
    completed_with_errors: 'bulk_sync.completed_with_error',
    failed: 'bulk_sync.failed',
    canceled: 'bulk_sync.canceled'
  },
  model: {
    running: 'sync.running',
    completed: 'sync.completed',
    completed_with_errors: 'sync.completed_with_errors',
    failed: 'sync.failed',
    canceled: 'sync.canceled'
  }
}

const COLUMNS =
  'id, organization_id, bulk_sync_id, model_sync_id, status, status_message, trigger, plan, details, created_ms, ' +
    'started_ms, completed_ms, updated_ms, due_ms'
const ACTIVE_SQL = `status IN (${ACTIVE.map((s) => `'${s}'`).join(', ')})`

export interface ExecutionPage {
  executions: StoredExecution[]
  next_page_token?: string
}

/**
 * Sync runs (executions) of bulk and model syncs, as a state machine on simulated time:
 * created, then running, then completed or failed; canceling, then canceled, on cancel. Each
 * change that has an event type emits it (bulk_sync.* or sync.*) into the event log and so to the
 * organization's webhook. The runner (src/background/runner.ts) makes due changes; tests step or settle them.
 * One run of a sync at a time: starting another while one is active is a 409.
 */
export class ExecutionRepository {
  private readonly byId: Statement<[string], ExecutionRow>
  private readonly activeOf: Statement<[{ sync: string }], ExecutionRow>
  private readonly lastFinalOf: Statement<[{ sync: string }], ExecutionRow>
  private readonly latestOf: Statement<[{ sync: string }], ExecutionRow>
  private readonly countOf: Statement<[{ sync: string }], { n: number }>
  private readonly insert: Statement<[Record<string, unknown>]>
  private readonly update: Statement<[Record<string, unknown>]>
  private readonly dueRows: Statement<[number], ExecutionRow>
  private readonly nextDueRow: Statement<[], { due: number | null }>
  private readonly activeRows: Statement<[], ExecutionRow>
  private readonly all: Statement<[], ExecutionRow>
  private readonly bulkFacts: Statement<[string], SyncFacts>
  private readonly modelFacts: Statement<[string], SyncFacts>
  private readonly listeners = new Set<() => void>()
  private readonly lists = new Map<string, Statement<[string, number, number], ExecutionRow>>()

  private readonly pruneFinished: Array<Statement<[{ sync: string; keep: number }]>> = []
  private readonly logOf: Statement<[string], { console_log: string }>
  private readonly writeLog: Statement<[string, string]>

  constructor (
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly events: EventLog,
    private readonly rules: ExecutionRules,
    private readonly random: () => number,
    private readonly runDurationMs: number,
    private readonly runsPerSync: number,
    /** Console-log lines kept per run (CONSOLE_LOG_ENTRIES). */
    private readonly consoleLogEntries: number,
    /** Who hears of a failed run: the organization's global error subscribers. */
    private readonly notifications: Pick<NotificationRepository, 'notify'>
  ) {
    this.byId = db.prepare(`SELECT ${COLUMNS} FROM executions WHERE id = ?`)
    this.logOf = db.prepare('SELECT console_log FROM executions WHERE id = ?')
    this.writeLog = db.prepare('UPDATE executions SET console_log = ? WHERE id = ?')
    // A sync's finished runs past its newest @keep, by the index of each kind.
    for (const column of ['bulk_sync_id', 'model_sync_id']) {
      this.pruneFinished.push(
        db.prepare(`DELETE FROM executions WHERE seq IN (SELECT seq FROM executions WHERE ${column} = @sync AND NOT
          ${ACTIVE_SQL}
        ORDER BY seq DESC LIMIT -1 OFFSET @keep)`)
      )
    }
    const bySync = (extra: string): string =>
      `SELECT ${COLUMNS} FROM executions WHERE (bulk_sync_id = @sync OR model_sync_id = @sync) ${extra}`
    this.activeOf = db.prepare(bySync(`AND ${ACTIVE_SQL} ORDER BY seq DESC LIMIT 1`))
    this.lastFinalOf = db.prepare(bySync(`AND NOT ${ACTIVE_SQL} ORDER BY seq DESC LIMIT 1`))
    this.latestOf = db.prepare(bySync('ORDER BY seq DESC LIMIT 1'))
    this.countOf = db.prepare(
      'SELECT count(*) AS n FROM executions WHERE (bulk_sync_id = @sync OR model_sync_id = @sync)'
    )
    this.insert =
      db.prepare(`INSERT INTO executions (${COLUMNS}) VALUES (@id, @organization_id, @bulk_sync_id, @model_sync_id,
        @status, @status_message, @trigger,
      @plan, @details, @created_ms, @started_ms, @completed_ms, @updated_ms, @due_ms)`)
    this.update =
      db.prepare(`UPDATE executions SET status = @status, status_message = @status_message, plan = @plan,
        started_ms = @started_ms,
      completed_ms = @completed_ms, updated_ms = @updated_ms, due_ms = @due_ms WHERE id = @id`)
    this.dueRows = db.prepare(
      `SELECT ${COLUMNS} FROM executions WHERE due_ms IS NOT NULL AND due_ms <= ? ORDER BY due_ms, seq LIMIT 500`
    )
    this.nextDueRow = db.prepare('SELECT min(due_ms) AS due FROM executions WHERE due_ms IS NOT NULL')
    this.activeRows = db.prepare(`SELECT ${COLUMNS} FROM executions WHERE ${ACTIVE_SQL} ORDER BY seq`)
    this.all = db.prepare(`SELECT ${COLUMNS} FROM executions ORDER BY seq`)
    this.bulkFacts = db.prepare(
      `SELECT 'bulk' AS kind, id, organization_id, name, source_connection_id, destination_connection_id FROM
        bulk_syncs WHERE id = ?`
    )
    this.modelFacts = db.prepare(
      "SELECT 'model' AS kind, id, organization_id, name, target_connection_id FROM model_syncs WHERE id = ?"
    )
  }

  /** A list query, prepared the first time it is needed (a dozen variants at most: kind, filter, order). */
  private listStatement (sql: string): Statement<[string, number, number], ExecutionRow> {
    let statement = this.lists.get(sql)
    if (statement === undefined) {
      statement = this.db.prepare(sql)
      this.lists.set(sql, statement)
    }
    return statement
  }

  /** Called after every start or state change (inside its transaction): the runner wakes on it. */
  onChange (listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private changed (): void {
    for (const listener of this.listeners) listener()
  }

  find (id: string): StoredExecution | undefined {
    const row = this.byId.get(canonicalId(id))
    return row === undefined ? undefined : toStored(row)
  }

  /** A sync's execution by id; another sync's (or none) is a 404. */
  require (kind: SyncKind, syncId: string, id: string): StoredExecution {
    const execution = this.find(id)
    if (execution === undefined || execution.kind !== kind || execution.sync_id !== syncId) {
      throw Errors.ExecutionNotFound()
    }
    return execution
  }

  active (syncId: string): StoredExecution | undefined {
    const row = this.activeOf.get({ sync: syncId })
    return row === undefined ? undefined : toStored(row)
  }

  lastFinished (syncId: string): StoredExecution | undefined {
    const row = this.lastFinalOf.get({ sync: syncId })
    return row === undefined ? undefined : toStored(row)
  }

  latest (syncId: string): StoredExecution | undefined {
    const row = this.latestOf.get({ sync: syncId })
    return row === undefined ? undefined : toStored(row)
  }

  count (syncId: string): number {
    return this.countOf.get({ sync: syncId })?.n ?? 0
  }

  /**
   * A sync's executions, newest first (ascending: oldest first); terminal (bulk only_terminal,
   * ordered by when they finished) or completed only (model only_completed); paged by an opaque token.
   */
  list (
    kind: SyncKind,
    syncId: string,
    options: { ascending?: boolean; only?: 'terminal' | 'completed'; limit: number; page_token?: string }
  ): ExecutionPage {
    const offset = decodePageToken(options.page_token)
    const where =
      options.only === 'terminal'
        ? `AND NOT ${ACTIVE_SQL}`
        : options.only === 'completed'
          ? "AND status = 'completed'"
          : ''
    const order = options.only === 'terminal' ? 'updated_ms' : 'seq'
    const direction = options.ascending === true ? 'ASC' : 'DESC'
    const rows = this.listStatement(
      `SELECT ${COLUMNS} FROM executions WHERE ${kind === 'bulk' ? 'bulk_sync_id' : 'model_sync_id'} = ? ${where}
      ORDER BY ${order} ${direction}, seq ${direction} LIMIT ? OFFSET ?`
    ).all(syncId, options.limit + 1, offset)
    const page: ExecutionPage = { executions: rows.slice(0, options.limit).map(toStored) }
    if (rows.length > options.limit) page.next_page_token = encodePageToken(offset + options.limit)
    return page
  }

  /** Starts a run of a sync: created now, running at the runner's next turn. Call inside a transaction. */
  start (sync: SyncFacts, request: StartRequest): StoredExecution {
    if (this.active(sync.id) !== undefined) throw Errors.ExecutionRunning()
    const now = this.clock.now()
    const id = newId()
    this.insertRun(id, sync, request, this.plan(sync, request), {
      status: 'created',
      status_message: null,
      created_ms: now,
      started_ms: null,
      completed_ms: null,
      updated_ms: now,
      due_ms: now
    })
    // A sync keeps its newest runs only (RUNS_PER_SYNC, this one included): older finished ones go.
    for (const prune of this.pruneFinished) prune.run({ sync: sync.id, keep: this.runsPerSync - 1 })
    const started = this.find(id) as StoredExecution
    this.log(started, linesOf(started, 'created'), now)
    this.changed()
    return started
  }

  /** A run's console log, oldest first (GET .../consolelog). */
  consoleLog (execution: StoredExecution): ConsoleEntry[] {
    return JSON.parse(this.logOf.get(execution.id)?.console_log ?? '[]') as ConsoleEntry[]
  }

  /** The run writes lines to its console log at simulated `ms`. */
  private log (execution: StoredExecution, lines: readonly ConsoleLine[], ms: number): void {
    if (lines.length === 0) return
    const log = appendLines(this.consoleLog(execution), lines, ms, this.consoleLogEntries)
    this.writeLog.run(JSON.stringify(log), execution.id)
  }

  /** How the run will end: the first matching execution rule, else complete; counts drawn from the seeded source. */
  private plan (sync: SyncFacts, request: StartRequest): Plan {
    const rule = this.rules.fire(sync.kind, sync.id)
    const between = (min: number, max: number): number => min + Math.floor(this.random() * (max - min + 1))
    const given = request.schemas ?? []
    // A bulk run of schemas the source catalog has counts their rows, without errors, unless a rule says otherwise.
    const counted = given.length > 0 && given.every((s) => s.rows !== undefined) && rule?.record_count === undefined
    const records = counted ? given.reduce((sum, s) => sum + (s.rows ?? 0), 0) : rule?.record_count ?? between(10, 5000)
    const errors = Math.min(
      records,
      rule?.error_count ?? (counted ? 0 : between(1, Math.max(1, Math.min(25, records))))
    )
    const inserted = between(0, records)
    const schemas = given.map((schema) => ({
      schema: schema.id,
      output_name: schema.output_name,
      records: counted ? schema.rows ?? 0 : 0,
      errors: 0
    }))
    // Split the records (unless counted) and errors among the schemas: each gets its share, the last the rest.
    let recordsLeft = records
    let errorsLeft = errors
    schemas.forEach((schema, index) => {
      const last = index === schemas.length - 1
      if (!counted) schema.records = last ? recordsLeft : between(0, recordsLeft)
      schema.errors = last ? errorsLeft : Math.min(schema.records, between(0, errorsLeft))
      recordsLeft -= schema.records
      errorsLeft -= schema.errors
    })
    return {
      outcome: rule?.outcome ?? 'complete',
      message: rule?.message ?? null,
      records,
      errors,
      inserted,
      schemas,
      rule_id: rule?.id ?? null
    }
  }

  /** Makes every change that is due by now, oldest first. Call inside a transaction. */
  stepDue (now: number): number {
    const rows = this.dueRows.all(now)
    for (const row of rows) this.step(toStored(row))
    return rows.length
  }

  /** When the next change is due (simulated ms), or null. */
  nextDue (): number | null {
    return this.nextDueRow.get()?.due ?? null
  }

  /** The scheduled change: created to running, running to how the plan ends, canceling to canceled. */
  private step (execution: StoredExecution): void {
    switch (execution.status) {
      case 'created':
        this.moveTo(execution, 'running')
        break
      case 'running':
        this.moveTo(execution, finalOf(execution.plan.outcome === 'hang' ? 'complete' : execution.plan.outcome))
        break
      case 'canceling':
        this.moveTo(execution, 'canceled')
        break
      default:
        this.update.run({ ...this.columns(execution), due_ms: null })
    }
  }

  /**
   * POST /__admin/executions/:id/advance: the run's next state now (a hanging run completes), or
   * the named one, passing through running on the way from created. A finished run is a 409.
   * Call inside a transaction.
   */
  advance (id: string, target?: AdvanceTarget, message?: string): StoredExecution {
    const found = this.find(id)
    if (found === undefined) throw Errors.ExecutionNotFound()
    let execution: StoredExecution = found
    if (FINAL.has(execution.status)) throw Errors.ExecutionFinished()
    if (target === undefined) {
      this.step(execution)
    } else if (target === 'running') {
      if (execution.status !== 'created') {
        throw Errors.ExecutionStateConflict({
          message: `the execution is ${execution.status}: only a created execution moves to running`
        })
      }
      this.moveTo(execution, 'running')
    } else if (target === 'canceled') {
      this.moveTo(execution, 'canceled')
    } else if (target === 'hanging') {
      this.hold(execution)
    } else {
      if (execution.status === 'canceling') {
        throw Errors.ExecutionStateConflict({ message: 'the execution is canceling: it can only move to canceled' })
      }
      if (execution.status === 'created') {
        this.moveTo(execution, 'running')
        execution = this.find(id) as StoredExecution
      }
      this.moveTo(execution, target, message)
    }
    return this.find(id) as StoredExecution
  }

  /**
   * PUT .../executions/:id (SDK 1.18.1's modelSync.executions.update, which v25 dropped): a run set to a
   * state. Canceling or canceled asks it to stop, as cancel does; running, completed and failed move it there
   * now, as POST /__admin/executions/:id/advance does. The other states are the service's own to set: a 422.
   * A finished run is a 409. Call inside a transaction.
   */
  setStatus (execution: StoredExecution, status: string): StoredExecution {
    if (status === 'canceling' || status === 'canceled') return this.cancel(execution)
    if (status === 'running' || status === 'completed' || status === 'failed') {
      return this.advance(execution.id, status, status === 'failed' ? 'marked failed through the API' : undefined)
    }
    throw validationError('status', 'a run can be set to running, completed, failed, canceling or canceled')
  }

  /**
   * Asks a run to stop: canceling now, canceled at the runner's next turn. A finished run is a 409. Call
   * inside a transaction.
   */
  cancel (execution: StoredExecution): StoredExecution {
    if (FINAL.has(execution.status)) throw Errors.ExecutionFinished()
    if (execution.status !== 'canceling') {
      const now = this.clock.now()
      this.update.run({
        ...this.columns(execution),
        status: 'canceling',
        status_message: 'cancellation requested',
        updated_ms: now,
        due_ms: now
      })
      this.log(execution, linesOf(execution, 'canceling'), now)
      this.changed()
    }
    return this.find(execution.id) as StoredExecution
  }

  /**
   * POST /api/bulk/syncs/:id/schemas/:schema_id/cancel: one schema of the sync's run under way stops; it syncs
   * nothing and reports canceled, the others go on, and the run ends when they do (canceled itself when no schema
   * is left). What to answer. Call inside a transaction.
   */
  cancelSchema (syncId: string, schemaId: string): string {
    const running = this.active(syncId)
    if (running === undefined) return 'no execution is running'
    const schema = running.plan.schemas.find((s) => s.schema === schemaId)
    if (schema === undefined) return `schema ${schemaId} is not part of execution ${running.id}`
    if (running.status === 'canceling' || schema.canceled === true) {
      return `schema ${schemaId} of execution ${running.id} is already canceled`
    }
    const plan: Plan = { ...running.plan, schemas: running.plan.schemas.map((s) => ({ ...s })) }
    const target = plan.schemas.find((s) => s.schema === schemaId) as SchemaPlan
    plan.records -= target.records
    plan.errors = Math.max(0, plan.errors - target.errors)
    plan.inserted = Math.min(plan.inserted, plan.records)
    Object.assign(target, { records: 0, errors: 0, canceled: true })
    const now = this.clock.now()
    this.update.run({ ...this.columns(running), plan: JSON.stringify(plan), updated_ms: now })
    const after = this.find(running.id) as StoredExecution
    this.log(after, [{
      level: 'warn',
      message: `schema ${schemaId}: canceled`,
      payload: { schema_id: schemaId, output_name: target.output_name, status: 'canceled' }
    }], now)
    if (plan.schemas.every((s) => s.canceled === true)) this.cancel(after)
    this.changed()
    return `cancellation of schema ${schemaId} of execution ${running.id} requested`
  }

  /** POST .../cancel of a sync: its active run asked to stop; what to answer. Call inside a transaction. */
  cancelActive (syncId: string): string {
    const running = this.active(syncId)
    if (running === undefined) return 'no execution is running'
    this.cancel(running)
    return `cancellation of execution ${running.id} requested`
  }

  /** GET .../status of a sync: its active run and its last finished one, as the kind's view has them. */
  status (syncId: string): { current_execution?: Record<string, unknown>; last_execution?: Record<string, unknown> } {
    const current = this.active(syncId)
    const last = this.lastFinished(syncId)
    const status: { current_execution?: Record<string, unknown>; last_execution?: Record<string, unknown> } = {}
    if (current !== undefined) status.current_execution = this.view(current)
    if (last !== undefined) status.last_execution = this.view(last)
    return status
  }

  /**
   * The sync's active run canceled at once (its sync is being deleted): the canceled event goes out. Call
   * inside a transaction.
   */
  cancelForDeletion (syncId: string): void {
    const execution = this.active(syncId)
    if (execution !== undefined) this.moveTo(execution, 'canceled', 'the sync was deleted')
  }

  /**
   * Every active run that is not hanging taken to its end now (canceling ones to canceled), in
   * the order they started. Hanging runs are left (advance them). Call inside a transaction.
   */
  settle (): { finished: number; hanging: number } {
    let finished = 0
    let hanging = 0
    for (const row of this.activeRows.all()) {
      let execution = toStored(row)
      if (execution.status !== 'canceling' && execution.plan.outcome === 'hang') {
        if (execution.status === 'created') this.moveTo(execution, 'running')
        hanging++
        continue
      }
      while (!FINAL.has(execution.status)) {
        this.step(execution)
        execution = this.find(execution.id) as StoredExecution
      }
      finished++
    }
    return { finished, hanging }
  }

  /**
   * A run held where it is until it is advanced, as an execution rule's hang holds it: a created run still starts
   * running, then waits. A canceling run is a 409: it can only end.
   */
  private hold (execution: StoredExecution): void {
    if (execution.status === 'canceling') {
      throw Errors.ExecutionStateConflict({ message: 'the execution is canceling: it can only move to canceled' })
    }
    const plan: Plan = { ...execution.plan, outcome: 'hang' }
    this.update.run({
      ...this.columns(execution),
      plan: JSON.stringify(plan),
      due_ms: execution.status === 'created' ? execution.due_ms : null
    })
    this.changed()
  }

  /** The row's columns for an update. */
  private columns (execution: StoredExecution): Record<string, unknown> {
    return {
      id: execution.id,
      status: execution.status,
      status_message: execution.status_message,
      plan: JSON.stringify(execution.plan),
      started_ms: execution.started_ms,
      completed_ms: execution.completed_ms,
      updated_ms: execution.updated_ms,
      due_ms: execution.due_ms
    }
  }

  /** One state change, with its event. */
  private moveTo (
    execution: StoredExecution,
    to: 'running' | 'completed' | 'completed_with_errors' | 'failed' | 'canceled',
    message?: string
  ): void {
    const now = this.clock.now()
    const facts = this.facts(execution)
    const plan: Plan = { ...execution.plan }
    let status: string = to
    let statusMessage: string | null = null
    let due: number | null = null
    if (to === 'running') {
      due = plan.outcome === 'hang' ? null : now + this.runDurationMs
    } else if (to === 'completed_with_errors') {
      status = 'completed'
      plan.outcome = 'complete_with_errors'
      plan.errors = Math.max(1, plan.errors)
      plan.message = message ?? plan.message
      statusMessage = `completed with ${plan.errors} errors`
    } else if (to === 'failed') {
      plan.outcome = 'fail'
      plan.message = message ?? plan.message ?? 'simulated failure'
      statusMessage = plan.message
    } else if (to === 'completed') {
      plan.outcome = 'complete'
    } else {
      statusMessage = message ?? 'canceled'
    }
    this.update.run({
      id: execution.id,
      status,
      status_message: statusMessage,
      plan: JSON.stringify(plan),
      started_ms: execution.started_ms ?? (to === 'running' ? now : null),
      completed_ms: to === 'running' ? null : now,
      updated_ms: now,
      due_ms: due
    })
    const after = this.find(execution.id) as StoredExecution
    this.log(after, linesOf(after, to), now)
    if (facts !== undefined) {
      this.events.emit(
        facts.organization_id,
        EVENTS[facts.kind][to],
        eventPayload(EVENTS[facts.kind][to], facts, after)
      )
    }
    if (facts !== undefined && to === 'failed') {
      this.notifications.notify(facts.organization_id, 'sync_failed', `${facts.name} failed`, {
        sync_kind: facts.kind === 'bulk' ? 'bulk_sync' : 'model_sync',
        sync_id: facts.id,
        sync_name: facts.name,
        execution_id: after.id,
        error: after.status_message
      })
    }
    this.changed()
  }

  private facts (execution: StoredExecution): SyncFacts | undefined {
    return execution.kind === 'bulk' ? this.bulkFacts.get(execution.sync_id) : this.modelFacts.get(execution.sync_id)
  }

  /** BulkSyncExecution: the run, and each of its schemas with its share of the counts once completed. */
  bulkView (e: StoredExecution): Record<string, unknown> {
    const counts = countsOf(e)
    const completed = e.status === 'completed'
    const times = {
      created_at: iso(e.created_ms),
      started_at: iso(e.started_ms),
      completed_at: iso(e.completed_ms),
      updated_at: iso(e.updated_ms)
    }
    const view: Record<string, unknown> = {
      id: e.id,
      type: e.details.type,
      status: e.status,
      ...times,
      record_count: counts.records,
      error_count: counts.errors,
      warning_count: 0,
      is_test: e.details.is_test,
      is_resync: e.details.is_resync,
      is_partial: e.details.is_partial,
      output_disposition: e.details.output_disposition,
      schemas: e.plan.schemas.map((schema) => ({
        schema: schema.schema,
        output_name: schema.output_name,
        // BulkSchemaExecutionStatus has no canceling: a schema runs until its run (or it alone) is canceled.
        status: schema.canceled === true ? 'canceled' : e.status === 'canceling' ? 'running' : e.status,
        record_count: completed ? schema.records : 0,
        error_count: completed && e.plan.outcome === 'complete_with_errors' ? schema.errors : 0,
        warning_count: 0,
        ...times
      }))
    }
    if (e.status_message !== null) view.status_message = e.status_message
    if (e.details.fetch_mode !== null) view.fetch_mode = e.details.fetch_mode
    return view
  }

  /** GetExecutionResponseSchema (model syncs). */
  modelView (e: StoredExecution): Record<string, unknown> {
    const counts = countsOf(e)
    const errors =
      e.status === 'failed'
        ? [e.plan.message ?? 'simulated failure']
        : counts.errors > 0
          ? [e.plan.message ?? `${counts.errors} records were rejected by the destination`]
          : []
    return {
      id: e.id,
      type: e.details.type,
      status: e.status,
      created_at: iso(e.created_ms),
      started_at: iso(e.started_ms),
      completed_at: iso(e.completed_ms),
      errors,
      counts: {
        total: counts.records,
        insert: counts.inserted,
        update: counts.records - counts.inserted - counts.errors,
        upserts: 0,
        delete: 0,
        error: counts.errors,
        warnings: 0
      }
    }
  }

  view (e: StoredExecution): Record<string, unknown> {
    return e.kind === 'bulk' ? this.bulkView(e) : this.modelView(e)
  }

  /**
   * An execution from a fixture document: history (a finished run) or a run to pick up (one per sync at
   * most). Call inside a transaction.
   */
  load (sync: SyncFacts, fixture: FixtureExecution): void {
    if (!FINAL.has(fixture.status) && this.active(sync.id) !== undefined) {
      throw validationError('status', 'a sync has at most one active execution')
    }
    const created = fixtureTime(fixture.created_at, 'created_at')
    const started = fixture.started_at === undefined ? null : fixtureTime(fixture.started_at, 'started_at')
    const completed = fixture.completed_at === undefined ? null : fixtureTime(fixture.completed_at, 'completed_at')
    const status = fixture.status
    const outcome: Outcome =
      status === 'failed' ? 'fail' : (fixture.error_count ?? 0) > 0 ? 'complete_with_errors' : 'complete'
    const records = fixture.record_count ?? 0
    const errors = fixture.error_count ?? 0
    const schemas = (fixture.schemas ?? []).map((s) => ({
      schema: s.schema,
      output_name: s.output_name ?? outputName(s.schema),
      records: s.record_count ?? 0,
      errors: s.error_count ?? 0,
      ...(s.canceled === true ? { canceled: true } : {})
    }))
    const plan: Plan = {
      outcome,
      message: fixture.status_message ?? null,
      records,
      errors,
      inserted: Math.min(records, fixture.inserted_count ?? records),
      schemas,
      rule_id: null
    }
    const request: StartRequest = { trigger: fixture.trigger ?? 'manual', test: fixture.is_test }
    const active = !FINAL.has(status)
    const id = canonicalId(fixture.id)
    this.insertRun(id, sync, request, plan, {
      status,
      status_message: fixture.status_message ?? null,
      created_ms: created,
      started_ms: started,
      completed_ms: completed,
      updated_ms: completed ?? started ?? created,
      due_ms: active ? (status === 'running' ? (started ?? created) + this.runDurationMs : created) : null
    })
    const loaded = this.find(id) as StoredExecution
    if (fixture.console_log !== undefined) {
      const kept = fixture.console_log.slice(Math.max(0, fixture.console_log.length - this.consoleLogEntries))
      this.writeLog.run(JSON.stringify(kept.map((entry) => ({ payload: {}, ...entry }))), id)
    } else {
      // The lines of the states it has been through, each at the time it reached it.
      this.log(loaded, linesOf(loaded, 'created'), created)
      if (started !== null) this.log(loaded, linesOf(loaded, 'running'), started)
      if (status === 'canceling') {
        this.log(loaded, linesOf(loaded, 'canceling'), started ?? created)
      }
      if (!active) {
        const end = status === 'completed' && plan.outcome === 'complete_with_errors' ? 'completed_with_errors' : status
        this.log(loaded, linesOf(loaded, end), completed ?? started ?? created)
      }
    }
  }

  private insertRun (
    id: string,
    sync: SyncFacts,
    request: StartRequest,
    plan: Plan,
    state: Pick<
      ExecutionRow,
      'status' | 'status_message' | 'created_ms' | 'started_ms' | 'completed_ms' | 'updated_ms' | 'due_ms'
    >
  ): void {
    this.insert.run({
      id,
      organization_id: sync.organization_id,
      bulk_sync_id: sync.kind === 'bulk' ? sync.id : null,
      model_sync_id: sync.kind === 'model' ? sync.id : null,
      trigger: request.trigger,
      plan: JSON.stringify(plan),
      details: JSON.stringify(details(sync.kind, request)),
      ...state
    })
  }

  /** Executions as a fixture document holds them, oldest first. */
  exportAll (): FixtureExecution[] {
    return this.all
      .all()
      .map(toStored)
      .map((e) => {
        const counts = countsOf(e)
        const fixture: FixtureExecution = {
          id: e.id,
          sync_id: e.sync_id,
          status: e.status as FixtureExecution['status'],
          trigger: e.trigger as 'manual' | 'schedule',
          created_at: iso(e.created_ms) as string
        }
        if (e.started_ms !== null) fixture.started_at = iso(e.started_ms)
        if (e.completed_ms !== null) fixture.completed_at = iso(e.completed_ms)
        if (e.status_message !== null) fixture.status_message = e.status_message
        if (e.details.is_test) fixture.is_test = true
        fixture.record_count = counts.records
        fixture.error_count = counts.errors
        fixture.inserted_count = counts.inserted
        if (e.plan.schemas.length > 0) {
          fixture.schemas = e.plan.schemas.map((s) => ({
            schema: s.schema,
            output_name: s.output_name,
            record_count: s.records,
            error_count: s.errors,
            ...(s.canceled === true ? { canceled: true } : {})
          }))
        }
        const log = this.consoleLog(e)
        if (log.length > 0) fixture.console_log = log
        return fixture
      })
  }
}

/** A schema's default output name: its id with every character a table name cannot hold as "_". */
export function outputName (schemaId: string): string {
  return schemaId.replace(/[^A-Za-z0-9_]/g, '_')
}

function finalOf (outcome: Exclude<Outcome, 'hang'>): 'completed' | 'failed' | 'completed_with_errors' {
  return outcome === 'complete' ? 'completed' : outcome === 'fail' ? 'failed' : 'completed_with_errors'
}

function details (kind: SyncKind, request: StartRequest): Details {
  const resync = request.resync === true || request.resync_mode !== undefined
  const type = request.test === true ? 'test' : (request.resync_mode ?? (request.resync === true ? 'resync' : 'normal'))
  return {
    type,
    is_test: request.test === true,
    is_resync: resync,
    is_partial: request.partial === true,
    fetch_mode: kind === 'bulk' ? (request.fetch_mode ?? (resync ? 'full' : 'incremental')) : null,
    output_disposition:
      request.resync_mode === 'rebuild' ? 'rebuild' : request.resync_mode === 'resync' ? 'truncate' : 'retain',
    identities: request.identities ?? []
  }
}

/** The counts a run shows: none until it has completed. */
function countsOf (e: StoredExecution): { records: number; errors: number; inserted: number } {
  if (e.status !== 'completed') return { records: 0, errors: 0, inserted: 0 }
  const errors = e.plan.outcome === 'complete_with_errors' ? e.plan.errors : 0
  return { records: e.plan.records, errors, inserted: Math.min(e.plan.inserted, e.plan.records - errors) }
}

/** An event's payload: the fields of its type, from the run and its sync. */
function eventPayload (type: EventType, sync: SyncFacts, e: StoredExecution): Record<string, unknown> {
  const counts = countsOf(e)
  const all: Record<string, unknown> = {
    execution_id: e.id,
    organization_id: sync.organization_id,
    sync_id: sync.id,
    sync_name: sync.name,
    target_connection_id: sync.target_connection_id,
    source_connection_id: sync.source_connection_id,
    destination_connection_id: sync.destination_connection_id,
    status: e.status,
    trigger: e.trigger,
    trigger_source: e.trigger,
    error: e.plan.message ?? e.status_message ?? `${counts.errors} records were rejected by the destination`,
    record_count: counts.records,
    inserted_count: counts.inserted,
    updated_count: counts.records - counts.inserted - counts.errors,
    upserted_count: 0,
    error_count: counts.errors,
    warning_count: 0,
    number_of_errors: counts.errors,
    number_of_warnings: 0,
    ...NO_RECORD_LISTS
  }
  const payload = payloadOf(type, all)
  // Beyond the SDK's fields: the schemas bulkSync.schemas.cancel stopped, on the end of a run that had any.
  const canceled = e.plan.schemas.filter((s) => s.canceled === true).map((s) => s.schema)
  if (canceled.length > 0 && e.status !== 'running') payload.canceled_schemas = canceled
  return payload
}

/** What a run writes to its console log as it reaches a state (the state it is now in, its plan, its counts). */
function linesOf (
  e: StoredExecution,
  to: 'created' | 'running' | 'canceling' | 'completed' | 'completed_with_errors' | 'failed' | 'canceled'
): ConsoleLine[] {
  const schemas = e.plan.schemas
  // A schema canceled on its own said so then: the run's end speaks for the others.
  const going = schemas.filter((s) => s.canceled !== true)
  const counts = countsOf(e)
  const schemaLine = (
    schema: SchemaPlan,
    level: ConsoleLine['level'],
    message: string,
    extra: Record<string, unknown>
  ): ConsoleLine => ({
    level,
    message: `schema ${schema.schema}: ${message}`,
    payload: { schema_id: schema.schema, output_name: schema.output_name, ...extra }
  })
  switch (to) {
    case 'created':
      return [
        {
          level: 'info',
          message: `execution queued (${e.trigger}${e.details.is_test ? ', test' : ''})`,
          payload: {
            status: 'created',
            trigger: e.trigger,
            type: e.details.type,
            schema_ids: schemas.map((s) => s.schema)
          }
        }
      ]
    case 'running':
      return [
        { level: 'info', message: 'execution running', payload: { status: 'running' } },
        ...schemas.map((s) =>
          schemaLine(s, 'info', `syncing to ${s.output_name}`, { status: 'running' })
        )
      ]
    case 'canceling':
      return [{ level: 'warn', message: 'cancellation requested', payload: { status: 'canceling' } }]
    case 'completed':
    case 'completed_with_errors': {
      const withErrors = counts.errors > 0
      return [
        ...going.map((s) => {
          const errors = withErrors ? s.errors : 0
          return schemaLine(
            s,
            errors > 0 ? 'warn' : 'info',
            `${s.records} records synced${errors > 0 ? `, ${errors} rejected` : ''}`,
            { status: 'completed', record_count: s.records, error_count: errors }
          )
        }),
        {
          level: withErrors ? 'warn' : 'info',
          message:
            `execution completed: ${counts.records} records` +
            (withErrors ? ` with ${counts.errors} errors${e.plan.message === null ? '' : ` (${e.plan.message})`}` : ''),
          payload: { status: 'completed', record_count: counts.records, error_count: counts.errors }
        }
      ]
    }
    case 'failed':
      return [
        ...going.map((s) => schemaLine(s, 'error', 'stopped', { status: 'failed' })),
        {
          level: 'error',
          message: `execution failed: ${e.status_message ?? 'simulated failure'}`,
          payload: { status: 'failed', error: e.status_message ?? 'simulated failure' }
        }
      ]
    case 'canceled':
      return [
        ...going.map((s) => schemaLine(s, 'warn', 'canceled', { status: 'canceled' })),
        {
          level: 'warn',
          message: `execution canceled: ${e.status_message ?? 'canceled'}`,
          payload: { status: 'canceled' }
        }
      ]
  }
}
