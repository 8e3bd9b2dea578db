/**
 * Simulated time: the wall clock plus an offset that a test moves forward (POST /__admin/clock,
 * sim.advanceClock) instead of waiting. Event times, the event log's retention and the delivery
 * queue's due times read it. Only reset moves it back (to the wall clock), and reset also takes
 * the world back to its baseline, so the event log never holds events from a later time.
 */
import { validationError } from '../core/errors.js'

/**
 * The latest simulated time there can be. Every time the simulator derives from "now" (retries,
 * runs, schedules, retention) must stay a date JavaScript can represent and print with a four-digit
 * year, so simulated time stops well short of JavaScript's last date (+275760).
 */
export const LATEST_SIMULATED_MS = Date.UTC(9000, 0, 1)

export class Clock {
  private offset = 0
  private readonly listeners = new Set<() => void>()

  /** Milliseconds since the epoch, simulated. */
  now (): number {
    return Date.now() + this.offset
  }

  get offsetMs (): number {
    return this.offset
  }

  /**
   * Moves simulated time forward; whatever waits on it (due deliveries) is told. A move past
   * LATEST_SIMULATED_MS is refused (422 naming advance_s) and changes nothing.
   */
  advance (ms: number): void {
    const step = Math.max(0, Math.floor(ms))
    const left = LATEST_SIMULATED_MS - this.now()
    if (step > left) {
      const latest = new Date(LATEST_SIMULATED_MS).toISOString()
      throw validationError(
        'advance_s',
        `would move simulated time past ${latest}: at most ${Math.max(0, Math.floor(left / 1000))} seconds are ` +
          'left (POST /__admin/reset puts it back)'
      )
    }
    this.offset += step
    for (const listener of this.listeners) listener()
  }

  /** Back on the wall clock (reset). */
  reset (): void {
    this.offset = 0
    for (const listener of this.listeners) listener()
  }

  /** Called after every move; returns the function that stops it. */
  onMove (listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
