import t from 'tap'
import { W, bearer, build, call } from '../helper.js'

t.test(
  'simulated time stops short of the last representable date: a move past it is refused and every route still answers',
  async (t) => {
    const app = await build(t)
    const tenYears = 10 * 365 * 86400
    let refused: { status: number; body: unknown } | undefined
    for (let i = 0; i < 1000 && refused === undefined; i++) {
      const res = await call(app, 'POST', '/__admin/clock', {}, { advance_s: tenYears })
      if (res.status !== 200) refused = res
    }
    t.ok(refused, 'a move was refused before 1,000 of them')
    t.equal(refused?.status, 422)
    t.match(refused?.body, {
      key: 'validation_failed',
      metadata: {
        field: 'advance_s',
        problem: /^would move simulated time past 9000-01-01T00:00:00.000Z: at most \d+ seconds are left/
      }
    })
    const clock = await call(app, 'GET', '/__admin/clock')
    t.equal(clock.status, 200)
    t.ok(Date.parse((clock.body as { now: string }).now) < Date.UTC(9000, 0, 1))
    t.equal(
      (await call(app, 'POST', '/__admin/events', {}, { organization_id: W.org.id, type: 'sync.failed' })).status,
      201
    )
    t.equal((await call(app, 'GET', `/api/bulk/syncs/${W.bulkSync.id}/status`, bearer(W.jane.key))).status, 200)
    t.equal((await call(app, 'GET', '/api/events', bearer(W.jane.key))).status, 200)
    t.equal(
      (await call(app, 'POST', '/__admin/clock', {}, { advance_s: tenYears + 1 })).status,
      422,
      'one move is bounded too'
    )
    t.throws(
      () => app.control.advanceClock(tenYears),
      { status: 422, message: /^advance_s: would move/ },
      'in-process alike'
    )
    t.equal((await call(app, 'POST', '/__admin/reset')).status, 200)
    t.equal(
      (await call(app, 'POST', '/__admin/clock', {}, { advance_s: 60 })).status,
      200,
      'reset puts time back, and it moves again'
    )
  }
)
