/**
 * What the test-runner helpers (polytomic-mock/vitest, polytomic-mock/jest) share: one simulator
 * for the run, found through two environment variables, and a tenant per test file.
 */
import { AdminClient, type SettleResult } from '../client.js'
import { RUNNER_URL_VARIABLE, exportRunnerUrl, forgetRunnerUrl, runnerSimulator } from '../core/config.js'
import type { Tenant } from '../store/tenants.js'

/**
 * A test file's tenant: its partner, organization, admin user and keys, with the simulator's URL and an admin
 * client.
 */
export interface TenantContext extends Tenant {
  /** The simulator's base URL: point the code under test (or `new PolytomicClient({ environment: url })`) at it. */
  readonly url: string
  /** The admin API; scope journal queries and fault rules by this tenant's partner_id. */
  readonly admin: AdminClient
  /** Waits until this tenant's webhook deliveries are done (another tenant's receivers never hold it up). */
  settleDeliveries: (options?: { timeout_ms?: number; fast_forward?: boolean }) => Promise<SettleResult>
}

const TENANT_FIELDS = ['partner_id', 'partner_key', 'organization_id', 'admin_user_id', 'admin_user_key'] as const

/** Hooks of the runner in use: the helper registers creation before the file's tests and removal after them. */
export interface RunnerHooks {
  beforeAll: (fn: () => Promise<void>) => void
  afterAll: (fn: () => Promise<void>) => void
}

/**
 * Registers a tenant for the calling test file and returns it: its fields can be read from the
 * first hook or test on, and it is deleted (with all it owns) after the file's last test.
 */
export function registerTenant (
  hooks: RunnerHooks,
  connection: () => { url: string; token: string | null },
  options: { name?: string } = {}
): TenantContext {
  let current: { tenant: Tenant; url: string; admin: AdminClient } | null = null
  const ready = (field: string): { tenant: Tenant; url: string; admin: AdminClient } => {
    if (current === null) {
      throw new Error(
        `useTenant(): ${field} is read before the tenant exists; read it inside a test or a hook, not while the ` +
          'file is collected'
      )
    }
    return current
  }
  hooks.beforeAll(async () => {
    const { url, token } = connection()
    const admin = new AdminClient(url, { token })
    current = { tenant: await admin.createTenant({ name: options.name }), url: admin.url, admin }
  })
  hooks.afterAll(async () => {
    if (current === null) return
    const { admin, tenant } = current
    current = null
    await admin.deleteTenant(tenant.partner_id)
  })
  const context = {}
  for (const field of TENANT_FIELDS) {
    Object.defineProperty(context, field, { enumerable: true, get: () => ready(field).tenant[field] })
  }
  Object.defineProperty(context, 'url', { enumerable: true, get: () => ready('url').url })
  Object.defineProperty(context, 'admin', { enumerable: false, get: () => ready('admin').admin })
  Object.defineProperty(context, 'settleDeliveries', {
    enumerable: false,
    value: async (options: { timeout_ms?: number; fast_forward?: boolean } = {}) => {
      const { admin, tenant } = ready('settleDeliveries')
      return await admin.settleDeliveries({ ...options, partner_id: tenant.partner_id })
    }
  })
  return context as TenantContext
}

/** The run's simulator from the environment the global set-up wrote; a clear error when it did not run. */
export function connectionFromEnvironment (setupName: string): { url: string; token: string | null } {
  const named = runnerSimulator()
  if (named === null) {
    throw new Error(
      `${RUNNER_URL_VARIABLE} is not set: add ${setupName} to your test runner's configuration, or set ` +
        `${RUNNER_URL_VARIABLE} to a running simulator`
    )
  }
  return named
}

/**
 * A simulator for the whole run, or the one POLYTOMIC_MOCK_URL already names; close() stops only one this
 * call started.
 */
export interface RunSimulator {
  url: string
  token: string | null
  close: () => Promise<void>
}

/**
 * Starts the run's simulator on 127.0.0.1, a free port, default settings and the bundled fixtures, and
 * exports its URL in POLYTOMIC_MOCK_URL.
 */
export async function startRunSimulator (): Promise<RunSimulator> {
  const given = runnerSimulator()
  if (given !== null) return { ...given, close: async () => {} }
  // Loaded here, not at the top: a test file that only asks for a tenant never loads the simulator.
  const { createSimulator } = await import('./simulator.js')
  const simulator = await createSimulator()
  const url = await simulator.listen({ port: 0, host: '127.0.0.1' })
  exportRunnerUrl(url)
  return {
    url,
    token: null,
    close: async () => {
      await simulator.close()
      forgetRunnerUrl(url)
    }
  }
}
