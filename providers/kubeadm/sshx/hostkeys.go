package sshx

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// preferredUnknownAlgorithms is the host key preference for a host that
// known_hosts does not know: modern OpenSSH's order (ed25519 first), so the
// fingerprint podlab shows or records is the one `ssh` itself would.
var preferredUnknownAlgorithms = []string{
	ssh.KeyAlgoED25519,
	ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521,
	ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256,
}

// hostKeyChecker checks one hop's host key against a known_hosts file.
type hostKeyChecker struct {
	file string
	tofu bool
	addr string // host:port as dialled; known_hosts entries are matched on it
	db   ssh.HostKeyCallback

	// After the handshake: the key accepted, and whether TOFU recorded it.
	accepted ssh.PublicKey
	trusted  bool
}

// newHostKeyChecker reads the known_hosts file (a missing one is empty) and
// returns the checker with the host key algorithms to negotiate.
func newHostKeyChecker(file string, tofu bool, addr string) (*hostKeyChecker, []string, error) {
	db, err := loadKnownHosts(file)
	if err != nil {
		return nil, nil, err
	}
	h := &hostKeyChecker{file: file, tofu: tofu, addr: addr, db: db}
	algos := knownAlgorithms(db, addr)
	if len(algos) == 0 {
		algos = preferredUnknownAlgorithms
	}
	return h, algos, nil
}

func loadKnownHosts(file string) (ssh.HostKeyCallback, error) {
	_, err := os.Stat(file)
	if errors.Is(err, os.ErrNotExist) {
		return knownhosts.New() // empty: every host is unknown
	}
	db, err := knownhosts.New(file)
	if err != nil {
		return nil, fmt.Errorf("ssh: known_hosts file %s: %w", file, err)
	}
	return db, nil
}

// fakeAddr is a net.Addr for asking the database about a host by name.
type fakeAddr string

func (a fakeAddr) Network() string { return "tcp" }
func (a fakeAddr) String() string  { return string(a) }

// probeKey is a key no known_hosts file contains. Checking it makes the
// database list every key it does know for the host: knownhosts has no
// other way to ask.
var probeKey = sync.OnceValue(func() ssh.PublicKey {
	pub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		panic(err) // crypto/rand failing is not recoverable
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		panic(err)
	}
	return k
})

// knownKeys lists the keys the database holds for addr.
func knownKeys(db ssh.HostKeyCallback, addr string) []knownhosts.KnownKey {
	var ke *knownhosts.KeyError
	if err := db(addr, fakeAddr(addr), probeKey()); errors.As(err, &ke) {
		return ke.Want
	}
	return nil
}

// knownAlgorithms restricts negotiation to the key types known_hosts holds
// for the host. Without this, a host that offers RSA and ed25519, recorded
// by its ed25519 key, would be asked for RSA (x/crypto prefers it) and
// refused as if its key had changed.
func knownAlgorithms(db ssh.HostKeyCallback, addr string) []string {
	var algos []string
	seen := map[string]bool{}
	add := func(a ...string) {
		for _, x := range a {
			if !seen[x] {
				seen[x] = true
				algos = append(algos, x)
			}
		}
	}
	for _, k := range knownKeys(db, addr) {
		switch t := k.Key.Type(); t {
		case ssh.KeyAlgoRSA:
			// An RSA key signs with SHA-2 algorithms; SHA-1 ssh-rsa is not
			// offered (OpenSSH disabled it too).
			add(ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256)
		default:
			add(t)
		}
	}
	return algos
}

// check is the ssh.HostKeyCallback.
func (h *hostKeyChecker) check(hostname string, remote net.Addr, key ssh.PublicKey) error {
	err := h.db(hostname, remote, key)
	if err == nil {
		h.accepted = key
		return nil
	}
	var ke *knownhosts.KeyError
	var re *knownhosts.RevokedError
	switch {
	case errors.As(err, &re):
		return &RevokedHostKeyError{Addr: h.addr, Fingerprint: ssh.FingerprintSHA256(key), File: re.Revoked.Filename, LineNumber: re.Revoked.Line}
	case errors.As(err, &ke) && len(ke.Want) == 0:
		if h.tofu {
			return h.trust(key)
		}
		return &UnknownHostKeyError{Addr: h.addr, KeyType: key.Type(), Fingerprint: ssh.FingerprintSHA256(key), File: h.file, Line: KnownHostsLine(h.addr, key)}
	case errors.As(err, &ke):
		return changedError(h.addr, key, ke.Want)
	}
	return fmt.Errorf("ssh: checking the host key of %s: %w", h.addr, err)
}

// changedError names the recorded entry that conflicts: the one of the same
// key type if there is one, since that is the entry a person must remove.
func changedError(addr string, key ssh.PublicKey, want []knownhosts.KnownKey) error {
	old := want[0]
	for _, w := range want {
		if w.Key.Type() == key.Type() {
			old = w
			break
		}
	}
	return &HostKeyChangedError{
		Addr: addr, KeyType: key.Type(), Fingerprint: ssh.FingerprintSHA256(key),
		File: old.Filename, LineNumber: old.Line, OldFingerprint: ssh.FingerprintSHA256(old.Key),
	}
}

// knownHostsMu serialises trust-on-first-use writes within the process, so
// hosts dialled in parallel do not interleave their lines.
var knownHostsMu sync.Mutex

// trust records an unknown host's key. It re-reads the file first: another
// connection may have recorded this host meanwhile, with this key (fine) or
// another (refused as changed).
func (h *hostKeyChecker) trust(key ssh.PublicKey) error {
	knownHostsMu.Lock()
	defer knownHostsMu.Unlock()
	db, err := loadKnownHosts(h.file)
	if err != nil {
		return err
	}
	var ke *knownhosts.KeyError
	switch err := db(h.addr, fakeAddr(h.addr), key); {
	case err == nil:
		h.accepted = key
		return nil
	case errors.As(err, &ke) && len(ke.Want) > 0:
		return changedError(h.addr, key, ke.Want)
	}
	if err := appendLine(h.file, KnownHostsLine(h.addr, key)); err != nil {
		return fmt.Errorf("ssh: recording the host key of %s in %s: %w", h.addr, h.file, err)
	}
	h.accepted, h.trusted = key, true
	return nil
}

// appendLine adds a line to the file, creating it (0600, directory 0700) as
// ssh does, and starting on a fresh line if the file lacks a final newline.
func appendLine(file, line string) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err != nil {
			return err
		}
		if last[0] != '\n' {
			line = "\n" + line
		}
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		return err
	}
	return f.Sync()
}

// KnownHostsLine is the known_hosts line that trusts key for addr
// ("host:port"): "host type base64" for port 22, "[host]:port type base64"
// otherwise, unhashed.
func KnownHostsLine(addr string, key ssh.PublicKey) string {
	return knownhosts.Line([]string{knownhosts.Normalize(addr)}, key)
}
