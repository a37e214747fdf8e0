package bench

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/storesim"
)

// storeServer is the simulated store as the bench serves it.
type storeServer struct {
	origins []string
	url     func(id int) string
	wait    func()
}

// serveStore starts the store. Normally storesim serves itself; with
// NoReuse the bench serves storesim's handler on its own listeners (the
// same loopback addresses) with keep-alives off, because storesim's server
// always keeps connections alive. TLS certificates are trusted by this
// process through trustCert.
func serveStore(ctx context.Context, sim *storesim.Store, o Options, dir string) (*storeServer, error) {
	if !o.NoReuse {
		if _, err := sim.Start(ctx, "127.0.0.2:0"); err != nil {
			return nil, fmt.Errorf("start storesim: %w", err)
		}
		srv := &storeServer{origins: sim.Origins(), url: sim.URL, wait: sim.Wait}
		if o.TLS {
			der, err := peerCert(ctx, srv.origins[0])
			if err == nil {
				err = trustCert(ctx, der, srv.origins[0], dir)
			}
			if err != nil {
				return nil, err
			}
		}
		return srv, nil
	}

	ips := make([]net.IP, o.Hosts)
	for k := range ips {
		ips[k] = net.IPv4(127, 0, 0, byte(2+k))
	}
	lns := make([]net.Listener, 0, o.Hosts)
	closeAll := func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}
	port := "0"
	for _, ip := range ips {
		ln, err := net.Listen("tcp", net.JoinHostPort(ip.String(), port))
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("listen on %s: %w", ip, err)
		}
		lns = append(lns, ln)
		port = strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	}
	scheme := "http"
	var der []byte
	if o.TLS {
		scheme = "https"
		cert, err := selfSigned(ips)
		if err != nil {
			closeAll()
			return nil, err
		}
		der = cert.Certificate[0]
		cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}
		for i, ln := range lns {
			lns[i] = tls.NewListener(ln, cfg)
		}
	}
	origins := make([]string, len(ips))
	for k, ip := range ips {
		origins[k] = scheme + "://" + net.JoinHostPort(ip.String(), port)
	}
	hs := &http.Server{Handler: sim.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	hs.SetKeepAlivesEnabled(false)
	var wg sync.WaitGroup
	for _, ln := range lns {
		wg.Go(func() { _ = hs.Serve(ln) })
	}
	wg.Go(func() {
		<-ctx.Done()
		_ = hs.Close()
	})
	srv := &storeServer{
		origins: origins,
		// Like storesim: product id lives on origins[id % hosts]; before
		// Start, sim.URL is the path.
		url:  func(id int) string { return origins[id%len(origins)] + sim.URL(id) },
		wait: wg.Wait,
	}
	if o.TLS {
		if err := trustCert(ctx, der, origins[0], dir); err != nil {
			_ = hs.Close()
			wg.Wait()
			return nil, err
		}
	}
	return srv, nil
}

// selfSigned makes a certificate for the given addresses, like storesim's.
func selfSigned(ips []net.IP) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "shelfwatch bench"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
