package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
)

// writeCert writes a self-signed certificate for 127.0.0.1 and its key as
// PEM files and returns their paths and a pool trusting the certificate.
func writeCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "shelfwatch test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(leaf)
	return certFile, keyFile, pool
}

// TestServeTLS: with --tls-cert/--tls-key serve speaks HTTPS on loopback and
// sends HSTS; plain HTTP to the same port gets no API.
func TestServeTLS(t *testing.T) {
	t.Parallel()
	c := testConfig(t, db.SQLite)
	certFile, keyFile, pool := writeCert(t)
	c.HTTP.TLSCert, c.HTTP.TLSKey = certFile, keyFile
	base, stop := startServe(t, c)
	defer func() {
		if err := stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	}()
	addr := strings.TrimPrefix(base, "http://")
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	resp, err := client.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil || resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatalf("HTTPS /healthz: %d, TLS %v, headers %v", resp.StatusCode, resp.TLS != nil, resp.Header)
	}
	plain, err := http.Get("http://" + addr + "/healthz")
	if err == nil {
		_ = plain.Body.Close()
		if plain.StatusCode == 200 {
			t.Fatal("plain HTTP answered 200 on the TLS port")
		}
	}
}

func TestServeTLSBadKey(t *testing.T) {
	t.Parallel()
	c := testConfig(t, db.SQLite)
	certFile, _, _ := writeCert(t)
	c.HTTP.TLSCert, c.HTTP.TLSKey = certFile, certFile // not a key
	err := serve(t.Context(), c, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err == nil || !strings.Contains(err.Error(), "TLS certificate") {
		t.Fatalf("serve with a bad key: %v", err)
	}
}

func TestTrustedOrigins(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": "", "https://watch.example/sub": "https://watch.example", "http://h:8080": "http://h:8080"} {
		got := strings.Join(trustedOrigins(in), ",")
		if got != want {
			t.Errorf("trustedOrigins(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProxyPoolNames(t *testing.T) {
	t.Parallel()
	got := proxyPoolNames("us=http://p1:3128;eu=socks5://p2:1080,http://p3:3128")
	if strings.Join(got, ",") != "eu,us" {
		t.Errorf("pools %v", got)
	}
	if got := proxyPoolNames(""); len(got) != 0 {
		t.Errorf("no proxies: %v", got)
	}
}
