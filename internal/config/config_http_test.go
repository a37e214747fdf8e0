package config

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func TestHTTPOptions(t *testing.T) {
	c, err := loadServe([]string{"--tls-cert", "c.pem", "--tls-key", "k.pem", "--trusted-proxies", "10.0.0.0/8, 192.0.2.7,::1",
		"--api-rate-limit", "0"}, envOf(map[string]string{"SHELFWATCH_SIGNIN_RATE_LIMIT": "3"}), noFiles)
	if err != nil {
		t.Fatal(err)
	}
	want := HTTP{TLSCert: "c.pem", TLSKey: "k.pem", APIRatePerMin: 0, SignInRatePerMin: 3,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("::1/128")}}
	if !reflect.DeepEqual(c.HTTP, want) {
		t.Fatalf("got %+v\nwant %+v", c.HTTP, want)
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", "c.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"--tls-key", "k.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"--trusted-proxies", "10.0.0.0/33"}, `"10.0.0.0/33" is not an address or CIDR`},
		{[]string{"--api-rate-limit", "-1"}, "--api-rate-limit"},
	} {
		_, err := loadServe(bad.args, envOf(nil), noFiles)
		if err == nil || !strings.Contains(err.Error(), bad.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want one line containing %q", bad.args, err, bad.want)
		}
	}
}
