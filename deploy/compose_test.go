package deploy

import (
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/matryer/is"
)

var roles = []string{"poller", "worker", "announcer", "admin"}

// load reads the compose file as docker compose would, with the variables
// of .env.example filled in.
func load(t *testing.T, env ...string) *types.Project {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{"../docker-compose.yml"},
		cli.WithWorkingDirectory(".."), cli.WithEnv(env), cli.WithName("chgk"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p
}

// exampleEnv writes a .env next to the compose file from .env.example with
// test values, as an operator would, and removes it after the test.
func exampleEnv(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{"VK_TOKEN": "test-token", "VK_GROUP_ID": "123", "POSTGRES_PASSWORD": "test-password",
		"ADMIN_EMAIL": "ops@example.org", "ADMIN_PASSWORD": "test-admin-password"}
	var lines, env []string
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if ok && !strings.HasPrefix(line, "#") {
			if x, set := values[k]; set {
				v = x
			}
			line = k + "=" + v
			env = append(env, line)
		}
		lines = append(lines, line)
	}
	if _, err := os.Stat("../.env"); err == nil {
		t.Skip("a real ../.env exists; not overwriting it (remove it to run this test)")
	}
	if err := os.WriteFile("../.env", []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Remove("../.env") })
	return env
}

func TestComposeFile(t *testing.T) {
	is := is.New(t)
	env := exampleEnv(t)
	p := load(t, env...)

	image := ""
	for _, role := range roles {
		s, err := p.GetService(role)
		is.NoErr(err) // every role has its own service
		if image == "" {
			image = s.Image
		}
		is.Equal(s.Image, image)                                     // all from the same image
		is.True(strings.HasPrefix(s.Image, "ghcr.io/"))              // published to GitHub's registry
		is.True(s.Build != nil)                                      // and buildable locally
		is.Equal(s.Environment["CHGK_ROLES"], ptr(role))             // running just its role
		is.Equal(s.Restart, "unless-stopped")                        // restarted after a crash
		is.True(s.HealthCheck != nil && len(s.HealthCheck.Test) > 0) // with a healthcheck
		is.Equal(s.HealthCheck.Test[1:], types.HealthCheckTest{"/chgkbot", "healthcheck"})
		is.Equal(s.DependsOn["postgres"].Condition, types.ServiceConditionHealthy)              // after the database is up
		is.Equal(s.DependsOn["migrate"].Condition, types.ServiceConditionCompletedSuccessfully) // and migrated
		db := s.Environment["DATABASE_URL"]
		is.True(db != nil && strings.Contains(*db, "@postgres:5432/chgk"))                                              // the compose network's database
		is.True(slices.Contains(s.EnvFiles, types.EnvFile{Path: filepath.Join(p.WorkingDir, ".env"), Required: false})) // secrets from .env, when there is one
	}
	for _, role := range []string{"poller", "announcer"} {
		s, _ := p.GetService(role)
		is.Equal(*s.Environment["VK_TOKEN"], "test-token") // the VK roles get the token (SPEC §7)…
		is.Equal(*s.Environment["VK_GROUP_ID"], "123")
	}
	adm, _ := p.GetService("admin")
	is.Equal(len(adm.Ports), 1) // the admin port is published
	is.Equal(adm.Ports[0].Target, uint32(8080))
	is.Equal(adm.Ports[0].HostIP, "127.0.0.1")                   // on the host's loopback only, for a TLS proxy in front
	is.Equal(*adm.Environment["ADMIN_EMAIL"], "ops@example.org") // …and the admin its first account

	worker, _ := p.GetService("worker")
	is.Equal(len(worker.Ports), 0) // no fixed host port: --scale worker=3 works

	pg, err := p.GetService("postgres")
	is.NoErr(err)
	is.True(strings.HasPrefix(pg.Image, "postgres:1")) // PostgreSQL…
	major := regexp.MustCompile(`postgres:(\d+)`).FindStringSubmatch(pg.Image)
	is.True(major != nil)
	n, _ := strconv.Atoi(major[1])
	is.True(n >= 16)                         // …16 or newer
	is.Equal(pg.Volumes[0].Source, "pgdata") // on a named volume
	is.True(pg.HealthCheck != nil)           // with a healthcheck
	_, ok := p.Volumes["pgdata"]
	is.True(ok)

	mig, err := p.GetService("migrate")
	is.NoErr(err)
	is.Equal([]string(mig.Command), []string{"migrate", "up"}) // runs the migrations once
	is.Equal(mig.Image, image)

	_, err = p.GetService("rabbitmq")
	is.True(err != nil) // RabbitMQ is an option: off unless its profile is asked for
	opts, err := cli.NewProjectOptions([]string{"../docker-compose.yml"}, cli.WithWorkingDirectory(".."),
		cli.WithEnv(env), cli.WithName("chgk"), cli.WithProfiles([]string{"rabbitmq"}))
	is.NoErr(err)
	withRabbit, err := opts.LoadProject(context.Background())
	is.NoErr(err)
	rmq, err := withRabbit.GetService("rabbitmq")
	is.NoErr(err)                                           // with the profile it is there
	is.True(rmq.HealthCheck != nil)                         // with a healthcheck
	is.Equal(*rmq.Environment["RABBITMQ_DEFAULT_PASS"], "") // its password from .env, not written here

	// The image and tag can be chosen, to roll back.
	p = load(t, append(env, "CHGK_TAG=sha-abc1234")...)
	s, _ := p.GetService("worker")
	is.True(strings.HasSuffix(s.Image, ":sha-abc1234"))
}

