package config

import (
	"strings"
	"testing"
)

func TestDemoOption(t *testing.T) {
	c, err := loadServe(nil, envOf(nil), noFiles)
	if err != nil || c.Demo {
		t.Fatalf("default: Demo = %v, err %v; want off", c.Demo, err)
	}
	if c, err := loadServe([]string{"--demo"}, envOf(nil), noFiles); err != nil || !c.Demo {
		t.Errorf("--demo: Demo = %v, err %v", c.Demo, err)
	}
	if c, err := loadServe(nil, envOf(map[string]string{"SHELFWATCH_DEMO": "true"}), noFiles); err != nil || !c.Demo {
		t.Errorf("SHELFWATCH_DEMO=true: Demo = %v, err %v", c.Demo, err)
	}
	if _, err := loadServe(nil, envOf(map[string]string{"SHELFWATCH_DEMO": "maybe"}), noFiles); err == nil || !strings.Contains(err.Error(), "SHELFWATCH_DEMO") {
		t.Errorf("SHELFWATCH_DEMO=maybe: error %v, want one naming the variable", err)
	}
	// The demo's store and receiver live in the serving process: refused
	// on PostgreSQL, in one line that says what to drop.
	_, err = loadServe([]string{"--demo", "--database-url", "postgres://u@db:5432/sw", "--secret-key", "c2hlbGZ3YXRjaC10ZXN0cy1zZWNyZXQta2V5LTMyYnk="}, envOf(nil), noFiles)
	if err == nil || !strings.Contains(err.Error(), "--demo") || !strings.Contains(err.Error(), "SQLite") || strings.Contains(err.Error(), "\n") {
		t.Errorf("--demo on PostgreSQL: error %v", err)
	}
}
