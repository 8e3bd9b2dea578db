/**
 * polytomic-mock for Jest. In jest.config.js:
 *
 *   const { polytomicMock } = require('polytomic-mock/jest')
 *   module.exports = { globalSetup: polytomicMock({ webhookRetryBaseMs: 5 }), globalTeardown: 'polytomic-mock/jest' }
 *
 * (or globalSetup 'polytomic-mock/jest/global-setup' and globalTeardown 'polytomic-mock/jest/global-teardown'
 * for the defaults) starts one simulator for the run and hands its URL to the tests in POLYTOMIC_MOCK_URL; in a
 * test file, useTenant() gives the file a partner of its own, so workers run files in parallel apart.
 */
import { fileURLToPath } from 'node:url'
import {
  keepRunnerOptions,
  connectionFromEnvironment,
  registerTenant,
  type RunSimulator,
  startRunSimulator,
  type RunnerHooks,
  type TenantContext
} from './simulator/runners.js'
import type { SimulatorOptions } from './simulator/simulator.js'

export { AdminClient, AdminError } from './client.js'
/**
 * Where a run's simulator listens (set by the global set-up, or by you for one already running), and its
 * admin token.
 */
export { RUNNER_URL_VARIABLE as URL_VARIABLE, RUNNER_TOKEN_VARIABLE as TOKEN_VARIABLE } from './core/config.js'
export type { TenantContext } from './simulator/runners.js'

/**
 * Where the global set-up leaves the run's simulator for the global tear-down: the same process, a different
 * module load.
 */
const RUN = Symbol.for('polytomic-mock.jest.run')
type WithRun = typeof globalThis & { [RUN]?: RunSimulator }

/**
 * Jest's globalSetup: starts the simulator (or takes the one POLYTOMIC_MOCK_URL names) and exports
 * POLYTOMIC_MOCK_URL to the workers.
 */
export async function globalSetup (): Promise<void> {
  ;(globalThis as WithRun)[RUN] = await startRunSimulator()
}

/** Jest's globalTeardown: stops what globalSetup started. */
export async function globalTeardown (): Promise<void> {
  const run = (globalThis as WithRun)[RUN]
  delete (globalThis as WithRun)[RUN]
  await run?.close()
}

/**
 * This module as Jest's globalSetup and globalTeardown alike ('polytomic-mock/jest', the name a user guesses):
 * the first call starts the run's simulator, the next stops it.
 */
export default async function setupOrTeardown (): Promise<void> {
  if ((globalThis as WithRun)[RUN] === undefined) await globalSetup()
  else await globalTeardown()
}

/**
 * The global set-up with the simulator's settings (createSimulator's options: `syncRunDurationMs: 50`,
 * `fixtures: './world.json'`, ...), for `globalSetup` in Jest's config; `globalTeardown: 'polytomic-mock/jest'`
 * stops it. Settings may also come from the environment, in the CLI's variables (but PORT and HOST); these
 * options win.
 */
export function polytomicMock (options: SimulatorOptions = {}): string {
  return keepRunnerOptions(options, fileURLToPath(import.meta.url))
}

/**
 * A tenant for this test file, created in beforeAll and deleted in afterAll (Jest's injected globals). Call
 * at the top of the file.
 */
export function useTenant (options: { name?: string } = {}): TenantContext {
  const hooks = globalThis as unknown as Partial<RunnerHooks>
  if (typeof hooks.beforeAll !== 'function' || typeof hooks.afterAll !== 'function') {
    throw new Error(
      "useTenant() needs Jest's beforeAll and afterAll globals: call it at the top of a test file (with " +
        'injectGlobals on, the default)'
    )
  }
  return registerTenant(
    hooks as RunnerHooks,
    () => connectionFromEnvironment("globalSetup: 'polytomic-mock/jest/global-setup'"),
    options
  )
}
