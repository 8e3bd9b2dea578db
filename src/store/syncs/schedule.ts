import { validationError } from '../../core/errors.js'
import { SCHEDULE_FREQUENCIES } from '../../http/schemas/syncs.js'

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

type Frequency = (typeof SCHEDULE_FREQUENCIES)[number]
type TimePart = keyof typeof RANGES

/**
 * What each frequency reads of a schedule: the time parts that say when it comes round (the rest are ignored),
 * or, for those the simulator never runs by the clock, the fields that say what it waits for.
 */
interface FrequencyFields {
  label: string
  description: string
  parts: readonly TimePart[]
  other?: Record<string, object>
}

const FREQUENCY_FIELDS: Record<Frequency, FrequencyFields> = {
  manual: { label: 'Manual', description: 'runs only when started', parts: [] },
  continuous: { label: 'Continuous', description: 'runs every minute', parts: [] },
  hourly: { label: 'Hourly', description: 'runs every hour at the minute given', parts: ['minute'] },
  daily: { label: 'Daily', description: 'runs every day at the time given (UTC)', parts: ['hour', 'minute'] },
  weekly: {
    label: 'Weekly',
    description: 'runs every week on the day and at the time given (UTC)',
    parts: ['day_of_week', 'hour', 'minute']
  },
  custom: {
    label: 'Custom',
    description: 'runs when its time parts match, as a cron expression would (not run by the simulator)',
    parts: ['minute', 'hour', 'day_of_month', 'month', 'day_of_week']
  },
  builder: {
    label: 'Schedule builder',
    description: 'runs when its time parts match (not run by the simulator)',
    parts: ['minute', 'hour', 'day_of_month', 'month', 'day_of_week']
  },
  runafter: {
    label: 'After other syncs',
    description: 'runs after the syncs named finish (not run by the simulator)',
    parts: [],
    other: {
      run_after: {
        type: 'object',
        title: 'Syncs to run after',
        properties: {
          sync_ids: { type: 'array', items: { type: 'string' } },
          bulk_sync_ids: { type: 'array', items: { type: 'string' } }
        }
      },
      run_after_success_only: { type: 'boolean', title: 'Only after a successful run' }
    }
  },
  multi: {
    label: 'Multiple schedules',
    description: 'runs on several schedules (not run by the simulator)',
    parts: []
  },
  dbtcloud: {
    label: 'After a dbt Cloud job',
    description: 'runs after the dbt Cloud job finishes (not run by the simulator)',
    parts: [],
    other: {
      job_id: { type: 'integer', title: 'dbt Cloud job id' },
      connection_id: { type: 'string', title: 'dbt Cloud connection' }
    }
  }
}

const PART_TITLES: Record<TimePart, string> = {
  minute: 'Minute',
  hour: 'Hour (UTC)',
  day_of_week: 'Day of the week',
  day_of_month: 'Day of the month',
  month: 'Month'
}

/**
 * modelSync.getScheduleOptions: every frequency the store accepts, with a JSON Schema form of the fields it reads.
 * A time part's bounds are the ones checkSchedule holds a schedule to (RANGES), "*" meaning any.
 */
export function scheduleOptions (): Array<{
  frequency: Frequency
  label: string
  description: string
  configuration: Record<string, unknown>
}> {
  return SCHEDULE_FREQUENCIES.map((frequency) => {
    const { label, description, parts, other } = FREQUENCY_FIELDS[frequency]
    const properties: Record<string, object> = {}
    for (const name of parts) {
      const [min, max] = RANGES[name]
      properties[name] = {
        type: 'string',
        title: PART_TITLES[name],
        description:
          name === 'day_of_week'
            ? `a day (sunday to saturday), or ${min} to ${max} from sunday, or "*"`
            : `${min} to ${max}, or "*"`,
        'x-minimum': min,
        'x-maximum': max
      }
    }
    Object.assign(properties, other)
    return { frequency, label, description, configuration: { type: 'object', properties } }
  })
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
