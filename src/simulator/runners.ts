/**
 * What the test-runner helpers (polytomic-mock/vitest, polytomic-mock/jest) share: one simulator
 * for the run, found through two environment variables, and a tenant per test file.
 */
import { AdminClient, type SettleDeliveriesInput, type SettleResult } from '../client.js'
import {
  RUNNER_URL_VARIABLE,
  configFromOptions,
  exportRunnerUrl,
  forgetRunnerUrl,
  runnerSettings,
  runnerSimulator
} from '../core/config.js'
import type { SimulatorOptions } from './simulator.js'
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
  settleDeliveries: (options?: Omit<SettleDeliveriesInput, 'organization_id' | 'partner_id'>) => Promise<SettleResult>
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
  let deleted = false
  const ready = (field: string): { tenant: Tenant; url: string; admin: AdminClient } => {
    if (current === null && deleted) {
      throw new Error(
        `useTenant(): ${field} is read after the tenant was deleted (after the file's last test, with everything ` +
          'it owned); read it inside a test or a hook that runs before then'
      )
    }
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
    deleted = true
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
    value: async (options: Omit<SettleDeliveriesInput, 'organization_id' | 'partner_id'> = {}) => {
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

/** Where a runner's config leaves its set-up's options for the set-up (the same process, maybe another module load). */
const RUNNER_OPTIONS = Symbol.for('polytomic-mock.runner-options')
type WithOptions = typeof globalThis & { [RUNNER_OPTIONS]?: SimulatorOptions }

/**
 * Keeps the simulator's settings for the run's global set-up (polytomicMock() in a runner's config) and returns the
 * set-up module's path. The options are checked now, so a bad one fails the config rather than the run.
 */
export function keepRunnerOptions (options: SimulatorOptions, setupModule: string): string {
  const settings: Record<string, unknown> = { ...options }
  delete settings.logger
  if (typeof settings.fixtures !== 'string') delete settings.fixtures
  configFromOptions(settings)
  ;(globalThis as WithOptions)[RUNNER_OPTIONS] = options
  return setupModule
}

/**
 * Starts the run's simulator on 127.0.0.1 and a free port with the bundled fixtures, the settings of the runner's
 * environment (the CLI's variables, but PORT, HOST and PORT_FILE) and then of its options (polytomicMock() in the
 * config, or `options` here), and exports its URL in POLYTOMIC_MOCK_URL (its admin token, if any, in
 * POLYTOMIC_MOCK_ADMIN_TOKEN). A run whose environment already names a simulator uses that one.
 */
export async function startRunSimulator (options?: SimulatorOptions): Promise<RunSimulator> {
  const given = runnerSimulator()
  if (given !== null) return { ...given, close: async () => {} }
  const chosen = options ?? (globalThis as WithOptions)[RUNNER_OPTIONS] ?? {}
  // Loaded here, not at the top: a test file that only asks for a tenant never loads the simulator.
  const { createSimulator } = await import('./simulator.js')
  const simulator = await createSimulator({ port: 0, host: '127.0.0.1', ...runnerSettings(), ...chosen })
  const url = await simulator.listen()
  const token = simulator.config.adminToken
  exportRunnerUrl(url, token)
  return {
    url,
    token,
    close: async () => {
      await simulator.close()
      forgetRunnerUrl(url)
    }
  }
}
