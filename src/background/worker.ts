/**
 * What the background workers share (webhook deliveries, sync runs): a turn of work runs on the
 * next turn of the event loop after whatever woke it (so after the transaction that changed
 * something), at most one turn is pending at a time, a timer wakes it for the next due work without
 * keeping the process alive, and once closed nothing runs again.
 */
export abstract class Worker {
  private timer: NodeJS.Timeout | null = null
  private scheduled = false
  private stopped = false

  /** One turn: look at what is due and do it. */
  protected abstract turn (): void

  get closed (): boolean {
    return this.stopped
  }

  /** Starts working through what is already due (left by a previous run of a file database, say). */
  start (): void {
    this.wake()
  }

  /** Runs a turn on the next turn of the event loop. */
  wake (): void {
    if (this.stopped || this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      if (this.stopped) return
      this.clearTimer()
      this.turn()
    })
  }

  /** Wakes again after delayMs (one timer at a time; it does not keep the process alive). */
  protected wakeIn (delayMs: number): void {
    this.clearTimer()
    this.timer = setTimeout(() => this.wake(), Math.min(Math.max(0, delayMs), 2 ** 31 - 1))
    this.timer.unref()
  }

  private clearTimer (): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  /** Stops for good: no timer is left and no turn runs again. Safe to call twice. */
  protected stop (): void {
    this.stopped = true
    this.clearTimer()
  }
}
