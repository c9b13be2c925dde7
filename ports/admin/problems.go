package admin

import (
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/danielgtaylor/huma/v2"
)

// maxEchoed is the most characters of a bad value a problem repeats back:
// enough to recognise it, never a megabyte sent back to its sender.
const maxEchoed = 100

var truncateProblems sync.Once

// shortProblems makes every problem Huma builds repeat bad values cut to
// maxEchoed characters. Huma's constructor is process-wide, and so is this
// (the binary serves one API).
func shortProblems() {
	truncateProblems.Do(func() {
		orig := huma.NewError
		huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
			for _, e := range errs {
				if d, ok := e.(huma.ErrorDetailer); ok {
					if det := d.ErrorDetail(); det != nil {
						det.Value = shortValue(det.Value)
					}
				}
			}
			return orig(status, msg, errs...)
		}
	})
}

func shortValue(v any) any {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []byte:
		s = string(x)
	case nil:
		return nil
	default:
		if str := fmt.Sprint(x); utf8.RuneCountInString(str) > maxEchoed {
			s = str
		} else {
			return v
		}
	}
	if utf8.RuneCountInString(s) <= maxEchoed {
		return s
	}
	r := []rune(s)
	return fmt.Sprintf("%s… (%d characters)", string(r[:maxEchoed]), len(r))
}

// hasNUL reports whether any of ss holds the NUL character, which no text
// column stores: refused, rather than silently stripped or failing later.
func hasNUL(ss ...string) bool {
	for _, s := range ss {
		if strings.IndexByte(s, 0) >= 0 {
			return true
		}
	}
	return false
}
