package config

import (
	"io"
	"strings"
	"testing"
	"time"
)

var serveMailCmd = Command{Name: "serve", Groups: []Group{GroupServe, GroupDatabase, GroupLog, GroupMail}}

func TestAccountOptions(t *testing.T) {
	files := func(p string) ([]byte, error) { return []byte("smtp://mailer:file-secret@mail.example.com:587\n"), nil }
	c, _, err := load(serveMailCmd, []string{"--session-idle-timeout", "2h", "--session-lifetime", "14d", "--secure-cookies",
		"--base-url", "https://watch.example.com/", "--mail-from", "sw@example.com"},
		envOf(map[string]string{"SHELFWATCH_SMTP_URL_FILE": "/run/secrets/smtp"}), io.Discard, files)
	if err != nil {
		t.Fatal(err)
	}
	want := Accounts{SessionIdle: 2 * time.Hour, SessionLifetime: 14 * 24 * time.Hour, SecureCookies: true,
		BaseURL: "https://watch.example.com", SMTPURL: "smtp://mailer:file-secret@mail.example.com:587", MailFrom: "sw@example.com"}
	if c.Accounts != want {
		t.Errorf("got %+v\nwant %+v", c.Accounts, want)
	}
}

func TestAccountOptionErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--smtp-url", "http://u:hunter2pass@mail.example.com"}, "must be smtp://"},
		{[]string{"--smtp-url", "smtp://u:hunter2pass@mail.example.com"}, "needs --mail-from"},
		{[]string{"--base-url", "watch.example.com"}, "http(s) URL"},
		{[]string{"--session-idle-timeout", "1s"}, "between"},
	} {
		_, _, err := load(serveMailCmd, c.args, envOf(nil), io.Discard, noFiles)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one containing %q", c.args, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "hunter2pass") {
			t.Errorf("%v: the error shows the SMTP password: %v", c.args, err)
		}
	}
}
