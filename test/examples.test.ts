import { spawn } from 'node:child_process'
import t from 'tap'
import { W, bearer, build, call, listen } from './helper.js'
import { GENEROUS_MS, waitForLine } from './support/child.js'

t.test("the README's node:test example passes against a running simulator", async (t) => {
  const app = await build(t)
  const url = await listen(app)
  const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['--test', 'examples/tenant-per-file.test.mjs'], {
      env: { ...process.env, POLYTOMIC_URL: url, NODE_OPTIONS: '' }
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), GENEROUS_MS)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
  t.equal(code, 0, output)
  t.match(output, /# pass 4/)
  t.match(output, /# fail 0/)
})

t.test(
  "examples/webhook-receiver.mjs verifies the simulator's deliveries with node:crypto alone, and refuses a forged one",
  async (t) => {
    const app = await build(t)
    const child = spawn(process.execPath, ['examples/webhook-receiver.mjs'], {
      env: { ...process.env, PORT: '0', WEBHOOK_SECRET: 'whsec-example', NODE_OPTIONS: '' }
    })
    t.teardown(() => {
      child.kill('SIGKILL')
    })
    const url = (await waitForLine(child, /^listening on /)).replace('listening on ', '').trim()
    const created = await call(app, 'POST', '/api/webhooks', bearer(W.jane.key), {
      endpoint: `${url}/hooks`,
      secret: 'whsec-example'
    })
    t.equal(created.status, 200)
    const arrived = waitForLine(child, /^verified: bulk_sync\.failed /)
    app.control.emitEvent({ organization_id: W.org.id, type: 'bulk_sync.failed', event: { sync_name: 'Nightly' } })
    t.match(await arrived, /sync=Nightly/)
    t.match(await app.control.settleDeliveries({ timeout_ms: GENEROUS_MS }), { settled: true })
    t.match(app.control.deliveries()[0], { outcome: 'delivered', status: 204 })

    const forged = await fetch(`${url}/hooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'polytomic-signature': 'ab'.repeat(32) },
      body: '{"type":"sync.failed","event":{}}'
    })
    t.equal(forged.status, 401, 'a wrong signature is refused')
  }
)
