package fakegke

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// WriteCredentials writes a service-account key file into dir, with a freshly
// generated RSA key and token_uri pointing at this server's token endpoint,
// and returns its path. Point GOOGLE_APPLICATION_CREDENTIALS at it and
// Application Default Credentials (golang.org/x/oauth2/google) obtain the
// backing cluster's token from the fake: for a service account,
// x/oauth2/google always performs the JWT-bearer grant against token_uri.
// The server must be started.
func (s *Server) WriteCredentials(dir string) (string, error) {
	tokenURL := s.TokenURL()
	if tokenURL == "" {
		return "", errors.New("fakegke: write credentials: server not started")
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", fmt.Errorf("fakegke: write credentials: generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("fakegke: write credentials: encode key: %w", err)
	}
	keyID := randomHex(20)
	project := s.opts.CredentialsProject
	email := "podlab-fake@" + project + ".iam.gserviceaccount.com"
	file := map[string]string{
		"type":            "service_account",
		"project_id":      project,
		"private_key_id":  keyID,
		"private_key":     string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":    email,
		"client_id":       randomDigits(21),
		"token_uri":       tokenURL,
		"universe_domain": "googleapis.com",
	}
	path, err := writeJSON(dir, "fakegke-service-account-"+keyID[:8]+".json", file)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.accounts[keyID] = &serviceAccount{email: email, key: &key.PublicKey}
	s.mu.Unlock()
	return path, nil
}

// WriteUserCredentials writes an authorized_user credentials file into dir
// (the kind `gcloud auth application-default login` writes), with token_uri
// pointing at this server, and returns its path. ADC refreshes it with the
// refresh_token grant.
func (s *Server) WriteUserCredentials(dir string) (string, error) {
	tokenURL := s.TokenURL()
	if tokenURL == "" {
		return "", errors.New("fakegke: write user credentials: server not started")
	}
	u := userCredential{
		clientID:     randomDigits(12) + "-fakegke.apps.googleusercontent.com",
		clientSecret: randomHex(12),
	}
	refresh := "1//fakegke-" + randomHex(24)
	file := map[string]string{
		"type":          "authorized_user",
		"client_id":     u.clientID,
		"client_secret": u.clientSecret,
		"refresh_token": refresh,
		"token_uri":     tokenURL,
	}
	path, err := writeJSON(dir, "fakegke-user-"+refresh[11:19]+".json", file)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.users[refresh] = u
	s.mu.Unlock()
	return path, nil
}

// writeJSON writes a credentials file readable by its owner only, as gcloud
// does: it holds a private key or a refresh token.
func writeJSON(dir, name string, v any) (string, error) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return "", fmt.Errorf("fakegke: encode %s: %w", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return "", fmt.Errorf("fakegke: write %s: %w", path, err)
	}
	return path, nil
}

func randomDigits(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("fakegke: crypto/rand: %v", err))
	}
	for i := range b {
		b[i] = '1' + b[i]%9
	}
	return string(b)
}
