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
# A young generation of 32 MiB semi-spaces: a consumed batch's records die young instead of being
# promoted and piling up in the old generation (bench:engine: peak RSS and CPU both lower).
ENV NODE_ENV=production NODE_OPTIONS="--disable-warning=TimeoutNegativeWarning --max-semi-space-size=32" KAFKAJS_NO_PARTITIONER_WARNING=1
# The processors' state directory (STATE_DIR in docker-compose.yml) and the archive's directory
# (ARCHIVE_URL), owned by the user the services run as: a named volume mounted there starts with
# these owners.
RUN mkdir -p /var/lib/hoot/state /var/lib/hoot/archive && chown node:node /var/lib/hoot/state /var/lib/hoot/archive
USER node
