import type { FastifyBaseLogger } from 'fastify'
import type { Clock } from './clock.js'
import type { Store } from './store/index.js'

export interface RunnerOptions {
  /** SYNC_SCHEDULING: start runs when schedules come round on simulated time. */
  scheduling: boolean
}

/** How long the runner waits after an unexpected error before it looks again (it never spins). */
const ERROR_BACKOFF_MS = 1000

/**
 * The background worker of sync runs and jobs. It wakes when a run starts or changes, when a timer
 * for the next due change fires, and when simulated time moves; each turn makes every due change in
 * one transaction (the events they emit go to the delivery queue). close() stops it: nothing is
 * left running, and what was due stays in the database for the next start (a file database resumes).
 */
export class SyncRunner {
  private timer: NodeJS.Timeout | null = null
  private scheduled = false
  private closed = false
  private readonly unsubscribe: Array<() => void>

  constructor (private readonly store: Store, private readonly clock: Clock, private readonly log: FastifyBaseLogger, private readonly options: RunnerOptions) {
    this.unsubscribe = [store.executions.onChange(() => this.wake()), store.jobs.onChange(() => this.wake()), clock.onMove(() => this.wake())]
  }

  start (): void {
    this.wake()
  }

  /** Looks for due work on the next turn of the event loop (after the transaction that changed something). */
  wake (): void {
    if (this.closed || this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      this.tick()
    })
  }

  private tick (): void {
    if (this.closed) return
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
    const now = this.clock.now()
    let next: number | null
    try {
      next = this.store.transaction(() => {
        this.store.executions.stepDue(now)
        this.store.jobs.finishDue(now)
        const scheduled = this.options.scheduling ? this.store.scheduler.startDue(now) : null
        return earliest(earliest(this.store.executions.nextDue(), this.store.jobs.nextDue()), scheduled)
      })
    } catch (err) {
      this.log.error({ err }, 'sync runner: a turn failed; trying again shortly')
      next = now + ERROR_BACKOFF_MS
    }
    if (next !== null) {
      this.timer = setTimeout(() => this.wake(), Math.min(Math.max(0, next - this.clock.now()), 2 ** 31 - 1))
      this.timer.unref()
    }
  }

  /** Stops the worker; no timer is left. Safe to call twice. */
  close (): void {
    if (this.closed) return
    this.closed = true
    for (const stop of this.unsubscribe) stop()
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }
}

function earliest (a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b)
}
