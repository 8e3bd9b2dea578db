# syntax=docker/dockerfile:1
# Build stage: compile TypeScript and the native SQLite binding, then drop dev dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
# The build compiles the validators of every start-up, the bundled connection types' among them.
COPY fixtures ./fixtures
RUN npm run build && npm prune --omit=dev
# better-sqlite3's build leftovers (object files, the SQLite sources, the C++ sources: about 30 MB):
# only the compiled binding is loaded at run time. Type declarations (@types) are for consumers'
# compilers, not for the running simulator.
RUN rm -rf node_modules/@types \
  && cd node_modules/better-sqlite3 \
  && mv build/Release/better_sqlite3.node . \
  && rm -rf build deps src \
  && mkdir -p build/Release \
  && mv better_sqlite3.node build/Release/

# Runtime stage: production dependencies only, as the unprivileged node user.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
RUN mkdir -p /data && chown node:node /data
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY fixtures ./fixtures
# The console's page (/__admin/console): plain modules, read from here at its first request.
COPY console ./console
# The examples import the package itself (polytomic-mock/client): the compose file's consumer runs one.
COPY examples ./examples
USER node
EXPOSE 8080
# Set DATABASE=/data/polytomic-mock.db to keep the world across restarts.
VOLUME ["/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/__admin/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node directly, not npm start, so that SIGTERM reaches the simulator.
CMD ["node", "dist/cli.js"]
