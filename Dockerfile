# One image for every Hoot service; docker-compose.yml picks the entry point per service.
FROM node:24-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
RUN npm install -g pnpm@10.34.9
WORKDIR /app
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
# Patches of dependencies (see README, "Dependencies") are applied by the install.
COPY patches patches
COPY packages/events/package.json packages/events/
COPY packages/db/package.json packages/db/
COPY packages/kafka/package.json packages/kafka/
COPY packages/runtime/package.json packages/runtime/
COPY packages/streams/package.json packages/streams/
COPY packages/processor/package.json packages/processor/
COPY packages/api/package.json packages/api/
COPY packages/archiver/package.json packages/archiver/
COPY packages/dispatcher/package.json packages/dispatcher/
COPY packages/simulator/package.json packages/simulator/
RUN pnpm install --frozen-lockfile --prod
COPY packages packages
# 16 MiB semi-spaces: under the engine's allocation rate V8 grows the young generation beyond
# that, and the peak RSS with it. bench:engine, one instance catching up 2M records, with the
# growing factor the processor sets at start: peak RSS 462 to 474 MiB with 16 MiB, 543 to 553 MiB
# with V8's default, 447 to 466 MiB with 8 MiB. 8 MiB slowed bench:pipeline (2 processes, 1M
# pings) to 47,967 records/s from 54,430 with the default; 16 MiB ran 49,146 / 45,703 against
# 47,893 / 43,608 for the default, alternating. V8 options other than heap sizes are refused in
# NODE_OPTIONS: test/deploy/dockerfile.test.ts starts node with these.
ENV NODE_ENV=production NODE_OPTIONS="--disable-warning=TimeoutNegativeWarning --max-semi-space-size=16" KAFKAJS_NO_PARTITIONER_WARNING=1
# The processors' state directory (STATE_DIR in docker-compose.yml) and the archive's directory
# (ARCHIVE_URL), owned by the user the services run as: a named volume mounted there starts with
# these owners.
RUN mkdir -p /var/lib/hoot/state /var/lib/hoot/archive && chown node:node /var/lib/hoot/state /var/lib/hoot/archive
USER node
