package fakegke_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/auth/credentials"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/grpc/codes"

	"github.com/podlab/podlab/internal/fakegke"
)

const cloudPlatform = "https://www.googleapis.com/auth/cloud-platform"

// useCredentials points Application Default Credentials at a file.
func useCredentials(t *testing.T, path string) {
	t.Helper()
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", path)
}

func TestADCServiceAccountGetsBackingToken(t *testing.T) {
	e := newEnv(t, fastTimings)
	path, err := e.srv.WriteCredentials(t.TempDir())
	if err != nil {
		t.Fatalf("WriteCredentials: %v", err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials file mode %v (%v), want 0600", fi.Mode(), err)
	}
	useCredentials(t, path)

	creds, err := google.FindDefaultCredentials(ctxT(t), cloudPlatform)
	if err != nil {
		t.Fatalf("FindDefaultCredentials: %v", err)
	}
	if creds.ProjectID != "podlab-test" {
		t.Errorf("ADC project %q, want podlab-test", creds.ProjectID)
	}
	tok, err := creds.TokenSource.Token()
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if tok.AccessToken != e.backing.Token || tok.Type() != "Bearer" {
		t.Errorf("token %q (%s), want the backing cluster's bearer token", tok.AccessToken, tok.Type())
	}
	if until := time.Until(tok.Expiry); until < 50*time.Minute || until > time.Hour {
		t.Errorf("token expires in %v, want about an hour", until)
	}
	if n := e.srv.Calls(fakegke.TokenMethod); n != 1 {
		t.Errorf("token endpoint saw %d requests, want 1 (the JWT-bearer grant)", n)
	}
}

// With a lifetime under x/oauth2's 10 s early-refresh window every use
// refreshes: the token source really goes back to the endpoint.
func TestADCTokenSourceRefreshes(t *testing.T) {
	e := newEnv(t, fakegke.Options{TokenLifetime: time.Second})
	path, err := e.srv.WriteCredentials(t.TempDir())
	if err != nil {
		t.Fatalf("WriteCredentials: %v", err)
	}
	useCredentials(t, path)
	ts, err := google.DefaultTokenSource(ctxT(t), cloudPlatform)
	if err != nil {
		t.Fatalf("DefaultTokenSource: %v", err)
	}
	for range 2 {
		if _, err := ts.Token(); err != nil {
			t.Fatalf("Token: %v", err)
		}
	}
	if n := e.srv.Calls(fakegke.TokenMethod); n != 2 {
		t.Errorf("token endpoint saw %d requests, want 2", n)
	}
}

func TestADCAuthorizedUserRefreshes(t *testing.T) {
	e := newEnv(t, fastTimings)
	path, err := e.srv.WriteUserCredentials(t.TempDir())
	if err != nil {
		t.Fatalf("WriteUserCredentials: %v", err)
	}
	useCredentials(t, path)
	ts, err := google.DefaultTokenSource(ctxT(t), cloudPlatform)
	if err != nil {
		t.Fatalf("DefaultTokenSource: %v", err)
	}
	tok, err := ts.Token()
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if tok.AccessToken != e.backing.Token {
		t.Errorf("token %q, want the backing cluster's", tok.AccessToken)
	}
}

// Credentials the fake did not issue are refused as Google refuses them: a
// key it does not know, even with token_uri pointing at it.
func TestTokenEndpointRefusesForeignKeys(t *testing.T) {
	e := newEnv(t, fastTimings)
	other := newEnv(t, fastTimings)
	path, err := other.srv.WriteCredentials(t.TempDir())
	if err != nil {
		t.Fatalf("WriteCredentials: %v", err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read credentials: %v", err)
	}
	forged := strings.ReplaceAll(string(raw), other.srv.TokenURL(), e.srv.TokenURL())
	if err := os.WriteFile(path, []byte(forged), 0o600); err != nil {
		t.Fatalf("write credentials: %v", err)
	}
	useCredentials(t, path)

	ts, err := google.DefaultTokenSource(ctxT(t), cloudPlatform)
	if err != nil {
		t.Fatalf("DefaultTokenSource: %v", err)
	}
	_, err = ts.Token()
	// x/oauth2's JWT flow does not parse the error body into ErrorCode.
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != 400 || !strings.Contains(string(re.Body), `"invalid_grant"`) {
		t.Fatalf("Token with a foreign key: %v, want a 400 invalid_grant", err)
	}
	if n := other.srv.Calls(fakegke.TokenMethod); n != 0 {
		t.Errorf("the issuing server saw %d token requests, want 0", n)
	}
}

func TestTokenEndpointInjectedFailure(t *testing.T) {
	e := newEnv(t, fastTimings)
	path, err := e.srv.WriteCredentials(t.TempDir())
	if err != nil {
		t.Fatalf("WriteCredentials: %v", err)
	}
	useCredentials(t, path)
	e.srv.FailNext(fakegke.TokenMethod, codes.Unavailable, "backend error", 1)
	ts, err := google.DefaultTokenSource(ctxT(t), cloudPlatform)
	if err != nil {
		t.Fatalf("DefaultTokenSource: %v", err)
	}
	var re *oauth2.RetrieveError
	if _, err := ts.Token(); !errors.As(err, &re) || re.Response.StatusCode != 503 {
		t.Fatalf("Token during an injected outage: %v, want HTTP 503", err)
	}
	if _, err := ts.Token(); err != nil {
		t.Fatalf("Token after the outage: %v", err)
	}
}

// cloud.google.com/go/auth, the newer library, also calls token_uri for a
// service account by default. With UseSelfSignedJWT, which Google's own API
// clients turn on for their default scopes, it signs its own JWT and never
// calls the endpoint: a Kubernetes API server would not accept that token.
func TestAuthLibraryUsesTokenURIUnlessSelfSigned(t *testing.T) {
	e := newEnv(t, fastTimings)
	path, err := e.srv.WriteCredentials(t.TempDir())
	if err != nil {
		t.Fatalf("WriteCredentials: %v", err)
	}
	useCredentials(t, path)

	creds, err := credentials.DetectDefault(&credentials.DetectOptions{Scopes: []string{cloudPlatform}})
	if err != nil {
		t.Fatalf("DetectDefault: %v", err)
	}
	tok, err := creds.Token(ctxT(t))
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	if tok.Value != e.backing.Token || e.srv.Calls(fakegke.TokenMethod) != 1 {
		t.Errorf("token %q after %d endpoint calls, want the backing token after 1", tok.Value, e.srv.Calls(fakegke.TokenMethod))
	}

	selfSigned, err := credentials.DetectDefault(&credentials.DetectOptions{Scopes: []string{cloudPlatform}, UseSelfSignedJWT: true})
	if err != nil {
		t.Fatalf("DetectDefault self-signed: %v", err)
	}
	tok, err = selfSigned.Token(ctxT(t))
	if err != nil {
		t.Fatalf("self-signed Token: %v", err)
	}
	if tok.Value == e.backing.Token || e.srv.Calls(fakegke.TokenMethod) != 1 {
		t.Errorf("self-signed JWT path called the endpoint (%d calls) or got the backing token", e.srv.Calls(fakegke.TokenMethod))
	}
}

func TestWriteCredentialsNeedsAStartedServer(t *testing.T) {
	s := fakegke.New(fakegke.Options{})
	if _, err := s.WriteCredentials(t.TempDir()); err == nil {
		t.Fatal("WriteCredentials before Start succeeded")
	}
}
