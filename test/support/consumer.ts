// What the consumer suites share (test/slow/consumers.test.ts, test/slow/runner-matrix.test.ts): running a
// runner to its end, the tests every runner's project runs, and the check that its files ran apart.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'
import { GENEROUS_MS } from './child.js'

/** Runs node (or `command`) to its end; its exit code and all it printed. Bounded only against a hang. */
export async function run (
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
  command: string = process.execPath
): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  return new Promise((resolve) => {
    const bound = setTimeout(() => {
      child.kill('SIGKILL')
    }, GENEROUS_MS)
    child.on('exit', (code) => {
      clearTimeout(bound)
      resolve({ code, output })
    })
  })
}

/**
 * Each test file records which tenant it had and in which process it ran; two files, two
 * tenants, two worker processes, and neither saw the other's data.
 */
export function ranApart (t: Test, folder: string, processes = 2): void {
  const records = readdirSync(join(folder, 'ran')).map(
    (file) =>
      JSON.parse(readFileSync(join(folder, 'ran', file), 'utf8')) as {
        partner_id: string
        pid: number
        organizations: string[]
      }
  )
  t.equal(records.length, 2, 'both files ran')
  t.not(records[0]?.partner_id, records[1]?.partner_id, 'each with its own tenant')
  if (processes === 2) t.not(records[0]?.pid, records[1]?.pid, 'in two worker processes')
  for (const record of records) t.equal(record.organizations.length, 1, 'each saw only its own organization')
}

/**
 * The body of a test file, the same for every runner: `useTenant`, `test`, `expect` and `record` come from
 * the file's header.
 */
export const SHARED_TESTS = `
test('the tenant sees its own organization only', async () => {
  const res = await fetch(tenant.url + '/api/organizations', { headers: { authorization: 'Bearer ' + tenant.partner_key } })
  expect(res.status).toBe(200)
  const { data } = await res.json()
  expect(data.map((o) => o.id)).toEqual([tenant.organization_id])
  record(data.map((o) => o.id))
})

test('the journal and faults are scoped to the tenant', async () => {
  await tenant.admin.addFault({ partner_id: tenant.partner_id, status: 503, times: 1 })
  const faulted = await fetch(tenant.url + '/api/me', { headers: { authorization: 'Bearer ' + tenant.admin_user_key } })
  expect(faulted.status).toBe(503)
  const entries = await tenant.admin.requests({ partner_id: tenant.partner_id })
  expect(entries.filter((e) => e.status === 503).map((e) => e.path)).toEqual(['/api/me'])
  expect(entries.filter((e) => e.path === '/api/organizations').length).toBe(1)
})
`

export const RECORD = (runner: string): string => `
function record (organizations) {
  require('node:fs').mkdirSync(__dirname + '/ran', { recursive: true })
  require('node:fs').writeFileSync(__dirname + '/ran/' + tenant.partner_id, JSON.stringify({ runner: '${runner}', partner_id: tenant.partner_id, pid: process.pid, organizations }))
}
`

/** A vitest test file of the shared tests, recording its tenant. */
export const vitestFile = (letter: string): string =>
  [
    "import { mkdirSync, writeFileSync } from 'node:fs'",
    "import { expect, inject, test } from 'vitest'",
    "import { useTenant } from 'polytomic-mock/vitest'",
      `const tenant = useTenant({ name: 'vitest ${letter}' })`,
      "const here = new URL('.', import.meta.url).pathname",
      'function record (organizations) {',
      "  mkdirSync(here + 'ran', { recursive: true })",
      "  writeFileSync(here + 'ran/' + tenant.partner_id, JSON.stringify({ runner: 'vitest', partner_id: tenant.partner_id, pid: process.pid, organizations }))",
      '}',
      "test('the provided URL is the tenant\\'s', () => { expect(inject('polytomicMockUrl')).toBe(tenant.url) })",
      SHARED_TESTS
  ].join('\n')
