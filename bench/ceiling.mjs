// The ceiling: Fastify 5, logger off, one route answering the exact bytes of the bundled example
// user's GET response. Nothing a real handler does (auth, lookup, serialization) happens here.
import Fastify from 'fastify'

const body = process.env.CEILING_BODY
const path = process.env.CEILING_PATH
const app = Fastify({ logger: false })
app.get(path, (_request, reply) => {
  reply.header('content-type', 'application/json; charset=utf-8').send(body)
})
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.stdout.write('ready\n')
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    app.close().then(() => process.exit(0))
  })
}
