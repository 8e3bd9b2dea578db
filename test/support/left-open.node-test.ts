// A node:test file that leaves its simulator open (no after(), no close()) and a connection
// kept alive: the run must still end. Run by test/simulator-lifecycle.test.ts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createSimulator } from '../../src/index.js'

test('a simulator left open, listening, with a connection kept alive', async () => {
  const sim = await createSimulator()
  const url = await sim.listen({ port: 0, host: '127.0.0.1' })
  const res = await fetch(`${url}/api/me`, { headers: { authorization: 'Bearer partner-key-acme' } })
  assert.equal(res.status, 200)
})

test('await using closes the simulator at the end of the block', async () => {
  let app
  {
    await using sim = await createSimulator()
    await sim.listen({ port: 0, host: '127.0.0.1' })
    app = sim.app
    assert.equal(app.server.listening, true)
  }
  assert.equal(app.server.listening, false)
})
