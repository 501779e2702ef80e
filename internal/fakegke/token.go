package fakegke

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
)

// The token endpoint stands in for https://oauth2.googleapis.com/token. It
// accepts the two grants Application Default Credentials perform:
//
//   - urn:ietf:params:oauth:grant-type:jwt-bearer, by a service-account key:
//     an RS256 JWT signed with the key, with iss = the account's email,
//     aud = this endpoint, a scope, and at most an hour between iat and exp;
//   - refresh_token, by authorized_user credentials (gcloud's ADC file).
//
// Both must come from credentials this server wrote (WriteCredentials,
// WriteUserCredentials): it checks signatures and secrets as Google does. The
// access token it issues is the backing cluster's bearer token.

const jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

type serviceAccount struct {
	email string
	key   *rsa.PublicKey
}

type userCredential struct {
	clientID, clientSecret string
}

// oauthError is an OAuth2 error response (RFC 6749 §5.2). Descriptions are
// Google's where known.
type oauthError struct {
	status      int
	kind        string
	description string
	code        codes.Code // for the request log
}

func (s *Server) tokenHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /token", s.serveToken)
	return mux
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	i, f := s.record(TokenMethod, nil)
	if f != nil {
		s.recordOutcome(i, f.code)
		writeOAuthError(w, injectedOAuthError(*f))
		return
	}
	scope, oerr := s.checkGrant(r)
	if oerr != nil {
		s.recordOutcome(i, oerr.code)
		writeOAuthError(w, *oerr)
		return
	}
	s.recordOutcome(i, codes.OK)
	s.mu.Lock()
	s.scopes = append(s.scopes, scope)
	s.mu.Unlock()
	resp := map[string]any{
		"access_token": s.accessToken(),
		"token_type":   "Bearer",
		"expires_in":   int64(s.opts.TokenLifetime / time.Second),
	}
	if scope != "" {
		resp["scope"] = scope
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(resp)
}

func (s *Server) accessToken() string {
	if t := s.opts.Backing.Token; t != "" {
		return t
	}
	return s.fallback
}

// checkGrant validates a token request and returns the granted scope.
func (s *Server) checkGrant(r *http.Request) (string, *oauthError) {
	if err := r.ParseForm(); err != nil {
		return "", &oauthError{http.StatusBadRequest, "invalid_request", "Malformed request body.", codes.InvalidArgument}
	}
	switch grant := r.PostForm.Get("grant_type"); grant {
	case jwtBearerGrant:
		return s.checkAssertion(r.PostForm.Get("assertion"), time.Now())
	case "refresh_token":
		return "", s.checkRefresh(r.PostForm.Get("client_id"), r.PostForm.Get("client_secret"), r.PostForm.Get("refresh_token"))
	default:
		return "", &oauthError{http.StatusBadRequest, "unsupported_grant_type", "Invalid grant_type: " + grant, codes.InvalidArgument}
	}
}

// checkAssertion verifies a service account's signed JWT as Google's token
// endpoint does.
func (s *Server) checkAssertion(assertion string, now time.Time) (string, *oauthError) {
	invalid := func(desc string) *oauthError {
		return &oauthError{http.StatusBadRequest, "invalid_grant", desc, codes.Unauthenticated}
	}
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return "", invalid("Invalid JWT Signature.")
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	var claims struct {
		Iss   string `json:"iss"`
		Scope string `json:"scope"`
		Aud   string `json:"aud"`
		Iat   int64  `json:"iat"`
		Exp   int64  `json:"exp"`
	}
	if decodeSegment(parts[0], &header) != nil || decodeSegment(parts[1], &claims) != nil {
		return "", invalid("Invalid JWT Signature.")
	}
	s.mu.Lock()
	acct := s.accounts[header.Kid]
	s.mu.Unlock()
	if acct == nil || acct.email != claims.Iss {
		return "", invalid("Invalid grant: account not found")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err != nil || header.Alg != "RS256" || rsa.VerifyPKCS1v15(acct.key, crypto.SHA256, digest[:], sig) != nil {
		return "", invalid("Invalid JWT Signature.")
	}
	if claims.Aud != s.TokenURL() {
		return "", invalid("Invalid JWT: Failed audience check. The expected audience is " + s.TokenURL() + ".")
	}
	const skew = time.Minute
	iat, exp := time.Unix(claims.Iat, 0), time.Unix(claims.Exp, 0)
	if exp.Sub(iat) > time.Hour || !exp.After(now) || iat.After(now.Add(skew)) {
		return "", invalid("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.")
	}
	if claims.Scope == "" {
		return "", &oauthError{http.StatusBadRequest, "invalid_scope", "Invalid OAuth scope or ID token audience provided.", codes.InvalidArgument}
	}
	return claims.Scope, nil
}

// checkRefresh verifies an authorized_user refresh as Google does.
func (s *Server) checkRefresh(clientID, clientSecret, refreshToken string) *oauthError {
	s.mu.Lock()
	defer s.mu.Unlock()
	known := false
	for _, u := range s.users {
		if u.clientID == clientID {
			known = true
			if u.clientSecret != clientSecret {
				return &oauthError{http.StatusUnauthorized, "invalid_client", "Unauthorized", codes.Unauthenticated}
			}
		}
	}
	if !known {
		return &oauthError{http.StatusUnauthorized, "invalid_client", "The OAuth client was not found.", codes.Unauthenticated}
	}
	if u, ok := s.users[refreshToken]; !ok || u.clientID != clientID {
		return &oauthError{http.StatusBadRequest, "invalid_grant", "Bad Request", codes.Unauthenticated}
	}
	return nil
}

func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// injectedOAuthError renders a failure injected with FailNext(TokenMethod, ...)
// as the HTTP error Google's endpoint would give for that kind of failure.
func injectedOAuthError(f fault) oauthError {
	e := oauthError{status: http.StatusBadRequest, kind: "invalid_grant", description: f.msg, code: f.code}
	switch f.code {
	case codes.Unavailable:
		e.status, e.kind = http.StatusServiceUnavailable, "temporarily_unavailable"
	case codes.Internal, codes.Unknown:
		e.status, e.kind = http.StatusInternalServerError, "internal_failure"
	case codes.Unauthenticated:
		e.status, e.kind = http.StatusUnauthorized, "invalid_client"
	case codes.PermissionDenied:
		e.status, e.kind = http.StatusForbidden, "access_denied"
	case codes.ResourceExhausted:
		e.status, e.kind = http.StatusTooManyRequests, "rate_limit_exceeded"
	}
	return e
}

func writeOAuthError(w http.ResponseWriter, e oauthError) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": e.kind, "error_description": e.description})
}

// Scopes lists the scope of every access token the token endpoint granted to
// a service account, oldest first: space-separated, as the client asked.
func (s *Server) Scopes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.scopes...)
}
