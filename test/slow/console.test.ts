// The console in a real browser: Debian's Chromium (CHROMIUM_PATH, else /usr/bin/chromium; .ci/run installs it),
// driven by playwright-core, which downloads no browser. On a simulator with traffic: the token gate refuses a
// wrong token; the page loads with no console error; a request to /api shows live; opening a 422 shows its body
// and the field that failed; completing and failing runs from the page changes what /api answers and sends the
// webhooks; it works by keyboard and on a narrow window. It takes the README's and docs/console.md's pictures:
// into docs/images/ with UPDATE_SCREENSHOTS=1 (`npm run screenshots`), else into a temporary folder.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { chromium, type Browser, type Page } from 'playwright-core'
import { PACKAGE_ROOT } from '../../src/core/paths.js'
import { createSimulator } from '../../src/index.js'
import { W, bearer } from '../helper.js'
import { receiver } from '../support/receiver.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const TOKEN = 'console-token'
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(PACKAGE_ROOT, 'docs', 'images') : mkdtempSync(join(tmpdir(), 'console-shots-'))
/** Generous bounds on waiting for what the page shows: signals, never sleeps. */
const SHOWN = { timeout: 20_000 }

async function launch (t: Test): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (bash .ci/run does), or set CHROMIUM_PATH`)
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] })
  t.teardown(() => browser.close())
  return browser
}

/** Every console error and uncaught exception of a page. */
function errorsOf (page: Page): string[] {
  const errors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  page.on('pageerror', (err) => errors.push(err.message))
  return errors
}

function png (file: string): { width: number; height: number } {
  const bytes = readFileSync(file)
  if (bytes.subarray(1, 4).toString() !== 'PNG') throw new Error(`${file} is not a PNG`)
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

t.test('the console in Chromium, on a simulator with traffic', async (t) => {
  const sim = await createSimulator({ adminToken: TOKEN, syncRunDurationMs: 3_600_000 })
  t.teardown(() => sim.close())
  const url = await sim.listen({ port: 0, host: '127.0.0.1' })
  const hooks = await receiver(t)
  type Answer = { status: number; body: { data: Record<string, unknown> } }
  const api = async (method: string, path: string, key: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(url + path, {
      method,
      headers: { ...bearer(key), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    return { status: res.status, body: (await res.json()) as Answer['body'] }
  }
  await api('POST', '/api/webhooks', W.acme.key, { endpoint: hooks.url, secret: 'hook-secret', organization_id: W.org.id })
  await api('GET', `/api/organizations/${W.org.id}/users`, W.acme.key)
  const browser = await launch(t)

  await t.test('the token gate refuses a wrong token', async (t) => {
    const page = await browser.newPage()
    await page.goto(`${url}/__admin/console`)
    await page.getByLabel('Admin token').fill('not-the-token')
    await page.getByRole('button', { name: 'Open' }).click()
    await page.getByRole('alert').filter({ hasText: 'That token was refused' }).waitFor(SHOWN)
    t.equal(await page.locator('table.journal').count(), 0, 'nothing of the journal is shown')
    await page.getByLabel('Admin token').fill(TOKEN)
    await page.getByRole('button', { name: 'Open' }).click()
    await page.locator('table.journal').waitFor(SHOWN)
    t.pass('the right token opens it')
    await page.close()
  })

  // From here on, a tab that was given the token (sessionStorage, as the gate keeps it).
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  await context.addInitScript((token) => window.sessionStorage.setItem('polytomic-mock.admin-token', token), TOKEN)
  const page = await context.newPage()
  const errors = errorsOf(page)
  await page.goto(`${url}/__admin/console`)
  await page.locator('table.journal').waitFor(SHOWN)
  await page.getByText('Live: new requests appear as they arrive.').waitFor(SHOWN)

  await t.test('a request sent to /api shows without a reload; a 422 opens to its body and its reason', async (t) => {
    const bad = await api('POST', `/api/organizations/${W.org.id}/users`, W.acme.key, { email: 42, role: 'admin' })
    t.equal(bad.status, 422)
    const row = page.locator('table.journal tbody tr').filter({ hasText: '422' }).first()
    await row.waitFor(SHOWN)
    t.match(await row.textContent(), /POST.*\/users.*422/)
    await row.getByRole('button').click()
    const detail = page.locator('section.detail')
    await detail.waitFor(SHOWN)
    t.match(await detail.getByLabel('request body').textContent(), /"email": 42/)
    t.match(await detail.getByRole('note').textContent(), /Validation: email.*must be string/)
    await page.screenshot({ path: join(SHOTS, 'console-requests.png') })
  })

  await t.test('completing and failing runs from the page changes /api and sends the webhooks', async (t) => {
    const start = async (): Promise<string> => {
      const started = await api('POST', `/api/bulk/syncs/${W.bulkSync.id}/executions`, W.jane.key, {})
      t.equal(started.status, 200)
      return started.body.data.id as string
    }
    const runOf = async (id: string): Promise<Record<string, unknown>> =>
      (await api('GET', `/api/bulk/syncs/${W.bulkSync.id}/executions/${id}`, W.jane.key)).body.data

    const first = await start()
    await page.getByRole('tab', { name: 'World' }).click()
    await page.getByRole('button', { name: 'My Organization' }).click()
    const run = page.locator(`li.run[data-run="${first}"]`)
    await run.waitFor(SHOWN)
    await page.screenshot({ path: join(SHOTS, 'console-world.png'), fullPage: true })
    await run.getByRole('button', { name: 'Complete' }).click()
    await page.getByRole('status').filter({ hasText: 'the run is completed' }).waitFor(SHOWN)
    t.match(await runOf(first), { status: 'completed' }, '/api answers the run completed')

    const second = await start()
    const next = page.locator(`li.run[data-run="${second}"]`)
    await next.waitFor(SHOWN)
    await next.getByLabel('Failure message').fill('warehouse is read-only')
    await next.getByRole('button', { name: 'Fail' }).click()
    await page.getByRole('status').filter({ hasText: 'the run is failed' }).waitFor(SHOWN)
    t.match(await runOf(second), { status: 'failed', status_message: 'warehouse is read-only' })
    await next.locator('.state-failed').waitFor(SHOWN)

    await sim.settleDeliveries({ organization_id: W.org.id, fast_forward: true, fail_if_unsettled: true })
    const types = hooks.received.map((r) => `${r.body.type}:${JSON.stringify(r.body.event.execution_id)}`)
    t.ok(types.includes(`bulk_sync.completed:"${first}"`), 'the completed run was sent to the webhook')
    t.ok(types.includes(`bulk_sync.failed:"${second}"`), 'the failed run was sent to the webhook')
    await page.getByRole('cell', { name: 'bulk_sync.failed' }).first().waitFor(SHOWN)
  })

  await t.test('the controls: a rule added from the page is the admin call a test makes', async (t) => {
    await page.getByRole('tab', { name: 'Controls' }).click()
    const form = page.getByRole('form', { name: 'Add fault' })
    await form.getByLabel('Path').fill('/api/connections*')
    await form.getByLabel('Status').fill('503')
    await form.getByLabel('Times').fill('1')
    await form.getByRole('button', { name: 'Add fault' }).click()
    await page.getByRole('status').filter({ hasText: 'Add fault (' }).waitFor(SHOWN)
    t.match(sim.faults(), [{ path: '/api/connections*', status: 503, times: 1 }])
    await page.screenshot({ path: join(SHOTS, 'console-controls.png'), fullPage: true })
  })

  await t.test('by keyboard, and on a narrow window', async (t) => {
    await page.getByRole('tab', { name: 'Requests' }).focus()
    await page.keyboard.press('Tab')
    t.equal(await page.evaluate(() => document.activeElement?.textContent), 'World', 'Tab reaches the next view')
    await page.keyboard.press('Enter')
    await page.locator('nav.tree').waitFor(SHOWN)
    await page.setViewportSize({ width: 400, height: 800 })
    for (const tab of ['Requests', 'World', 'Controls']) {
      await page.getByRole('tab', { name: tab }).click()
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      t.ok(overflow <= 1, `${tab} fits a 400-pixel window (overflow ${overflow})`)
    }
  })

  t.same(errors, [], 'no console error, no uncaught exception')
  for (const name of ['console-requests.png', 'console-world.png', 'console-controls.png']) {
    t.ok(png(join(SHOTS, name)).width >= 1280, `${name} taken`)
  }
})

t.test('an empty world says what to do first', async (t) => {
  const sim = await createSimulator({ fixtures: join(PACKAGE_ROOT, 'test', 'support', 'empty-world.json') })
  t.teardown(() => sim.close())
  const url = await sim.listen({ port: 0, host: '127.0.0.1' })
  const browser = await launch(t)
  const page = await browser.newPage()
  const errors = errorsOf(page)
  await page.goto(`${url}/__admin/console#world`)
  await page.getByText('The world is empty.').waitFor(SHOWN)
  await page.getByRole('button', { name: 'Create a tenant' }).click()
  await page.getByRole('status').filter({ hasText: 'Created a tenant' }).waitFor(SHOWN)
  await page.locator('nav.tree').waitFor(SHOWN)
  t.equal(sim.partners().length, 1, 'the button made a tenant')
  await page.getByRole('tab', { name: 'Requests' }).click()
  await page.getByText('No requests yet.').waitFor(SHOWN)
  t.same(errors, [])
})
