import { validationError } from '../../core/errors.js'

/**
 * A schedule's time parts, as bulk syncs, model syncs and bulk-sync schedules hold them (strings, as the SDK
 * types them).
 */
export interface ScheduleParts {
  frequency?: string
  minute?: string | number
  hour?: string | number
  day_of_week?: string | number
  day_of_month?: string | number
  month?: string | number
}

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']
const RANGES: Record<'minute' | 'hour' | 'day_of_week' | 'day_of_month' | 'month', [number, number]> = {
  minute: [0, 59],
  hour: [0, 23],
  day_of_week: [0, 6],
  day_of_month: [1, 31],
  month: [1, 12]
}

/** One time part as a number, null for "any" (absent, empty or "*"); a value out of range is a 422 naming the field. */
function part (value: string | number | undefined, name: keyof typeof RANGES, field: string): number | null {
  if (value === undefined) return null
  const text = String(value).trim().toLowerCase()
  if (text === '' || text === '*') return null
  const [min, max] = RANGES[name]
  const day = name === 'day_of_week' ? DAYS.findIndex((d) => d === text || d.slice(0, 3) === text) : -1
  const number = day >= 0 ? day : /^\d{1,2}$/.test(text) ? Number(text) : NaN
  if (!(number >= min && number <= max)) {
    throw validationError(
      `${field}.${name}`,
      name === 'day_of_week'
        ? 'must be a day (sunday to saturday, or 0 to 6)'
        : `must be a number from ${min} to ${max}, or "*"`
    )
  }
  return number
}

/** A schedule checked (each time part in range) and its time parts written as strings, as responses give them. */
export function checkSchedule<S extends ScheduleParts> (schedule: S, field = 'schedule'): S {
  const result: S = { ...schedule }
  for (const name of Object.keys(RANGES) as Array<keyof typeof RANGES>) {
    if (schedule[name] === undefined) continue
    part(schedule[name], name, field)
    result[name] = String(schedule[name]).trim()
  }
  return result
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/**
 * When a schedule next runs strictly after a time (UTC), or null for frequencies that do not run
 * by the clock: manual, and those that depend on something the simulator does not run (custom
 * cron expressions, builder, runafter, multi, dbtcloud). continuous runs every minute.
 */
export function nextRunAfter (schedule: ScheduleParts, afterMs: number): number | null {
  const minute = part(schedule.minute, 'minute', 'schedule') ?? 0
  const hour = part(schedule.hour, 'hour', 'schedule') ?? 0
  switch (schedule.frequency) {
    case 'continuous':
      return (Math.floor(afterMs / MINUTE) + 1) * MINUTE
    case 'hourly': {
      const base = Math.floor(afterMs / HOUR) * HOUR + minute * MINUTE
      return base > afterMs ? base : base + HOUR
    }
    case 'daily': {
      const base = Math.floor(afterMs / DAY) * DAY + hour * HOUR + minute * MINUTE
      return base > afterMs ? base : base + DAY
    }
    case 'weekly': {
      const weekday = part(schedule.day_of_week, 'day_of_week', 'schedule') ?? 0
      const midnight = Math.floor(afterMs / DAY) * DAY
      const today = new Date(midnight).getUTCDay()
      let at = midnight + ((weekday - today + 7) % 7) * DAY + hour * HOUR + minute * MINUTE
      if (at <= afterMs) at += 7 * DAY
      return at
    }
    default:
      return null
  }
}
