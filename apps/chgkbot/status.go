package main

import (
	"html/template"
	"net/http"
	"slices"
)

// statusTemplate is / of a process on real VK: what runs here, and where
// to go next. The playground serves its page at / instead.
var statusTemplate = template.Must(template.New("status").Parse(`<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>chgkbot</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em}code{background:#eee;padding:0 .3em}</style>
</head><body>
<h1>Бот «Что? Где? Когда?» работает</h1>
<p>Версия <code>{{.Version}}</code>, роли: {{range $i, $r := .Roles}}{{if $i}}, {{end}}<code>{{$r}}</code>{{end}}. Сообщество VK: <code>{{.Group}}</code>.</p>
<ul>
{{if .Admin}}<li><a href="/docs">API администратора</a> — документация и проба запросов</li>{{end}}
<li><a href="/readyz">/readyz</a> — готовность: база данных и шина</li>
<li><a href="/metrics">/metrics</a> — метрики Prometheus</li>
</ul>
</body></html>
`))

// statusPage renders statusTemplate for cfg.
func statusPage(cfg config) http.Handler {
	var roles []string
	for r := range cfg.Roles {
		roles = append(roles, r)
	}
	slices.Sort(roles)
	data := struct {
		Version string
		Roles   []string
		Group   int64
		Admin   bool
	}{version, roles, cfg.VKGroupID, cfg.Roles["admin"]}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = statusTemplate.Execute(w, data)
	})
}
