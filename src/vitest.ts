/**
 * polytomic-mock for vitest. In vitest.config:
 *
 *   import { polytomicMock } from 'polytomic-mock/vitest'
 *   export default { test: { globalSetup: [polytomicMock({ webhookRetryBaseMs: 5 })] } }
 *
 * (or `globalSetup: ['polytomic-mock/vitest']` for the defaults) starts one simulator for the run and provides its
 * URL; in a test file, useTenant() gives the file a partner of its own, so files run in parallel without seeing
 * each other's data.
 *
 * A global set-up runs in vitest's main process, where importing vitest fails (vitest 3: "Vitest failed to access
 * its internal state"), so this module imports vitest only in a worker, where test files run.
 */
import { fileURLToPath } from 'node:url'
import { inVitestWorker, runnerSimulator } from './core/config.js'
import {
  keepRunnerOptions,
  registerTenant,
  startRunSimulator,
  type TenantContext
} from './simulator/runners.js'
import type { SimulatorOptions } from './simulator/simulator.js'

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

/** vitest's own API, in a worker only. */
const vitest: typeof import('vitest') | null = inVitestWorker() ? await import('vitest') : null

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
 * The global set-up with the simulator's settings (createSimulator's options: `syncRunDurationMs: 50`,
 * `fixtures: './world.json'`, ...), for `globalSetup` in the test section of vitest's config. Settings may also
 * come from the environment, in the CLI's variables (but PORT and HOST); these options win.
 */
export function polytomicMock (options: SimulatorOptions = {}): string {
  return keepRunnerOptions(options, fileURLToPath(import.meta.url))
}

/**
 * A tenant for this test file, created before its first test and deleted after its last. Call at the top of
 * the file.
 */
export function useTenant (options: { name?: string } = {}): TenantContext {
  if (vitest === null) {
    throw new Error(
      'useTenant() belongs in a test file: in the vitest config, name the global set-up instead ' +
        "(globalSetup: [polytomicMock()] or ['polytomic-mock/vitest'])"
    )
  }
  const { inject } = vitest
  return registerTenant(
    vitest,
    () => {
      const url = inject('polytomicMockUrl') ?? runnerSimulator()?.url
      if (url === undefined) {
        throw new Error(
          'polytomicMockUrl is not provided: add globalSetup: [polytomicMock()] (from polytomic-mock/vitest) or ' +
            "['polytomic-mock/vitest'] to the test section of your vitest config"
        )
      }
      return { url, token: inject('polytomicMockAdminToken') ?? runnerSimulator()?.token ?? null }
    },
    options
  )
}
