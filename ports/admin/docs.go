package admin

import (
	"embed"
	"io/fs"
	"net/http"
)

// The docs page's renderer, Stoplight Elements, vendored (docsui/README.md):
// the page loads nothing from outside the binary, so it works offline.
//
//go:embed docsui/elements
var docsAssets embed.FS

// elementsVersion names the vendored renderer in its asset URLs, so a
// browser never mixes a cached old file with a new page.
const elementsVersion = "9.0.25"

const docsPage = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="referrer" content="no-referrer">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>chgk admin API Reference</title>
    <link rel="stylesheet" href="/docs/assets/` + elementsVersion + `/styles.min.css">
    <script src="/docs/assets/` + elementsVersion + `/web-components.min.js"></script>
  </head>
  <body style="height: 100vh;">
    <elements-api apiDescriptionUrl="/openapi.yaml" router="hash" layout="sidebar" tryItCredentialsPolicy="same-origin"></elements-api>
  </body>
</html>`

// registerDocs serves the docs page and its assets on mux: Huma's own page
// loads them from a CDN, blank on a machine without internet.
func registerDocs(mux *http.ServeMux) {
	mux.HandleFunc("GET /docs", func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", "default-src 'none'; base-uri 'none'; connect-src 'self'; form-action 'none'; "+
			"frame-ancestors 'none'; img-src 'self' data:; font-src 'self' data:; script-src 'self'; style-src 'self' 'unsafe-inline'")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write([]byte(docsPage))
	})
	sub, _ := fs.Sub(docsAssets, "docsui/elements")
	assets := http.StripPrefix("/docs/assets/"+elementsVersion+"/", http.FileServerFS(sub))
	mux.Handle("GET /docs/assets/"+elementsVersion+"/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400, immutable")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		assets.ServeHTTP(w, r)
	}))
}
