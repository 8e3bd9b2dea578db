/**
 * polytomic-mock for vitest. In vitest.config:
 *
 *   test: { globalSetup: ['polytomic-mock/vitest'] }
 *
 * starts one simulator for the run and provides its URL; in a test file, useTenant() gives the file
 * a partner of its own, so files run in parallel without seeing each other's data.
 */
import { afterAll, beforeAll, inject } from 'vitest'
import { runnerSimulator } from './core/config.js'
import { registerTenant, startRunSimulator, type TenantContext } from './simulator/runners.js'

export { AdminClient, AdminError } from './client.js'
export type { TenantContext } from './simulator/runners.js'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The base URL of the run's simulator. */
    polytomicMockUrl: string
    /** Its admin token, or null. */
    polytomicMockAdminToken: string | null
  }
}

/** What vitest hands a global set-up: vitest 2 a context, vitest 3 and 4 the project; both can provide. */
interface Provider {
  provide: (key: 'polytomicMockUrl' | 'polytomicMockAdminToken', value: string | null) => void
}

/**
 * The global set-up: starts the simulator (or takes the one POLYTOMIC_MOCK_URL names), provides
 * its URL as inject('polytomicMockUrl'), and returns the tear-down that stops it.
 */
export async function setup (project: Provider): Promise<() => Promise<void>> {
  const run = await startRunSimulator()
  project.provide('polytomicMockUrl', run.url)
  project.provide('polytomicMockAdminToken', run.token)
  return run.close
}

export default setup

/**
 * A tenant for this test file, created before its first test and deleted after its last. Call at the top of
 * the file.
 */
export function useTenant (options: { name?: string } = {}): TenantContext {
  return registerTenant(
    { beforeAll, afterAll },
    () => {
      const url = inject('polytomicMockUrl') ?? runnerSimulator()?.url
      if (url === undefined) {
        throw new Error(
          "polytomicMockUrl is not provided: add globalSetup: ['polytomic-mock/vitest'] to the test section of " +
            'your vitest config'
        )
      }
      return { url, token: inject('polytomicMockAdminToken') ?? null }
    },
    options
  )
}
