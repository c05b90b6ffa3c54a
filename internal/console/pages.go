package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"
)

//go:embed templates
var templateFiles embed.FS

// pages are the console's templates: one layout, one template per page.
type pages struct{ byName map[string]*template.Template }

var pageNames = []string{"list", "execution", "start", "error"}

var templateFuncs = template.FuncMap{
	"executionURL": executionURL,
	"machineURL":   func(arn string) string { return "/?" + url.Values{"machine": {arn}}.Encode() },
	"execSign":     func(status string) string { return executionSigns[status] },
	"iso":          func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) },
	"time":         formatTime,
	"duration":     formatDuration,
	"offset":       func(from, to time.Time) string { return formatOffset(to.Sub(from)) },
	"statusClass":  statusClass,
	"bytes":        formatBytes,
	"add":          func(a, b int) int { return a + b },
	"f1":           func(v float64) string { return fmt.Sprintf("%.1f", v) },
}

func parsePages() (*pages, error) {
	layout, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFiles, "templates/layout.html", "templates/parts.html")
	if err != nil {
		return nil, fmt.Errorf("console templates: %w", err)
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.Must(layout.Clone()).ParseFS(templateFiles, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", name, err)
		}
		p.byName[name] = t
	}
	return p, nil
}

// render writes a page; a template that fails is a bug, answered with a plain 500
// rather than half a page.
func (c *Console) render(w http.ResponseWriter, status int, name string, data any) {
	var out bytes.Buffer
	if err := c.pages.byName[name].ExecuteTemplate(&out, "layout.html", data); err != nil {
		c.cfg.Log.Error("console page failed to render", "fareId", "", "page", name, "error", err.Error())
		http.Error(w, "the console failed to render this page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(out.Bytes())
}

func executionURL(arn string) string { return "/execution?" + url.Values{"arn": {arn}}.Encode() }

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05.000")
}

func formatDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "—"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}

func formatOffset(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return fmt.Sprintf("+%.3fs", d.Seconds())
}

func formatBytes(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.1f KB", float64(n)/1024)
}

// executionSigns go with an execution status wherever it is shown, so that its colour
// is never the only signal.
var executionSigns = map[string]string{
	"RUNNING": "▶", "SUCCEEDED": "✓", "FAILED": "✗", "TIMED_OUT": "◷", "ABORTED": "■", "PENDING_REDRIVE": "↻",
}

// statusClass is the CSS class of an execution status.
func statusClass(status string) string {
	return "status-" + strings.ToLower(strings.ReplaceAll(status, "_", "-"))
}
