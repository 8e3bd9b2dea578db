/**
 * Answers to GET requests, kept while the database stays as it was when they were computed. An
 * answer is keyed by everything it depends on: the credential (its digest, and the organization a
 * Basic credential names), the API version and the URL. Every write anywhere changes the database's
 * write generation (Store.writeGeneration), and the first lookup after that drops every answer, so
 * nothing stale is ever served. Only routes that read the database and nothing else (no simulated
 * time, no test-control state) opt in: see `cacheable` in src/http/plugins/response-cache.ts.
 */
export interface CachedResponse {
  headers: Record<string, string>
  payload: string
}

export interface ResponseCacheLimits {
  /** Answers kept at most; the whole cache is dropped when a new one would pass it. */
  entries: number
  /** Bytes of payload kept at most, likewise. */
  bytes: number
}

export class ResponseCache {
  private readonly answers = new Map<string, CachedResponse>()
  private generation = -1
  private bytes = 0

  constructor (private readonly limits: ResponseCacheLimits = { entries: 10_000, bytes: 16 * 1024 * 1024 }) {}

  /** The answer for key, if it was computed at this write generation. */
  get (key: string, generation: number): CachedResponse | undefined {
    if (generation !== this.generation) {
      this.clear()
      this.generation = generation
      return undefined
    }
    return this.answers.get(key)
  }

  /** Keeps an answer computed at `generation`; one from an older generation is not kept. */
  set (key: string, generation: number, answer: CachedResponse): void {
    if (generation !== this.generation) return
    if (this.answers.size >= this.limits.entries || this.bytes + answer.payload.length > this.limits.bytes) this.clear()
    if (answer.payload.length > this.limits.bytes) return
    this.answers.set(key, answer)
    this.bytes += answer.payload.length
  }

  clear (): void {
    this.answers.clear()
    this.bytes = 0
  }

  get size (): number {
    return this.answers.size
  }
}
