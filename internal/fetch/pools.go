package fetch

import (
	"errors"
	"fmt"
	"strings"
)

// ParseProxyPools reads the operator's proxy pools from one string, the
// form SHELFWATCH_FETCH_PROXIES takes: pools separated by ";", each
// "name=url,url,…". A bare list of URLs with no "name=" is the pool
// "default". Empty input means no pools.
//
//	default=http://user:pw@10.0.0.5:3128,socks5://127.0.0.1:1080;eu=https://proxy.eu.example:443
func ParseProxyPools(s string) (map[string][]string, error) {
	pools := map[string][]string{}
	var errs []error
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, list := "default", part
		if n, l, ok := strings.Cut(part, "="); ok && !strings.Contains(n, "://") {
			name, list = strings.TrimSpace(n), l
		}
		if name == "" || name == directPool {
			errs = append(errs, fmt.Errorf("proxy pool name %q is reserved", name))
			continue
		}
		for raw := range strings.SplitSeq(list, ",") {
			raw = strings.TrimSpace(raw)
			if raw == "" {
				continue
			}
			if _, err := parseProxyURL(raw); err != nil {
				errs = append(errs, fmt.Errorf("proxy pool %q: %w", name, err))
				continue
			}
			pools[name] = append(pools[name], raw)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return pools, nil
}
