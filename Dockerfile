# syntax=docker/dockerfile:1.7
# One image for every role of chgkbot: the role is chosen by CHGK_ROLES.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# The version: a tag or a commit, passed by the release workflow.
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/chgkbot ./apps/chgkbot

# distroless/static: CA certificates and tzdata, no shell, a non-root user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/chgkbot /chgkbot
USER nonroot:nonroot
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 CMD ["/chgkbot", "healthcheck"]
ENTRYPOINT ["/chgkbot"]
CMD ["run"]
