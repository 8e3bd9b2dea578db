import { Errors } from '../../core/errors.js'

/** One line of a run's console log (ExecutionConsoleLogEntry), as kept and as answered. */
export interface ConsoleEntry {
  /** "<ms>-<n>": the simulated time it was written and its place among that millisecond's lines, as a cursor. */
  id: string
  level: 'info' | 'warn' | 'error'
  message: string
  payload: Record<string, unknown>
  timestamp: string
}

/** A line to write: what the run says, without the id and time its place gives it. */
export type ConsoleLine = Pick<ConsoleEntry, 'level' | 'message' | 'payload'>

/** The most a console-log request returns ("values above the logger retention limit are capped to 50"). */
export const CONSOLE_PAGE = 50

const CURSOR = /^(\d{1,15})-(\d{1,9})$/

function place (id: string): [number, number] {
  const match = CURSOR.exec(id)
  return match === null ? [-1, -1] : [Number(match[1]), Number(match[2])]
}

function after (a: [number, number], b: [number, number]): boolean {
  return a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])
}

/**
 * The log with the lines written at `ms` appended, each id after the last one's, the oldest dropped past
 * `keep` (CONSOLE_LOG_ENTRIES).
 */
export function appendLines (
  log: ConsoleEntry[],
  lines: readonly ConsoleLine[],
  ms: number,
  keep: number
): ConsoleEntry[] {
  const result = [...log]
  let [lastMs, lastN] = result.length === 0 ? [-1, -1] : place((result[result.length - 1] as ConsoleEntry).id)
  for (const line of lines) {
    // Simulated time never goes back, but a fixture's log may end later than now: ids still only go up.
    const at = Math.max(ms, lastMs)
    const n = at === lastMs ? lastN + 1 : 0
    result.push({ id: `${at}-${n}`, ...line, timestamp: new Date(at).toISOString() })
    lastMs = at
    lastN = n
  }
  return result.length > keep ? result.slice(result.length - keep) : result
}

/** A console-log request's query as it arrives. */
export interface ConsoleQuery {
  limit?: string
  after?: string
}

/**
 * One answer to GET .../consolelog: without `after`, the newest `limit` lines; with it, the first `limit`
 * lines written after that cursor; oldest first either way. next_cursor is the last line's id (the cursor
 * given, or "0-0", when there is none), to poll with. A limit or cursor that cannot be read is a 400.
 */
export function consolePage (
  log: readonly ConsoleEntry[],
  query: ConsoleQuery
): { entries: ConsoleEntry[]; next_cursor: string } {
  let limit = CONSOLE_PAGE
  if (query.limit !== undefined) {
    if (!/^\d{1,9}$/.test(query.limit) || Number(query.limit) < 1) {
      throw Errors.BadRequest({ message: 'limit: must be a whole number from 1 (more than 50 is 50)' })
    }
    limit = Math.min(Number(query.limit), CONSOLE_PAGE)
  }
  if (query.after === undefined || query.after === '') {
    const entries = log.slice(Math.max(0, log.length - limit))
    return { entries, next_cursor: entries.at(-1)?.id ?? '0-0' }
  }
  if (!CURSOR.test(query.after)) {
    throw Errors.BadRequest({ message: 'after: is not a console-log cursor (an entry id, like 1744311099250-0)' })
  }
  const from = place(query.after)
  const entries = log.filter((entry) => after(place(entry.id), from)).slice(0, limit)
  return { entries, next_cursor: entries.at(-1)?.id ?? query.after }
}
