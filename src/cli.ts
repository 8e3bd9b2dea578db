#!/usr/bin/env node
import { readFileSync } from 'node:fs'
import { BUNDLED_FIXTURES, ConfigError, helpText, parseCommandLine } from './core/config.js'
import { loggerOptions } from './core/logging.js'
import { PACKAGE_VERSION } from './core/package-info.js'
import { createSimulator, type Simulator } from './simulator/simulator.js'
import { startupProblem } from './core/startup-errors.js'
import { TERMINAL_VERBS, runVerb, terminalHelp } from './terminal.js'

/** Exit codes: 2 for a setting whose value is malformed, 1 for a failure to start with well-formed settings. */
const BAD_OPTION = 2
const CANNOT_START = 1

function fail (message: string, code: number, err?: unknown, logLevel?: string): never {
  process.stderr.write(`polytomic-mock: ${message}\n`)
  if ((logLevel === 'debug' || logLevel === 'trace') && err instanceof Error && err.stack !== undefined) {
    process.stderr.write(`${err.stack}\n`)
  }
  process.exit(code)
}

/**
 * Stops on SIGTERM/SIGINT: no new connections, in-flight requests finish within the grace period, the
 * database closes, exit 0. A second signal exits at once.
 */
function handleSignals (simulator: Simulator, graceMs: number): void {
  let stopping = false
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      simulator.app.log.warn({ signal }, 'second signal: exiting now')
      process.exit(130)
    }
    stopping = true
    simulator.app.log.info({ signal, grace_ms: graceMs }, 'shutting down')
    const force = setTimeout(() => {
      simulator.app.log.warn('grace period over: closing the remaining connections')
      simulator.app.server.closeAllConnections()
    }, graceMs)
    force.unref()
    simulator.close().then(
      () => {
        clearTimeout(force)
        process.exit(0)
      },
      (err: unknown) => {
        simulator.app.log.error({ err }, 'error while shutting down')
        process.exit(1)
      }
    )
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

/** A terminal verb (polytomic-mock requests --follow, run <id> --fail <message>, ...): its exit code. */
async function verb (argv: readonly string[]): Promise<void> {
  const aborted = new AbortController()
  process.once('SIGINT', () => aborted.abort())
  const code = await runVerb(argv, undefined, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`)
  }, aborted.signal)
  process.exitCode = code
}

async function main (): Promise<void> {
  const first = process.argv[2]
  if (first !== undefined && TERMINAL_VERBS.includes(first)) return await verb(process.argv.slice(2))
  let parsed
  try {
    parsed = parseCommandLine(process.argv.slice(2))
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, BAD_OPTION)
    throw err
  }
  const { action, config } = parsed
  const printed = {
    help: () => `${helpText()}\n${terminalHelp()}`,
    version: () => `${PACKAGE_VERSION}\n`,
    'print-fixtures': () => readFileSync(BUNDLED_FIXTURES, 'utf8')
  }
  if (action !== 'run') {
    process.stdout.write(printed[action]())
    return
  }

  const cannotStart = (err: unknown): never => {
    const problem = startupProblem(err, config)
    const detail = err instanceof Error ? err.message : String(err)
    fail(
      problem ?? `could not start: ${detail} (LOG_LEVEL=debug shows where)`,
      err instanceof ConfigError ? BAD_OPTION : CANNOT_START,
      err,
      config.logLevel
    )
  }
  let simulator: Simulator
  try {
    simulator = await createSimulator({ ...config, logger: loggerOptions(config.logLevel, process.stdout.isTTY) })
  } catch (err) {
    return cannotStart(err)
  }
  handleSignals(simulator, config.shutdownGraceMs)
  let url: string
  try {
    url = await simulator.listen({ keepProcessAlive: true })
  } catch (err) {
    await simulator.close().catch(() => {})
    return cannotStart(err)
  }
  if (config.adminToken === null) {
    simulator.app.log.warn('ADMIN_TOKEN is unset: the /__admin control plane is open to anyone who can reach this port')
  }
  simulator.app.log.info(
    {
      url,
      console: `${url}/__admin/console`,
      database: config.database,
      fixtures: config.fixtures,
      default_version: config.defaultVersion
    },
    `polytomic-mock listening on ${url} (console: ${url}/__admin/console)`
  )
  // Scripts look for the URL on stdout: when the level hides the line above, it is printed plainly.
  if (['fatal', 'error', 'warn'].includes(config.logLevel)) process.stdout.write(`polytomic-mock listening on ${url}\n`)
}

main().catch((err: unknown) =>
  fail(`could not start: ${err instanceof Error ? err.message : String(err)}`, CANNOT_START)
)
