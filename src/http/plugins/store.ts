import type { FastifyInstance } from 'fastify'
import type { Store } from '../../store/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    store: Store
  }
}

/** Decorates the instance with the store and closes it with the instance. */
export function registerStore (app: FastifyInstance, store: Store): void {
  app.decorate('store', store)
  app.addHook('onClose', (_instance, done) => {
    store.close()
    done()
  })
}
