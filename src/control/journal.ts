/**
 * The request journal: recent /api requests, newest first when read. It is bounded in entries and
 * in bytes, and keeps bodies as text (so an entry always serializes, whatever was sent). Recording
 * is one ring write of what the request path already holds; the rest is done when an entry is
 * read: secrets are replaced then (src/core/secrets.ts), so no reader ever sees one, and texts are cut
 * to JOURNAL_BODY_BYTES then. A text that is surely over that bound is cut when recorded, so the
 * journal never holds more than the bound of any one text.
 */
import { parseOrText } from '../core/json.js'
import { LIMITS } from '../core/limits.js'
import { redactJsonText, redactSecrets } from '../core/secrets.js'

export interface JournalEntry {
  id: number
  time: string
  method: string
  path: string
  query: Record<string, unknown>
  headers: Record<string, unknown>
  /** The body as sent: parsed when it is whole JSON, else the text itself (cut short when body_truncated). */
  body: unknown
  /** The body's size in bytes as sent (0 for none). */
  body_size: number
  body_truncated: boolean
  status: number
  response: unknown
  response_size: number
  response_truncated: boolean
  duration_ms: number
  partner_id: string | null
  organization_id: string | null
  /** The id of the fault rule that answered or delayed this request, if any. */
  fault: string | null
  /**
   * The id of the entry this request repeats, when it is a client's retry: the same caller sent the same method,
   * path, query and body (or the same Idempotency-Key) just before, and was answered with a status clients retry
   * (408, 409, 429, 5xx). The official SDKs retry those twice: one refused call is three entries, two of them
   * retries.
   */
  retry_of: number | null
}

/** What the request path hands over: texts as sent and served, and the time as epoch milliseconds. */
export interface JournalRecord {
  time: number
  method: string
  path: string
  query: Record<string, unknown>
  headers: Record<string, unknown>
  /** The request body as received, or null when none was read. */
  body: string | null
  /** The body's size when it was never read (a 413): from Content-Length. */
  unreadBodySize?: number
  status: number
  response: string | null
  duration_ms: number
  partner_id: string | null
  organization_id: string | null
  fault: string | null
}

export interface JournalLimits {
  /** Entries kept; 0 turns the journal off. */
  entries: number
  /** The most bytes kept of one request body, and of one response; the rest is cut. */
  bodyBytes: number
  /** The most bytes all entries may hold together; the oldest go first. The newest entry is always kept. */
  totalBytes: number
}

export interface JournalFilter {
  method?: string
  /** Exact path, or a prefix ending in "*". */
  path?: string
  status?: number
  partner_id?: string
  organization_id?: string
  /** An id (a user's, a connection's, a run's...): entries whose path, query or response names it. */
  touches?: string
  /** ISO 8601 time: entries at or after it. */
  since?: string
  /** Entries after this id (newer than it): what a follower has not seen yet. */
  after?: number
  limit?: number
}

interface BoundedText {
  text: string | null
  size: number
  truncated: boolean
}

/** A text as recorded: as sent (bounded when read), or already bounded when it was surely too long to keep whole. */
type KeptText = string | BoundedText | null

interface StoredEntry extends Omit<JournalRecord, 'body' | 'response' | 'unreadBodySize'> {
  id: number
  retryOf: number | null
  body: KeptText
  /** The body's size when it was never read (a 413). */
  unreadBodySize: number | undefined
  response: KeptText
  /** What this entry counts against the byte budget. */
  bytes: number
}

/** How far back a retry's first attempt is looked for: entries, and milliseconds. */
const RETRY_LOOKBACK = 64
const RETRY_WINDOW_MS = 120_000

/** Statuses the official SDKs retry (1.18.1: 408, 409, 429, 5xx; v25 the same but 409). */
function retryable (status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500
}

function sameText (a: KeptText, b: KeptText): boolean {
  if (a === null || b === null || typeof a === 'string' || typeof b === 'string') return a === b
  return a.size === b.size && a.text === b.text
}

/** The size of a body as sent, read or not. */
function sizeOf (entry: StoredEntry): number | undefined {
  if (entry.body === null) return entry.unreadBodySize
  return typeof entry.body === 'string' ? Buffer.byteLength(entry.body) : entry.body.size
}

/**
 * Two requests' bodies are the same: the same text, or, where one was never read (a fault answered it before the
 * route did), the same size.
 */
