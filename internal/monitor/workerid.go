package monitor

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
)

// WorkerID names this process in leases: host and pid say where a lease
// came from in the admin view, and the random part keeps two processes
// apart even when a container restarts with the same pid.
func WorkerID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}
