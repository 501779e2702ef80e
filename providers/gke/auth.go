package gke

import (
	"fmt"
	"net/http"

	"golang.org/x/oauth2"
	"k8s.io/client-go/transport"
)

// tokenTransport puts a fresh OAuth2 bearer token on every request to the
// API server. The token source refreshes by itself (golang.org/x/oauth2
// renews a token shortly before it expires), so a long apply never sends
// an expired one. Unlike oauth2.Transport it exposes the transport it
// wraps, which client-go looks for (to close idle connections, and to
// find the TLS settings when it upgrades a connection for exec).
type tokenTransport struct {
	src  oauth2.TokenSource
	base http.RoundTripper
}

func (t *tokenTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.src.Token()
	if err != nil {
		return nil, fmt.Errorf("get an OAuth2 token from Application Default Credentials: %w", err)
	}
	// A RoundTripper must not change the caller's request.
	r := req.Clone(req.Context())
	tok.SetAuthHeader(r)
	return t.base.RoundTrip(r)
}

// WrappedRoundTripper is the transport underneath.
func (t *tokenTransport) WrappedRoundTripper() http.RoundTripper { return t.base }

func wrapWithToken(ts oauth2.TokenSource) transport.WrapperFunc {
	return func(rt http.RoundTripper) http.RoundTripper { return &tokenTransport{src: ts, base: rt} }
}