function sameBody (before: StoredEntry, entry: StoredEntry): boolean {
  const bothRead = before.unreadBodySize === undefined && entry.unreadBodySize === undefined
  if (bothRead) return sameText(before.body, entry.body)
  return sizeOf(before) === sizeOf(entry)
}

function sameQuery (a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const names = Object.keys(a)
  return names.length === Object.keys(b).length && names.every((name) => String(a[name]) === String(b[name]))
}

/** Bytes charged to every entry for its fixed fields and bookkeeping. */
const ENTRY_OVERHEAD = 256

/** The path of a URL, without its query. */
export function pathOf (url: string): string {
  const q = url.indexOf('?')
  return q === -1 ? url : url.slice(0, q)
}

/** "/api/organizations/*" matches every path under that prefix; anything else must match exactly. */
export function pathMatches (pattern: string, path: string): boolean {
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern
}

/**
 * Secrets out, then at most `cap` bytes of UTF-8 (never half a character). A cut text is copied
 * into a string of its own, so the journal never pins the whole body through a slice of it.
 */
function bound (text: string | null, cap: number): BoundedText {
  if (text === null || text === '') return { text: null, size: 0, truncated: false }
  const size = Buffer.byteLength(text)
  const redacted = redactJsonText(text, LIMITS.jsonDepth)
  if ((redacted === text ? size : Buffer.byteLength(redacted)) <= cap) return { text: redacted, size, truncated: false }
  const buffer = Buffer.allocUnsafe(cap)
  const written = buffer.write(redacted, 'utf8')
  return { text: buffer.toString('utf8', 0, written), size, truncated: true }
}

/** Roughly what a flat record of strings holds (headers, query); for...in, as this runs on every request. */
function sizeOfStrings (record: Record<string, unknown>): number {
  let bytes = 0
  for (const name in record) bytes += name.length + String(record[name]).length
  return bytes
}

export class Journal {
  private readonly ring: Array<StoredEntry | undefined>
  private head = 0
  private count = 0
  private bytes = 0
  private lastId = 0
  private readonly listeners = new Set<(id: number) => void>()

  constructor (readonly limits: JournalLimits) {
    this.ring = new Array<StoredEntry | undefined>(limits.entries)
  }

  get enabled (): boolean {
    return this.limits.entries > 0
  }

  /** The bytes the kept entries hold, as charged against JOURNAL_BYTES. */
  get heldBytes (): number {
    return this.bytes
  }

  record (entry: JournalRecord): void {
    if (!this.enabled) return
    const cap = this.limits.bodyBytes
    const stored: StoredEntry = {
      id: ++this.lastId,
      retryOf: null,
      time: entry.time,
      method: entry.method,
      path: entry.path,
      query: entry.query,
      headers: entry.headers,
      body: keep(entry.body, cap),
      unreadBodySize: entry.unreadBodySize,
      status: entry.status,
      response: keep(entry.response, cap),
      duration_ms: entry.duration_ms,
      partner_id: entry.partner_id,
      organization_id: entry.organization_id,
      fault: entry.fault,
      bytes: 0
    }
    stored.bytes =
      ENTRY_OVERHEAD +
      entry.path.length +
      sizeOfStrings(entry.headers) +
      sizeOfStrings(entry.query) +
      keptLength(stored.body) +
      keptLength(stored.response)
    stored.retryOf = this.firstAttemptOf(stored)
    if (this.count === this.limits.entries) this.dropOldest()
    while (this.count > 0 && this.bytes + stored.bytes > this.limits.totalBytes) this.dropOldest()
    this.ring[(this.head + this.count) % this.limits.entries] = stored
    this.count++
    this.bytes += stored.bytes
    for (const listener of this.listeners) listener(stored.id)
  }

