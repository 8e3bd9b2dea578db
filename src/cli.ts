#!/usr/bin/env node
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { FixtureError } from './store/fixtures.js'
import { DatabaseVersionError } from './store/db.js'

/** Reads the environment once, builds, listens, and shuts down on SIGINT/SIGTERM. */
async function main (): Promise<void> {
  let config
  try {
    config = loadConfig(process.env)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`polytomic-mock: ${err.message}\n`)
      process.exit(2)
    }
    throw err
  }

  let app
  try {
    app = await buildApp({
      config,
      logger: {
        level: config.logLevel,
        redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.client_secret'], censor: '[redacted]' }
      }
    })
  } catch (err) {
    if (err instanceof FixtureError || err instanceof DatabaseVersionError) {
      process.stderr.write(`polytomic-mock: ${err.message}\n`)
      process.exit(1)
    }
    throw err
  }

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) process.exit(1)
    stopping = true
    app.log.info({ signal }, 'shutting down')
    app.close().then(() => process.exit(0), (err: unknown) => {
      app.log.error({ err }, 'error while shutting down')
      process.exit(1)
    })
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))

  const address = await app.listen({ port: config.port, host: config.host })
  if (config.adminToken === null) app.log.warn('ADMIN_TOKEN is unset: the /__admin control plane is open to anyone who can reach this port')
  app.log.info({ url: address, database: config.database, fixtures: config.fixtures, default_version: config.defaultVersion }, `polytomic-mock listening on ${address}`)
}

main().catch((err: unknown) => {
  process.stderr.write(`polytomic-mock: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
  process.exit(1)
})
