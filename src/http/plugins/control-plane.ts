import type { FastifyInstance } from 'fastify'
import { ControlPlane } from '../../control/control-plane.js'
import type { Faults } from '../../control/faults.js'
import type { DeliveryDispatcher } from '../../background/dispatcher.js'
import type { Journal } from '../../control/journal.js'
import type { Store } from '../../store/index.js'
import type { SyncRunner } from '../../background/runner.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The test control plane's operations (/__admin and the in-process API). */
    control: ControlPlane
  }
}

/**
 * The control plane, and the lives of the background workers (deliveries, sync runs): started now, stopped
 * before the store closes.
 */
export function decorateControlPlane (
  app: FastifyInstance,
  store: Store,
  journal: Journal,
  faults: Faults,
  dispatcher: DeliveryDispatcher,
  runner: SyncRunner,
  tokenRequired = false
): void {
  app.decorate('control', new ControlPlane(store, journal, faults, dispatcher, tokenRequired))
  app.addHook('preClose', async () => {
    runner.close()
    await dispatcher.close()
  })
  dispatcher.start()
  runner.start()
}
