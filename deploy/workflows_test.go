package deploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/matryer/is"
	"go.yaml.in/yaml/v4"
)

// TestActionsArePinnedByCommit: a tag of a third-party action can be moved
// to other code; a commit cannot.
func TestActionsArePinnedByCommit(t *testing.T) {
	files, err := filepath.Glob("../.github/workflows/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no workflows: %v", err)
	}
	uses := regexp.MustCompile(`(?m)^\s*-?\s*uses:\s*(\S+)`)
	pinned := regexp.MustCompile(`@[0-9a-f]{40}$`)
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range uses.FindAllStringSubmatch(string(b), -1) {
			n++
			if !pinned.MatchString(m[1]) {
				t.Errorf("%s: %s is not pinned by a commit SHA", filepath.Base(f), m[1])
			}
		}
	}
	if n == 0 {
		t.Fatal("no action found: the check checked nothing")
	}
}

// TestDeployChecksTheTag runs the deploy workflow's own tag step with bash:
// a tag of the release's forms passes, a shell injection is refused, and
// without an input the image built for the released commit is chosen.
// No script of the workflow pastes an input into its text.
func TestDeployChecksTheTag(t *testing.T) {
	is := is.New(t)
	b, err := os.ReadFile("../.github/workflows/deploy.yml")
	is.NoErr(err)
	is.True(!regexp.MustCompile(`run:[^\n]*\$\{\{\s*github\.event\.inputs`).Match(b)) // no input pasted into a one-line script
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Name string `yaml:"name"`
				Run  string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	is.NoErr(yaml.Unmarshal(b, &wf))
	script := ""
	for _, s := range wf.Jobs["deploy"].Steps {
		is.True(!strings.Contains(s.Run, "${{")) // no expression inside any script: inputs come through env
		if s.Name == "Choose and check the tag" {
			script = s.Run
		}
	}
	is.True(script != "") // the step exists
	run := func(input, sha string) (string, bool) {
		env := filepath.Join(t.TempDir(), "env")
		cmd := exec.Command("bash", "-c", script)
		cmd.Env = []string{"INPUT_TAG=" + input, "RELEASED_SHA=" + sha, "GITHUB_ENV=" + env, "PATH=" + os.Getenv("PATH")}
		err := cmd.Run()
		out, _ := os.ReadFile(env)
		return strings.TrimSpace(string(out)), err == nil
	}
	for _, tc := range []struct {
		input, sha, want string
		ok               bool
	}{
		{"sha-abc1234", "", "TAG=sha-abc1234", true},
		{"v1.2.3", "", "TAG=v1.2.3", true},
		{"", "0123456789abcdef0123456789abcdef01234567", "TAG=sha-0123456", true}, // the released commit's image
		{"x'; touch /tmp/pwned; '", "", "", false},
		{"main", "", "", false}, // the moving tag is not deployed
		{"sha-abc1234 && rm -rf /", "", "", false},
		{"$(id)", "", "", false},
	} {
		got, ok := run(tc.input, tc.sha)
		if ok != tc.ok || got != tc.want {
			t.Errorf("tag %q: ok=%v %q, want ok=%v %q", tc.input, ok, got, tc.ok, tc.want)
		}
	}
}
