/**
 * The console (/__admin/console): a page that shows what an app sent and steers the simulator through the admin
 * API, and the journal's live feed it reads (/__admin/requests/stream, server-sent events). The page's files hold
 * no secret and are served without the admin token; the page asks for the token and sends it with every call,
 * the feed included. Its files are read, and @fastify/send loaded, on the first request for them: a simulator
 * whose console is never opened starts as fast as one without it.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { ServerResponse } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Errors } from '../../core/errors.js'
import { PACKAGE_JSON, PACKAGE_ROOT } from '../../core/paths.js'
import type { JournalFilter } from '../../control/journal.js'
import { StreamQuery } from '../schemas/admin.js'
import { adminGate, journalFilterOf } from './admin.js'
import { compileSchema } from '../validation.js'

export interface ConsoleOptions {
  adminToken: string | null
  /** Journal followers open at once (ADMIN_STREAMS_MAX). */
  streamsMax: number
}

/** How often an idle feed says it is alive (a comment line), so proxies keep it open. */
const HEARTBEAT_MS = 15_000
/** The most entries one write of the feed sends; a follower further behind skips to the newest. */
const BATCH = 500
/** A follower that has not read this much is not written to until it has (the journal keeps its place). */
const HIGH_WATER = 1024 * 1024

/**
 * The page's third-party modules, by the name its import map gives them: the module to resolve, and the file
 * beside what it resolves to (each package's ESM build sits next to its CommonJS entry).
 */
const VENDOR: Readonly<Record<string, [string, string]>> = {
  'preact.mjs': ['preact', 'preact.mjs'],
  'hooks.mjs': ['preact/hooks', 'hooks.mjs'],
  'htm.mjs': ['htm', 'htm.mjs']
}

type Send = (request: FastifyRequest['raw'], path: string, options: object) => Promise<{
  statusCode: number
  headers: Record<string, string>
  stream: NodeJS.ReadableStream
}>

let loadedSend: Send | undefined

/** @fastify/send, loaded once, when the console is first opened. */
async function sender (): Promise<Send> {
  if (loadedSend === undefined) {
    const mod = (await import('@fastify/send')) as unknown as { default: Send }
    loadedSend = mod.default
  }
  return loadedSend
}

/** Where a vendor module is on disk: resolved from this package, so a hoisted or nested install both work. */
function vendorFile (name: string): { root: string; file: string } | undefined {
  const entry = VENDOR[name]
  if (entry === undefined) return undefined
  return { root: dirname(createRequire(PACKAGE_JSON).resolve(entry[0])), file: `/${entry[1]}` }
}

async function sendFile (request: FastifyRequest, reply: FastifyReply, root: string, path: string): Promise<void> {
  const send = await sender()
  const { statusCode, headers, stream } = await send(request.raw, path, {
    root,
    dotfiles: 'deny',
    index: false,
    cacheControl: true,
    maxAge: 0
  })
  if (statusCode >= 400) throw Errors.RouteNotFound({ message: `no console file ${path}` })
  reply.code(statusCode).headers(headers)
  await reply.send(stream)
}

/**
 * The page, and the content security policy that lets it run: scripts from the simulator only, and its one inline
 * script (the import map that names the vendor modules) by its digest.
 */
async function pageOf (file: string): Promise<{ html: string; policy: string }> {
  const html = await readFile(file, 'utf8')
  const importMap = /<script type="importmap">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? ''
  const digest = createHash('sha256').update(importMap).digest('base64')
  const policy =
    `default-src 'self'; script-src 'self' 'sha256-${digest}'; style-src 'self'; img-src 'self' data:; ` +
    "connect-src 'self'; frame-ancestors 'none'"
  return { html, policy }
}

export default async function consoleRoutes (app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  const pageRoot = join(PACKAGE_ROOT, 'console')
  const gate = adminGate(options.adminToken)
  app.setValidatorCompiler(({ schema }) => compileSchema(schema))

  let page: { html: string; policy: string } | undefined
  app.get('/console', async (_request, reply) => {
    page ??= await pageOf(join(pageRoot, 'index.html'))
    reply.header('content-security-policy', page.policy).header('cache-control', 'no-cache').type('text/html')
    return page.html
  })

  app.get<{ Params: { '*': string } }>('/console/*', async (request, reply) => {
    const asked = request.params['*']
    if (asked === '') return reply.redirect('../console')
    if (asked.startsWith('vendor/')) {
      const vendor = vendorFile(asked.slice('vendor/'.length))
      if (vendor === undefined) throw Errors.RouteNotFound({ message: `no console file ${asked}` })
      await sendFile(request, reply, vendor.root, vendor.file)
      return
    }
    await sendFile(request, reply, pageRoot, `/${asked}`)
  })

  const followers = new Set<ServerResponse>()
  app.addHook('preClose', (done) => {
    for (const res of followers) res.end()
    done()
  })

  // The journal as it grows: each new entry (matching the filter) as one `request` event, oldest first.
  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/requests/stream',
    { onRequest: gate, schema: { querystring: StreamQuery } },
    (request, reply) => {
      if (followers.size >= options.streamsMax) {
        throw Errors.TooManyRequests({
          message: `${followers.size} journal followers are open, the most ADMIN_STREAMS_MAX allows; close one`
        })
      }
      const journal = app.journal
      const q = request.query
      const filter: JournalFilter = { ...journalFilterOf(q), limit: BATCH }
      let seen = q.after === undefined ? journal.newestId : Number(q.after)
      reply.hijack()
      const res = reply.raw
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no'
      })
      res.write(`retry: 1000\nevent: open\ndata: {"after":${seen}}\n\n`)
      followers.add(res)
      let scheduled = false
      const flush = (): void => {
        scheduled = false
        if (res.destroyed || res.writableEnded || res.writableLength > HIGH_WATER) return
        const entries = journal.query({ ...filter, after: seen })
        seen = journal.newestId
        for (let i = entries.length - 1; i >= 0; i--) {
          const entry = entries[i] as { id: number }
          res.write(`id: ${entry.id}\nevent: request\ndata: ${JSON.stringify(entry)}\n\n`)
        }
      }
      const stop = journal.onRecord(() => {
        if (scheduled) return
        scheduled = true
        setImmediate(flush)
      })
      const heartbeat = setInterval(() => res.write(': alive\n\n'), HEARTBEAT_MS)
      heartbeat.unref()
      res.on('drain', flush)
      // A follower that names where it left off gets what it missed at once.
      if (q.after !== undefined) {
        scheduled = true
        setImmediate(flush)
      }
      res.on('close', () => {
        stop()
        clearInterval(heartbeat)
        followers.delete(res)
      })
    }
  )
}
