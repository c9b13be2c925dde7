// Package layers_test checks the one dependency rule of the layout (see
// ARCHITECTURE.md) with the go tool itself, so a wrong import fails the
// tests instead of waiting for a reviewer.
package layers_test

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/vkchgk/chgkbot"

type pkg struct {
	ImportPath string
	Imports    []string // non-test imports: what the binary links
	Deps       []string
	Standard   bool
}

func list(t *testing.T) map[string]pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath,Imports,Deps,Standard", "./...")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	pkgs := map[string]pkg{}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

// layer is the top directory of one of our packages: chgk, ports,
// adapters, apps, migrations; "" for a package not ours.
func layer(path string) string {
	rest, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return ""
	}
	top, _, _ := strings.Cut(rest, "/")
	return top
}

// TestLayers: chgk (and chgk/vkwire) depends on the standard library alone;
// ports and adapters never import each other; nothing imports apps.
func TestLayers(t *testing.T) {
	pkgs := list(t)
	for path, p := range pkgs {
		if layer(path) == "" {
			continue
		}
		if path == module+"/chgk" || path == module+"/chgk/vkwire" {
			for _, d := range p.Deps {
				if dp, ok := pkgs[d]; ok && !dp.Standard && layer(d) != "chgk" {
					t.Errorf("%s must depend on the standard library alone; it depends on %s", path, d)
				}
			}
		}
		for _, imp := range p.Imports {
			from, to := layer(path), layer(imp)
			switch {
			case to == "apps" && from != "apps":
				t.Errorf("%s imports %s: nothing imports apps/", path, imp)
			case from == "chgk" && to != "chgk" && to != "":
				t.Errorf("%s imports %s: the domain depends on nothing of ours", path, imp)
			case from == "ports" && to == "adapters", from == "adapters" && to == "ports":
				t.Errorf("%s imports %s: ports and adapters do not import each other (declare an interface in the port, wire in apps/)", path, imp)
			}
		}
	}
	if len(pkgs[module+"/chgk"].Deps) == 0 {
		t.Fatal("go list found no chgk package: the check checked nothing")
	}
}
