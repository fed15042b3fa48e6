# opsbot container image.
#   docker build -t opsbot .
#   docker run -d --name opsbot --env-file .env \
#     -v "$PWD/opsbot.yaml:/etc/opsbot/opsbot.yaml:ro" -v "$PWD/runbooks:/opt/opsbot/runbooks:ro" \
#     -v opsbot-data:/var/lib/opsbot -p 127.0.0.1:9464:9464 opsbot
# The ops listener (/healthz, /readyz, /metrics, /webhooks/alertmanager) binds loopback by default; inside a
# container set `ops: { host: 0.0.0.0 }` in opsbot.yaml so the published port reaches it.
# One container = one owner process: run a single replica per database.

FROM node:20-bookworm-slim AS build
WORKDIR /opt/opsbot
# better-sqlite3 compiles when no prebuilt binary matches.
RUN apt-get update -q && apt-get install -y -q --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY commands ./commands
COPY bench ./bench
COPY scripts ./scripts
# tsc's dist/, then the `opsbot` command bundled into dist/src/cli.js + dist/src/cli-chunks/ (faster start).
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
# openssh-client: ssh-keyscan helpers; tini: signals reach node, zombies are reaped.
RUN apt-get update -q && apt-get install -y -q --no-install-recommends tini openssh-client \
  && rm -rf /var/lib/apt/lists/* && useradd --system --home /var/lib/opsbot opsbot \
  && install -d -o opsbot -g opsbot /var/lib/opsbot /etc/opsbot
WORKDIR /opt/opsbot
COPY --from=build /opt/opsbot/node_modules ./node_modules
COPY --from=build /opt/opsbot/dist ./dist
COPY package.json README.md opsbot.example.yaml ./
COPY runbooks ./runbooks
USER opsbot
ENV NODE_ENV=production OPSBOT_CONFIG=/etc/opsbot/opsbot.yaml OPSBOT_DB=/var/lib/opsbot/opsbot.db
VOLUME ["/var/lib/opsbot"]
EXPOSE 9464
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:9464/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/src/cli.js"]
CMD ["start"]