// TestNoSecretsInline checks that the compose file only refers to secrets
// (${VAR}) and never holds one.
func TestNoSecretsInline(t *testing.T) {
	is := is.New(t)
	b, err := os.ReadFile("../docker-compose.yml")
	is.NoErr(err)
	for _, line := range strings.Split(string(b), "\n") {
		for _, key := range []string{"VK_TOKEN", "PASSWORD", "ADMIN_EMAIL"} {
			if k, v, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && strings.Contains(k, key) {
				v = strings.TrimSpace(v)
				if v != "" && !strings.HasPrefix(v, "${") {
					t.Errorf("secret written inline: %s", line)
				}
			}
		}
	}
	is.True(!strings.Contains(string(b), "sslmode=disable@")) // sanity of the URL
	// The password inside DATABASE_URL comes from the environment too.
	is.True(strings.Contains(string(b), "chgk:${POSTGRES_PASSWORD"))
	ignore, err := os.ReadFile("../.gitignore")
	is.NoErr(err)
	is.True(strings.Contains(string(ignore), "/.env")) // an operator's .env is never committed
}

// TestComposeOnAFreshClone loads the compose file as a newcomer's first
// `docker compose up` does: no .env and nothing in the environment. It
// loads, and brings up the playground: every role, no VK token (so the
// roles play against the simulated VK the admin container serves), the
// page published on the host's loopback at 8080.
func TestComposeOnAFreshClone(t *testing.T) {
	is := is.New(t)
	if _, err := os.Stat("../.env"); err == nil {
		t.Skip("a real ../.env exists: this test is of a clone without one")
	}
	p := load(t)
	for _, role := range roles {
		s, err := p.GetService(role)
		is.NoErr(err) // one container per role, as on a real community
		_, token := s.Environment["VK_TOKEN"]
		is.True(!token)                                                                  // no token: the playground
		is.Equal(*s.Environment["PLAYGROUND_URL"], "http://admin:8080")                  // where the simulated VK is
		is.True(strings.Contains(*s.Environment["DATABASE_URL"], "@postgres:5432/chgk")) // a working database URL with the default password
	}
	adm, _ := p.GetService("admin")
	is.Equal(len(adm.Ports), 1)
	is.Equal(adm.Ports[0].HostIP, "127.0.0.1") // the defaults are safe only on the loopback
	is.Equal(adm.Ports[0].Published, "8080")   // http://localhost:8080
	is.Equal(*adm.Environment["PUBLIC_URL"], "http://localhost:8080")
	pg, _ := p.GetService("postgres")
	is.Equal(len(pg.Ports), 0) // the database is not published
}

