import type { FastifyInstance, HookHandlerDoneFunction } from 'fastify'
import type { LatencyRange } from '../../core/config.js'

/** Global latency (LATENCY_MS): before auth, so that every /api response is delayed. */
export function registerLatency (api: FastifyInstance, latency: LatencyRange | null, random: () => number): void {
  if (latency === null) return
  api.addHook('onRequest', (_request, _reply, done: HookHandlerDoneFunction) => {
    const ms = latency.min + Math.round(random() * (latency.max - latency.min))
    setTimeout(done, ms)
  })
}
