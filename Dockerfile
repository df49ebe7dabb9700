# syntax=docker/dockerfile:1
# The fundingd image: a Swift build stage, then a slim Debian runtime holding the binary and the SQL it migrates
# with (schema/ and timescale/ under /usr/share/fundingd, found through FUNDINGD_SQL_DIR).
#
# Not exercised by CI: no Docker engine runs on the build machines. The build step mirrors .ci/run /
# scripts/run.sh (`swift build -c release --product fundingd`). The Swift image tag is an assumption (Swift 6.3,
# as used here, on Debian 12); override it with --build-arg SWIFT_IMAGE=... if that tag does not exist.
# What was checked without Docker: the same `swift build -c release --product fundingd --static-swift-stdlib`
# (Swift 6.3.1, 4.5 min on 2 cores) links only libc, libm, libstdc++, libgcc_s and libz (the runtime stage's
# packages), strips from 180 to 88 MB, and that binary, laid out as below and run with an empty environment
# plus FUNDINGD_SQL_DIR and DATABASE_URL, applied every migration to a fresh database.
#
#   docker build -t fundingd:local .
#   docker run --rm -e DATABASE_URL=postgres://fundingd:...@db:5432/fundingd fundingd:local migrate

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
WORKDIR /src
# Dependencies first: a source change does not refetch them (Package.resolved is used when present).
COPY Package.* ./
RUN swift package resolve
COPY . .
RUN swift build -c release --product fundingd --static-swift-stdlib \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/fundingd" /out/usr/bin/fundingd \
 && strip /out/usr/bin/fundingd \
 && mkdir -p /out/usr/share/fundingd \
 && cp -R schema timescale web /out/usr/share/fundingd/ \
 && rm -rf /out/usr/share/fundingd/schema/checks

FROM ${RUNTIME_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata libstdc++6 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin fundingd
COPY --from=build /out/ /
ENV FUNDINGD_SQL_DIR=/usr/share/fundingd \
    FUNDINGD_HTTP_HOST=0.0.0.0 \
    FUNDINGD_HTTP_PORT=8000
USER fundingd
WORKDIR /usr/share/fundingd
EXPOSE 8000
ENTRYPOINT ["/usr/bin/fundingd"]
# run = migrate, collect (one ingest leader per database: an advisory lock) and serve the API.
CMD ["run"]