func TestDockerfile(t *testing.T) {
	is := is.New(t)
	b, err := os.ReadFile("../Dockerfile")
	is.NoErr(err)
	d := string(b)
	is.True(strings.Contains(d, "CGO_ENABLED=0"))                 // a static build
	is.True(strings.Contains(d, "-trimpath"))                     // reproducible paths
	is.True(strings.Contains(d, "-X main.version=${VERSION}"))    // the version stamped
	is.True(strings.Contains(d, "FROM gcr.io/distroless/static")) // a minimal final image with CA certificates and tzdata
	is.True(strings.Contains(d, "USER nonroot"))                  // not root
	is.True(strings.Contains(d, `ENTRYPOINT ["/chgkbot"]`))
	is.True(strings.Contains(d, `HEALTHCHECK`))
	is.True(strings.Contains(d, "/usr/share/hunspell/ru_RU.aff /usr/share/hunspell/ru_RU.dic /usr/share/hunspell/")) // the judge's dictionary (CHGK_LEXICON's default)
	is.True(strings.Contains(d, "/usr/share/doc/hunspell-ru/copyright"))                                             // with its licence
	is.Equal(strings.Count(d, "\nFROM "), 2)                                                                         // multi-stage
	from := regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(d, -1)
	for _, f := range from {
		is.True(regexp.MustCompile(`@sha256:[0-9a-f]{64}$`).MatchString(f[1])) // every base image pinned by digest
	}
}

// TestStaticBinary builds chgkbot as the Dockerfile does and checks that it
// needs no dynamic loader or shared library: it runs on distroless/static.
func TestStaticBinary(t *testing.T) {
	is := is.New(t)
	out := filepath.Join(t.TempDir(), "chgkbot")
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, "./apps/chgkbot")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, b)
	}
	f, err := elf.Open(out)
	is.NoErr(err)
	defer f.Close()
	for _, p := range f.Progs {
		is.True(p.Type != elf.PT_INTERP) // no dynamic loader
	}
	libs, err := f.ImportedLibraries()
	is.NoErr(err)
	is.Equal(len(libs), 0) // no shared libraries
}

func ptr(s string) *string { return &s }

// TestMonitoringProfile: Prometheus and Grafana come with the monitoring
// profile only, provisioned from deploy/monitoring, on the loopback.
func TestMonitoringProfile(t *testing.T) {
	is := is.New(t)
	p := load(t, exampleEnv(t)...)
	_, err := p.GetService("prometheus")
	is.True(err != nil) // off unless asked for
	opts, err := cli.NewProjectOptions([]string{"../docker-compose.yml"}, cli.WithWorkingDirectory(".."),
		cli.WithEnv(exampleEnv(t)), cli.WithName("chgk"), cli.WithProfiles([]string{"monitoring"}))
	is.NoErr(err)
	mon, err := opts.LoadProject(context.Background())
	is.NoErr(err)
	for name, mounts := range map[string][]string{
		"prometheus": {"deploy/monitoring/prometheus.yml", "deploy/monitoring/alerts.yml"},
		"grafana":    {"deploy/monitoring/grafana/provisioning", "deploy/monitoring/grafana/dashboards"},
	} {
		s, err := mon.GetService(name)
		is.NoErr(err) // with the profile it is there
		for _, m := range mounts {
			found := false
			for _, v := range s.Volumes {
				if strings.HasSuffix(v.Source, m) {
					_, statErr := os.Stat(filepath.Join("..", m))
					is.NoErr(statErr) // the provisioned file exists
					found = true
				}
			}
			is.True(found) // mounted
		}
		is.Equal(s.Ports[0].HostIP, "127.0.0.1") // on the loopback
	}
}
