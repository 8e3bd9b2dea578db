// The command line as one bundled module (dist/cli.js): a start-up loads one file instead of every
// module of the build and of Fastify's dependencies one by one. Run by `npm run build` after tsc;
// the library entry points stay unbundled. better-sqlite3 (a native binding), pino (its transports
// start worker files from its own folder) and the optional peers stay outside, loaded from node_modules.
import { build } from 'esbuild'

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3', 'pino', 'pino-pretty', '@fastify/swagger', '@fastify/send'],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  legalComments: 'none',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning'
})