  /** Calls `listener` with each new entry's id once it is recorded; returns the call that stops it. */
  onRecord (listener: (id: number) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The id of the newest entry recorded (0 before any). */
  get newestId (): number {
    return this.lastId
  }

  /**
   * The entry a new one repeats as a client's retry, or null: the caller's latest request to the same method and
   * path (within RETRY_LOOKBACK entries and RETRY_WINDOW_MS), if it was answered with a retryable status and had
   * the same query and body, or the same Idempotency-Key.
   */
  private firstAttemptOf (entry: StoredEntry): number | null {
    const caller = entry.headers.authorization
    for (let i = this.count - 1, seen = 0; i >= 0 && seen < RETRY_LOOKBACK; i--, seen++) {
      const before = this.ring[(this.head + i) % this.limits.entries] as StoredEntry
      if (entry.time - before.time > RETRY_WINDOW_MS) return null
      if (before.method !== entry.method || before.path !== entry.path || before.headers.authorization !== caller) {
        continue
      }
      if (!retryable(before.status)) return null
      const key = entry.headers['idempotency-key']
      const sameKey = key !== undefined && key === before.headers['idempotency-key']
      if (!sameKey && !(sameQuery(before.query, entry.query) && sameBody(before, entry))) return null
      return before.retryOf ?? before.id
    }
    return null
  }

  private dropOldest (): void {
    const oldest = this.ring[this.head]
    this.ring[this.head] = undefined
    this.head = (this.head + 1) % this.limits.entries
    this.count--
    this.bytes -= oldest?.bytes ?? 0
  }

  /** Matching entries, newest first. Bodies are parsed only here, not on the request path. */
  query (filter: JournalFilter = {}): JournalEntry[] {
    const since = filter.since === undefined ? undefined : Date.parse(filter.since)
    const method = filter.method?.toUpperCase()
    const result: JournalEntry[] = []
    const limit = filter.limit ?? Number.POSITIVE_INFINITY
    const organization = filter.organization_id?.toLowerCase()
    const touches = filter.touches?.toLowerCase()
    for (let i = this.count - 1; i >= 0 && result.length < limit; i--) {
      const entry = this.ring[(this.head + i) % this.limits.entries] as StoredEntry
      if (filter.after !== undefined && entry.id <= filter.after) break
      if (method !== undefined && entry.method !== method) continue
      if (filter.path !== undefined && !pathMatches(filter.path, entry.path)) continue
      if (filter.status !== undefined && entry.status !== filter.status) continue
      if (filter.partner_id !== undefined && entry.partner_id !== filter.partner_id.toLowerCase()) continue
      if (organization !== undefined && entry.organization_id !== organization) continue
      if (touches !== undefined && !names(entry, touches)) continue
      if (since !== undefined && entry.time < since) continue
      const body = readBounded(entry.body, this.limits.bodyBytes)
      if (entry.body === null && entry.unreadBodySize !== undefined) body.size = entry.unreadBodySize
      const response = readBounded(entry.response, this.limits.bodyBytes)
      result.push({
        id: entry.id,
        time: new Date(entry.time).toISOString(),
        method: entry.method,
        path: entry.path,
        query: redactSecrets(entry.query),
        headers: readHeaders(entry.headers),
        body: readText(body),
        body_size: body.size,
        body_truncated: body.truncated,
        status: entry.status,
        response: readText(response),
        response_size: response.size,
        response_truncated: response.truncated,
        duration_ms: entry.duration_ms,
        partner_id: entry.partner_id,
        organization_id: entry.organization_id,
        fault: entry.fault,
        retry_of: entry.retryOf
      })
    }
    return result
  }

  clear (): number {
    const cleared = this.count
    this.ring.fill(undefined)
    this.head = 0
    this.count = 0
    this.bytes = 0
    return cleared
  }
}

/** The entry's path, query or response holds the id (lower case, as ids are stored and served). */
function names (entry: StoredEntry, id: string): boolean {
  if (entry.path.toLowerCase().includes(id)) return true
  for (const name in entry.query) if (String(entry.query[name]).toLowerCase().includes(id)) return true
  const response = entry.response
  const text = typeof response === 'string' ? response : (response?.text ?? '')
  return text.toLowerCase().includes(id)
}

/**
 * A text to keep: as it is, unless it is surely longer than `cap` bytes (more UTF-16 units than
 * cap; each is at least one byte), in which case it is bounded now rather than held whole.
 */
function keep (text: string | null, cap: number): KeptText {
  if (text === null || text === '') return null
  return text.length > cap ? bound(text, cap) : text
}

function keptLength (kept: KeptText): number {
  return kept === null ? 0 : typeof kept === 'string' ? kept.length : (kept.text?.length ?? 0)
}

function readBounded (kept: KeptText, cap: number): BoundedText {
  return typeof kept === 'string' || kept === null ? bound(kept, cap) : { ...kept }
}

/** Headers with every secret one replaced; Authorization was kept only as a fingerprint, which stays. */
function readHeaders (headers: Record<string, unknown>): Record<string, unknown> {
  const read = redactSecrets(headers)
  if (headers.authorization !== undefined) read.authorization = headers.authorization
  return read
}

function readText (bounded: BoundedText): unknown {
  return bounded.truncated ? bounded.text : parseOrText(bounded.text, LIMITS.jsonDepth)
}
