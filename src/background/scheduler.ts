import type { Statement } from 'better-sqlite3'
import { nextRunAfter, type ScheduleParts } from '../store/syncs/schedule.js'
import { scheduleParts, type BulkSyncRepository, type StoredBulkSync } from '../store/syncs/bulk-syncs.js'
import type { Db } from '../store/db.js'
import type { ExecutionRepository } from '../store/syncs/executions.js'
import type { ModelSyncRepository, StoredModelSync } from '../store/syncs/model-syncs.js'

/**
 * Simulated scheduling (SYNC_SCHEDULING): an active sync runs when its schedule (a bulk sync's
 * additional schedules too) comes round on simulated time. Each sync keeps an anchor: the last time
 * scheduling looked at it (its creation or activation at first); a schedule that came round one or
 * more times since then starts one run (missed runs are not made up), unless a run is active.
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

  private schedulesOf (sync: StoredBulkSync | StoredModelSync, kind: 'bulk' | 'model'): ScheduleParts[] {
    const own = sync.definition.schedule
    return kind === 'bulk' ? [own, ...this.bulkSyncs.schedules(sync.id).map((s) => scheduleParts(s.schedule))] : [own]
  }

  /**
   * The first time after `after` that any of the sync's schedules comes round, or null (manual, or not run by
   * the clock).
   */
  private nextAfter (sync: StoredBulkSync | StoredModelSync, kind: 'bulk' | 'model', after: number): number | null {
    let next: number | null = null
    for (const schedule of this.schedulesOf(sync, kind)) {
      const at = nextRunAfter(schedule, after)
      if (at !== null && (next === null || at < next)) next = at
    }
    return next
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
      let next = this.nextAfter(sync, kind, sync.schedule_anchor_ms)
      if (next !== null && next <= now) {
        ;(kind === 'bulk' ? this.anchorBulk : this.anchorModel).run(now, sync.id)
        if (this.executions.active(sync.id) === undefined) {
          const request =
            kind === 'bulk'
              ? this.bulkSyncs.startRequest(sync as StoredBulkSync, {}, 'schedule')
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
