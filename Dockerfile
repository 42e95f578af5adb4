# cis-scan: the service and the node collector in one image.
# Build: docker build -t cis-scan:dev .
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin cis-scan

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/cis-scan /usr/local/bin/cis-scan
# The image runs as this unprivileged user. Collector Jobs ask for root in their own
# securityContext (to read root-only files on the read-only host mount).
RUN useradd --system --uid 10001 cis-scan && mkdir -p /data && chown cis-scan /data
USER 10001:10001
WORKDIR /data
ENTRYPOINT ["cis-scan"]
CMD ["serve", "--listen", "0.0.0.0:8080"]
