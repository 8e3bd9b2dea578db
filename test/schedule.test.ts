// When a schedule comes round (src/store/syncs/schedule.ts): the times simulated scheduling and
// next_execution_time are computed from, all in UTC.
import t from 'tap'
import { checkSchedule, nextRunAfter } from '../src/store/syncs/schedule.js'

const at = (iso: string): number => Date.parse(iso)
const next = (schedule: Parameters<typeof nextRunAfter>[0], after: string): string | null => {
  const ms = nextRunAfter(schedule, at(after))
  return ms === null ? null : new Date(ms).toISOString()
}

t.test('hourly, daily, weekly and continuous come round by the clock, strictly after the time given', async (t) => {
  t.equal(next({ frequency: 'hourly', minute: '15' }, '2026-11-27T10:14:59.000Z'), '2026-11-27T10:15:00.000Z')
  t.equal(
    next({ frequency: 'hourly', minute: '15' }, '2026-11-27T10:15:00.000Z'),
    '2026-11-27T11:15:00.000Z',
    'strictly after'
  )
  t.equal(next({ frequency: 'hourly' }, '2026-11-27T10:30:00.000Z'), '2026-11-27T11:00:00.000Z', 'minute 0 by default')
  t.equal(next({ frequency: 'daily', hour: '6', minute: '30' }, '2026-11-27T07:00:00.000Z'), '2026-11-28T06:30:00.000Z')
  t.equal(next({ frequency: 'daily', hour: 23 }, '2026-11-27T07:00:00.000Z'), '2026-11-27T23:00:00.000Z')
  // 2026-11-27 is a Friday.
  t.equal(
    next({ frequency: 'weekly', day_of_week: 'monday', hour: '5' }, '2026-11-27T07:00:00.000Z'),
    '2026-11-30T05:00:00.000Z'
  )
  t.equal(
    next({ frequency: 'weekly', day_of_week: 'fri', hour: '5' }, '2026-11-27T07:00:00.000Z'),
    '2026-12-04T05:00:00.000Z',
    "today's time has passed: next week"
  )
  t.equal(
    next({ frequency: 'weekly', day_of_week: '5', hour: '8' }, '2026-11-27T07:00:00.000Z'),
    '2026-11-27T08:00:00.000Z',
    'a day by number, later today'
  )
  t.equal(next({ frequency: 'continuous' }, '2026-11-27T07:00:30.500Z'), '2026-11-27T07:01:00.000Z', 'every minute')
})

t.test('manual and the frequencies that depend on something else never come round', async (t) => {
  for (const frequency of ['manual', 'custom', 'builder', 'runafter', 'multi', 'dbtcloud', undefined]) {
    t.equal(next({ frequency, hour: '6' }, '2026-11-27T07:00:00.000Z'), null, String(frequency))
  }
})

t.test('checkSchedule: each part in range, written as a string; "*" and empty mean any', async (t) => {
  t.same(checkSchedule({ frequency: 'daily', hour: 6, minute: ' 30 ', day_of_week: 'Monday', month: '*' }), {
    frequency: 'daily',
    hour: '6',
    minute: '30',
    day_of_week: 'Monday',
    month: '*'
  })
  t.throws(() => checkSchedule({ frequency: 'daily', day_of_month: '32' }), {
    message: 'schedule.day_of_month: must be a number from 1 to 31, or "*"'
  })
  t.throws(() => checkSchedule({ frequency: 'daily', month: '0' }, 'schedules[0]'), {
    message: 'schedules[0].month: must be a number from 1 to 12, or "*"'
  })
  t.throws(() => checkSchedule({ frequency: 'daily', minute: '1.5' }), {
    message: 'schedule.minute: must be a number from 0 to 59, or "*"'
  })
})
