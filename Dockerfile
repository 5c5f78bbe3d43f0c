# Balagh 940 server (API, WebSocket and the built console on one port).
# Needs DATABASE_URL in production; see docker-compose.yml and README.md "Run with Docker".

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build \
 && mkdir -p console/dist \
 && npm prune --omit=dev

FROM node:24-slim AS runtime
# MALLOC_ARENA_MAX=2: glibc otherwise keeps freed image buffers in per-thread arenas; bench:media measured +128 MB
# after 10 GB of uploads without it and +55 MB with it (bench/RESULTS.md).
ENV NODE_ENV=production HOST=0.0.0.0 PORT=9400 WORKERS=auto MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json /app/package-lock.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/console/dist ./console/dist
USER node
EXPOSE 9400
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 9400) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/server/main.js"]
