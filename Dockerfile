# tokenwarden in a container: a static (musl) binary and git, run as a non-root user.
#
#   docker build -t tokenwarden .
#   docker run --rm --user "$(id -u)" -v "$PWD:/scan" tokenwarden                # scan .
#   docker run --rm --user "$(id -u)" -v "$PWD:/scan" tokenwarden history .      # whole history
#
# --user with your own uid keeps the mounted repository's owner and the scanner the same,
# which git's ownership check (safe.directory) requires.
FROM rust:1.88-alpine AS build
RUN apk add --no-cache build-base perl
WORKDIR /src
COPY . .
RUN cargo build --release --locked && strip target/release/tokenwarden

FROM alpine:3.20
RUN apk add --no-cache git && adduser -D -u 10001 tokenwarden
COPY --from=build /src/target/release/tokenwarden /usr/local/bin/tokenwarden
USER tokenwarden
WORKDIR /scan
ENTRYPOINT ["tokenwarden"]
CMD ["scan", "."]
