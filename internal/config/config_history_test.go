package config

import (
	"strings"
	"testing"
	"time"
)

func TestHistoryRetention(t *testing.T) {
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want time.Duration
	}{
		{nil, nil, 0},
		{[]string{"--history-retention", "400d"}, nil, 400 * 24 * time.Hour},
		{nil, map[string]string{"SHELFWATCH_HISTORY_RETENTION": "2200h"}, 2200 * time.Hour},
		{[]string{"--history-retention", "0"}, nil, 0},
	} {
		c, err := loadServe(tc.args, envOf(tc.env), noFiles)
		if err != nil {
			t.Fatalf("%v %v: %v", tc.args, tc.env, err)
		}
		if c.HistoryRetention != tc.want {
			t.Errorf("%v %v: HistoryRetention %s, want %s", tc.args, tc.env, c.HistoryRetention, tc.want)
		}
	}
	for _, bad := range []string{"90d", "30d", "2159h", "-400d", "-2400h", "forever"} {
		_, err := loadServe([]string{"--history-retention", bad}, envOf(nil), noFiles)
		if err == nil {
			t.Errorf("--history-retention %s accepted", bad)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "--history-retention") || strings.Contains(msg, "\n") {
			t.Errorf("--history-retention %s: message %q does not name the flag in one line", bad, msg)
		}
	}
	if _, err := loadServe([]string{"--history-retention", "91d"}, envOf(nil), noFiles); err != nil {
		t.Errorf("91d refused: %v", err)
	}
}
