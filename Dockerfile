# The harness's image for sharded runs on Kubernetes (README: "Beyond one machine").
#   docker build -t <registry>/capacity-harness:<version> .
# Everything is fetched at build time, from the npm registry (and Debian's for the compiler
# image); a pod downloads nothing when it runs.

# Build: npm ci installs the locked dependencies, compiles the native accept gate
# (targets/native, node-gyp against the image's own Node headers, so none are downloaded) and
# builds dist/ through `prepare`; then the development dependencies are dropped.
FROM node:20-bookworm AS build
WORKDIR /app
ENV npm_config_nodedir=/usr/local
COPY . .
RUN npm ci && npm prune --omit=dev

# Run: the built harness on the slim image, as the unprivileged `node` user (uid 1000, the
# runAsUser of the generated Job). The sources stay beside dist/: the launcher checks that
# dist/ was built from them.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build --chown=node:node /app /app
USER node
ENTRYPOINT ["node", "--enable-source-maps", "harness/cli/launch.mjs", "harness/cli/main.js"]
CMD ["--help"]
