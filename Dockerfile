# syntax=docker/dockerfile:1.7
# One image for every role of chgkbot: the role is chosen by CHGK_ROLES.

# Base images are pinned by digest (a tag can be moved under us); update
# both with `docker buildx imagetools inspect <image:tag>` and a commit.
FROM golang:1.26@sha256:595c7847cff97c9a9e76f015083c481d26078f961c9c8dca3923132f51fe12f1 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# The version: a tag or a commit, passed by the release workflow.
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/chgkbot ./apps/chgkbot

# The judge's Russian dictionary (Debian's hunspell-ru, Alexander Lebedev's,
# under a BSD-style licence whose notice travels with it).
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends hunspell-ru \
    && rm -rf /var/lib/apt/lists/*

# distroless/static: CA certificates and tzdata, no shell, a non-root user.
FROM gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639
COPY --from=build /out/chgkbot /chgkbot
COPY --from=build /usr/share/hunspell/ru_RU.aff /usr/share/hunspell/ru_RU.dic /usr/share/hunspell/
COPY --from=build /usr/share/doc/hunspell-ru/copyright /usr/share/doc/hunspell-ru/copyright
USER nonroot:nonroot
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["/chgkbot", "healthcheck"]
ENTRYPOINT ["/chgkbot"]
CMD ["run"]
