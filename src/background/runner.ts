import type { FastifyBaseLogger } from 'fastify'
import type { Clock } from '../control/clock.js'
import type { Store } from '../store/index.js'
import { Worker } from './worker.js'

export interface RunnerOptions {
  /** SYNC_SCHEDULING: start runs when schedules come round on simulated time. */
  scheduling: boolean
}

/** How long the runner waits after an unexpected error before it looks again (it never spins). */
const ERROR_BACKOFF_MS = 1000

/**
 * The background worker of sync runs, jobs (queries too) and schema refreshes. It wakes when a run starts or
 * changes, when a timer for the next due change fires, and when simulated time moves; each turn makes every
 * due change in one transaction (the events they emit go to the delivery queue). close() stops it: nothing is
 * left running, and what was due stays in the database for the next start (a file database resumes).
 */
export class SyncRunner extends Worker {
  private readonly unsubscribe: Array<() => void>

  constructor (
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: FastifyBaseLogger,
    private readonly options: RunnerOptions
  ) {
    super()
    this.unsubscribe = [
      store.executions.onChange(() => this.wake()),
      store.jobs.onChange(() => this.wake()),
      store.catalogs.onChange(() => this.wake()),
      clock.onMove(() => this.wake())
    ]
  }

  protected turn (): void {
    const now = this.clock.now()
    let next: number | null
    try {
      next = this.store.transaction(() => {
        this.store.executions.stepDue(now)
        this.store.jobs.finishDue(now)
        this.store.catalogs.finishDue(now)
        const scheduled = this.options.scheduling ? this.store.scheduler.startDue(now) : null
        const { executions, jobs, catalogs } = this.store
        const due = [executions.nextDue(), jobs.nextDue(), catalogs.nextDue(), scheduled]
        return due.reduce(earliest, null)
      })
    } catch (err) {
      this.log.error({ err }, 'sync runner: a turn failed; trying again shortly')
      next = now + ERROR_BACKOFF_MS
    }
    if (next !== null) this.wakeIn(next - this.clock.now())
  }

  /** Stops the worker; no timer is left. Safe to call twice. */
  close (): void {
    if (this.closed) return
    this.stop()
    for (const stop of this.unsubscribe) stop()
  }
}

function earliest (a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b)
}
