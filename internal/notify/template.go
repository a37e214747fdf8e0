package notify

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"text/template"
)

// DefaultTextTemplate is the plain-text body every channel sends unless the
// channel has its own. Fields are Message's.
const DefaultTextTemplate = `{{.Subject}}
{{- if .Reason}}
{{.Reason}}{{end}}
{{- if .Product.Title}}
{{.Product.Title}}{{if .Product.Store}} ({{.Product.Store}}){{end}}{{end}}
{{- if and .Old .New}}
{{.Old.Display}} → {{.New.Display}}{{else if .New}}
Now {{.New.Display}}{{end}}
{{- if .Low}}
Lowest before: {{.Low.Display}}{{end}}
{{- if .Link}}
{{.Link}}{{else if .Product.URL}}
{{.Product.URL}}{{end}}`

// MaxTemplateBytes bounds a custom template and MaxTextBytes what it renders.
const (
	MaxTemplateBytes = 8 << 10
	MaxTextBytes     = 16 << 10
)

// ErrTemplate wraps template problems (shown to the person editing it).
var ErrTemplate = errors.New("notify: template")

var defaultText = template.Must(template.New("text").Option("missingkey=error").Parse(DefaultTextTemplate))

// ParseTextTemplate checks a channel's custom text template ("" = the
// default) by parsing it and rendering it against a sample message.
func ParseTextTemplate(src string) (*template.Template, error) {
	if src == "" {
		return defaultText, nil
	}
	if len(src) > MaxTemplateBytes {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrTemplate, MaxTemplateBytes)
	}
	t, err := template.New("text").Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTemplate, err)
	}
	if _, err := render(t, SampleMessage()); err != nil {
		return nil, err
	}
	return t, nil
}

// RenderText is m's text: its Text when a custom template made one, else
// the default template's.
func RenderText(m Message) (string, error) {
	if m.Text != "" {
		return m.Text, nil
	}
	return render(defaultText, m)
}

// RenderWith renders m with a template from ParseTextTemplate.
func RenderWith(t *template.Template, m Message) (string, error) { return render(t, m) }

func render(t *template.Template, m Message) (string, error) {
	var b bytes.Buffer
	if err := t.Execute(&limitWriter{w: &b, n: MaxTextBytes}, m); err != nil {
		return "", fmt.Errorf("%w: %w", ErrTemplate, err)
	}
	return strings.TrimSpace(b.String()), nil
}

type limitWriter struct {
	w *bytes.Buffer
	n int
}

var errTooLong = errors.New("renders more than 16 KiB")

func (l *limitWriter) Write(p []byte) (int, error) {
	if len(p) > l.n {
		return 0, errTooLong
	}
	l.n -= len(p)
	return l.w.Write(p)
}

// SampleMessage is what a test send and template checks render.
func SampleMessage() Message {
	return Message{
		ID: "test", Kind: "test", Test: true,
		Subject: "Test from shelfwatch: Example headphones now €279.00",
		Reason:  "price dropped €50.00 (15.2 %), from €329.00 to €279.00",
		Product: Product{ID: 1, Title: "Example headphones", URL: "https://shop.example/p/headphones", Store: "shop.example"},
		Old:     &Money{Minor: 32900, Currency: "EUR", Display: "€329.00"},
		New:     &Money{Minor: 27900, Currency: "EUR", Display: "€279.00"},
		Low:     &Money{Minor: 26900, Currency: "EUR", Display: "€269.00"},
	}
}

// emailHTML is the HTML part of an alert email. html/template escapes every
// field; image and links are only ever http(s) URLs (template's URL
// filtering drops anything else).
var emailHTML = htmltemplate.Must(htmltemplate.New("email").Parse(`<!doctype html>
<html><body style="font-family:system-ui,sans-serif;color:#1a1a1a;max-width:560px">
<p style="font-size:18px;font-weight:600">{{.Subject}}</p>
{{if .Product.ImageURL}}<p><img src="{{.Product.ImageURL}}" alt="" width="160" style="max-width:160px;height:auto"></p>{{end}}
<p><a href="{{.Product.URL}}">{{.Product.Title}}</a>{{if .Product.Store}} <span style="color:#555">({{.Product.Store}})</span>{{end}}</p>
{{if and .Old .New}}<p style="font-size:20px"><s style="color:#777">{{.Old.Display}}</s> → <strong>{{.New.Display}}</strong></p>
{{else if .New}}<p style="font-size:20px"><strong>{{.New.Display}}</strong></p>{{end}}
{{if .Reason}}<p>{{.Reason}}</p>{{end}}
{{if .Low}}<p style="color:#555">Lowest before: {{.Low.Display}}</p>{{end}}
{{if .Link}}<p><a href="{{.Link}}">Price history in shelfwatch</a></p>{{end}}
</body></html>`))

// RenderHTML renders the HTML email body.
func RenderHTML(m Message) (string, error) {
	var b bytes.Buffer
	if err := emailHTML.Execute(&b, m); err != nil {
		return "", fmt.Errorf("%w: %w", ErrTemplate, err)
	}
	return b.String(), nil
}
