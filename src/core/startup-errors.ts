import { ConfigError, type Config } from './config.js'
import { DatabaseOpenError, DatabaseVersionError } from '../store/db.js'
import { FixtureError } from '../store/fixtures.js'

/**
 * One line naming the setting, its value and what to do, for the start-up failures a user can fix
 * (a bad DATABASE, FIXTURES, PORT or HOST); undefined for anything else.
 */
export function startupProblem (err: unknown, config: Pick<Config, 'port' | 'host'>): string | undefined {
  if (err instanceof ConfigError) return err.message
  if (err instanceof FixtureError) return `FIXTURES=${err.message}`
  if (err instanceof DatabaseOpenError || err instanceof DatabaseVersionError) return `DATABASE=${err.message}`
  const code = (err as { code?: unknown }).code
  switch (code) {
    case 'EADDRINUSE':
      return `PORT ${config.port} is already in use on ${config.host} (stop what holds it, choose another PORT, or ` +
        '0 for any free port)'
    case 'EACCES':
      return `PORT ${config.port} on ${config.host} needs privileges this user lacks (choose a PORT above 1023)`
    case 'EADDRNOTAVAIL':
      return `HOST ${config.host} is not an address of this machine (use 127.0.0.1, or 0.0.0.0 for every interface)`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `HOST ${config.host} does not resolve to an address (use an IP address such as 127.0.0.1)`
  }
  return undefined
}
