/**
 * Simulated time: the wall clock plus an offset that a test moves forward (POST /__admin/clock,
 * sim.advanceClock) instead of waiting. Event times, the event log's retention and the delivery
 * queue's due times read it. Only reset moves it back (to the wall clock), and reset also takes
 * the world back to its baseline, so the event log never holds events from a later time.
 */
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

  /** Moves simulated time forward; whatever waits on it (due deliveries) is told. */
  advance (ms: number): void {
    this.offset += Math.max(0, Math.floor(ms))
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
