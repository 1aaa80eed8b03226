# syntax=docker/dockerfile:1
# Stagegate GitHub App: production image. Build: docker build -t stagegate:0.1.0 .
# The base is pinned by tag here; pin it by digest in your own build (docs/install.md, "Image").

# --- deps: production dependencies only, from the lockfile ------------------------------------------
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# --- build: the JavaScript the image runs (`npm run build`: dist/cli/), with the dev dependencies -----------
# (esbuild) that build it. The sources and the build tools stay in this stage.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.ts ./scripts/build.ts
COPY src ./src
RUN npm run build

# --- runtime -------------------------------------------------------------------------------------------
FROM node:24-slim AS runtime
# tini as PID 1: Node.js as PID 1 gets no default signal handling, so SIGTERM from the kubelet would be
# ignored until SIGKILL. git is deliberately NOT installed: the server never shells out to git; every read and
# write of the environments repo goes through the GitHub API (GraphQL createCommitOnBranch, contents, refs).
# Only the CLI's local commands (audit, dora, demo) use git, and they run on a developer's clone, not here.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
# --enable-source-maps: stack traces in the logs name the TypeScript sources, not dist/'s bundled lines.
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    PORT=3000 \
    HOST=0.0.0.0 \
    LOG_FORMAT=json
WORKDIR /app
# Code and dependencies stay owned by root: the runtime user can read but never modify them.
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json package-lock.json ./
COPY --chown=root:root bin ./bin
COPY --chown=root:root policies ./policies
# "node" (uid 1000) ships with the official image; numeric so runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
# Same as `npm start` without npm in between, so signals reach Node directly. With dist/ and no src/ in the
# image, bin/stagegate.js runs the build (no TypeScript loader at run time).
CMD ["node", "bin/stagegate.js", "serve"]
