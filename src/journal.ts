/** The request journal: a bounded ring of recent /api requests, newest first when read. */

export interface JournalEntry {
  id: number
  time: string
  method: string
  path: string
  query: Record<string, unknown>
  headers: Record<string, unknown>
  body: unknown
  status: number
  response: unknown
  duration_ms: number
  partner_id: string | null
  organization_id: string | null
  /** The id of the fault rule that answered or delayed this request, if any. */
  fault: string | null
}

/** What the request path stores: the response unparsed and the time as epoch milliseconds, both shaped only when read. */
export type JournalRecord = Omit<JournalEntry, 'id' | 'response' | 'time'> & { response: string | null, time: number }

export interface JournalFilter {
  method?: string
  /** Exact path, or a prefix ending in "*". */
  path?: string
  status?: number
  partner_id?: string
  /** ISO 8601 time: entries at or after it. */
  since?: string
  limit?: number
}

/** "/api/organizations/*" matches every path under that prefix; anything else must match exactly. */
export function pathMatches (pattern: string, path: string): boolean {
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern
}

function parseResponse (text: string | null): unknown {
  if (text === null || text === '') return null
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

export class Journal {
  private entries: Array<JournalRecord & { id: number }> = []
  private next = 0
  private lastId = 0

  constructor (readonly capacity: number) {}

  get enabled (): boolean {
    return this.capacity > 0
  }

  record (entry: JournalRecord): void {
    if (this.capacity === 0) return
    const stored = { ...entry, id: ++this.lastId }
    if (this.entries.length < this.capacity) this.entries.push(stored)
    else this.entries[this.next] = stored
    this.next = (this.next + 1) % this.capacity
  }

  get size (): number {
    return this.entries.length
  }

  /** Matching entries, newest first. The response body is parsed only here, not on the request path. */
  query (filter: JournalFilter = {}): JournalEntry[] {
    const since = filter.since === undefined ? undefined : Date.parse(filter.since)
    const method = filter.method?.toUpperCase()
    const result: JournalEntry[] = []
    const limit = filter.limit ?? Number.POSITIVE_INFINITY
    for (let i = 0; i < this.entries.length && result.length < limit; i++) {
      const index = (this.next - 1 - i + this.entries.length) % this.entries.length
      const entry = this.entries[index] as JournalRecord & { id: number }
      if (method !== undefined && entry.method !== method) continue
      if (filter.path !== undefined && !pathMatches(filter.path, entry.path)) continue
      if (filter.status !== undefined && entry.status !== filter.status) continue
      if (filter.partner_id !== undefined && entry.partner_id !== filter.partner_id.toLowerCase()) continue
      if (since !== undefined && entry.time < since) continue
      result.push({ ...entry, time: new Date(entry.time).toISOString(), response: parseResponse(entry.response) })
    }
    return result
  }

  clear (): number {
    const cleared = this.entries.length
    this.entries = []
    this.next = 0
    return cleared
  }
}
