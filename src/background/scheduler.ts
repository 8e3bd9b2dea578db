import type { Statement } from 'better-sqlite3'
import { nextRunAfter, type ScheduleParts } from '../store/syncs/schedule.js'
import { scheduleParts, type BulkSyncRepository, type StoredBulkSync } from '../store/syncs/bulk-syncs.js'
import type { Db } from '../store/db.js'
import type { ExecutionRepository } from '../store/syncs/executions.js'
import type { ModelSyncRepository, StoredModelSync } from '../store/syncs/model-syncs.js'
import type { StartBulkSyncInput } from '../http/schemas/syncs.js'

/** A schedule, and the run it starts when it comes round. */
interface ScheduledRun {
  parts: ScheduleParts
  start: StartBulkSyncInput
}

/**
 * Simulated scheduling (SYNC_SCHEDULING): an active sync runs when its schedule (a bulk sync's
 * additional schedules too) comes round on simulated time. Each sync keeps an anchor: the last time
 * scheduling looked at it (its creation or activation at first); a schedule that came round one or
 * more times since then starts one run (missed runs are not made up), unless a run is active. An additional
 * schedule's run has its resync mode and schemas.
 */
export class SyncScheduler {
  private readonly anchorBulk: Statement<[number, string]>
  private readonly anchorModel: Statement<[number, string]>

  constructor (
    db: Db,
    private readonly bulkSyncs: BulkSyncRepository,
    private readonly modelSyncs: ModelSyncRepository,
    private readonly executions: ExecutionRepository
  ) {
    this.anchorBulk = db.prepare('UPDATE bulk_syncs SET schedule_anchor_ms = ? WHERE id = ?')
    this.anchorModel = db.prepare('UPDATE model_syncs SET schedule_anchor_ms = ? WHERE id = ?')
  }

  /**
   * A sync's schedules, each with the run it asks for: the sync's own (a normal run), and a bulk sync's
   * additional ones (their resync mode and schemas, 2025-09-18's additional_schedules).
   */
  private schedulesOf (sync: StoredBulkSync | StoredModelSync, kind: 'bulk' | 'model'): ScheduledRun[] {
    const own = { parts: sync.definition.schedule, start: {} }
    if (kind === 'model') return [own]
    const schemaIds = new Set(this.bulkSyncs.schemas(sync.id).map((s) => s.id))
    return [
      own,
      ...this.bulkSyncs.schedules(sync.id).map((s) => {
        const mode = s.schedule.syncMode
        // A schema dropped from the sync since is left out; none left means all, as none named does.
        const schemas = (s.schedule.schemas ?? []).filter((id) => schemaIds.has(id))
        const start: StartBulkSyncInput = {}
        if (mode === 'refetch' || mode === 'resync' || mode === 'rebuild') start.resync_mode = mode
        if (schemas.length > 0) start.schemas = schemas
        return { parts: scheduleParts(s.schedule), start }
      })
    ]
  }

  /**
   * The first time after `after` that any of the sync's schedules comes round, and the run it asks for; null
   * when none does (manual, or not run by the clock).
   */
  private nextRun (
    sync: StoredBulkSync | StoredModelSync,
    kind: 'bulk' | 'model',
    after: number
  ): { at: number; start: StartBulkSyncInput } | null {
    let next: { at: number; start: StartBulkSyncInput } | null = null
    for (const schedule of this.schedulesOf(sync, kind)) {
      const at = nextRunAfter(schedule.parts, after)
      if (at !== null && (next === null || at < next.at)) next = { at, start: schedule.start }
    }
    return next
  }

  private nextAfter (sync: StoredBulkSync | StoredModelSync, kind: 'bulk' | 'model', after: number): number | null {
    return this.nextRun(sync, kind, after)?.at ?? null
  }

  /**
   * next_execution_time of a status: when an active sync's schedule next comes round (whether or not
   * scheduling is on), or undefined.
   */
  nextExecution (sync: StoredBulkSync | StoredModelSync, kind: 'bulk' | 'model', now: number): string | undefined {
    const next = sync.active ? this.nextAfter(sync, kind, Math.max(sync.schedule_anchor_ms, now)) : null
    return next === null ? undefined : new Date(next).toISOString()
  }

  /**
   * Starts the runs whose schedules have come round by now; returns when the next one is due. Call inside a
   * transaction.
   */
  startDue (now: number): number | null {
    let earliest: number | null = null
    const consider = (sync: StoredBulkSync | StoredModelSync, kind: 'bulk' | 'model'): void => {
      if (!sync.active) return
      const due = this.nextRun(sync, kind, sync.schedule_anchor_ms)
      let next = due?.at ?? null
      if (due !== null && due.at <= now) {
        ;(kind === 'bulk' ? this.anchorBulk : this.anchorModel).run(now, sync.id)
        if (this.executions.active(sync.id) === undefined) {
          const request =
            kind === 'bulk'
              ? this.bulkSyncs.startRequest(sync as StoredBulkSync, due.start, 'schedule')
              : this.modelSyncs.startRequest({}, 'schedule')
          this.executions.start(
            kind === 'bulk'
              ? this.bulkSyncs.facts(sync as StoredBulkSync)
              : this.modelSyncs.facts(sync as StoredModelSync),
            request
          )
        }
        next = this.nextAfter(sync, kind, now)
      }
      if (next !== null && (earliest === null || next < earliest)) earliest = next
    }
    for (const sync of this.bulkSyncs.listAll()) consider(sync, 'bulk')
    for (const sync of this.modelSyncs.listAll()) consider(sync, 'model')
    return earliest
  }
}
