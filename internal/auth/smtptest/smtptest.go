// Package smtptest is a minimal SMTP server on loopback for tests: it
// accepts every message (with or without AUTH PLAIN) and hands it over.
package smtptest

import (
	"bufio"
	"encoding/base64"
	"net"
	"strings"
	"sync"
	"testing"
)

// Mail is one received message.
type Mail struct {
	From, To string
	Auth     string // "user\x00pass" from AUTH PLAIN, "" without
	Data     string // headers and body as sent
}

// Server collects messages until the test ends.
type Server struct {
	Addr string
	C    chan Mail // buffered; every message lands here
	wg   sync.WaitGroup
}

// Start listens on 127.0.0.1 and serves until t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), C: make(chan Mail, 16)}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(c) }()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); s.wg.Wait() })
	return s
}

func (s *Server) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { _, _ = c.Write([]byte(line + "\r\n")) }
	say("220 smtptest ready")
	var m Mail
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO", "HELO":
			say("250-smtptest")
			say("250 AUTH PLAIN")
		case "AUTH":
			parts := strings.Fields(line)
			if len(parts) == 3 {
				b, _ := base64.StdEncoding.DecodeString(parts[2])
				m.Auth = strings.TrimPrefix(string(b), "\x00")
			}
			say("235 ok")
		case "MAIL":
			m.From = strings.Trim(strings.TrimPrefix(line[len("MAIL"):], " FROM:"), "<> ")
			say("250 ok")
		case "RCPT":
			m.To = strings.Trim(strings.TrimPrefix(line[len("RCPT"):], " TO:"), "<> ")
			say("250 ok")
		case "DATA":
			say("354 go ahead")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			m.Data = b.String()
			s.C <- m
			m = Mail{Auth: m.Auth}
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}
