package testhosts

import (
	"crypto"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
)

// Env is one test's set of hosts, torn down by t.Cleanup.
type Env struct {
	// Hosts are node-0 .. node-(n-1). With WithBastion they are reachable
	// only through Bastion.
	Hosts []*Host
	// Bastion is the jump host, or nil without WithBastion. It is a full
	// Host too (same users and key).
	Bastion *Host

	t       testing.TB
	slot    *slot
	dir     string
	client  *keyPair
	keyFile string
	caHash  string
	closed  sync.Once
	// Elapsed is how long New took, for the record.
	Elapsed time.Duration
}

// Option changes what New builds.
type Option func(*options)

type options struct {
	bastion   bool
	rsa       bool
	adminConf []byte
	extra     []string
	port      int
	swap      []string
	nodes     bool
}

// WithBastion puts the hosts on a network only a bastion host joins: the test
// reaches them solely by jumping through Env.Bastion.
func WithBastion() Option { return func(o *options) { o.bastion = true } }

// WithRSAHostKey makes every sshd offer an RSA host key besides ed25519, as
// many real hosts do, so host key algorithm negotiation can be tested.
func WithRSAHostKey() Option { return func(o *options) { o.rsa = true } }

// WithSSHPort makes every sshd listen on port instead of 22, for testing
// the "[host]:port" form of known_hosts entries.
func WithSSHPort(port int) Option { return func(o *options) { o.port = port } }

// WithAdminConf is the kubeconfig the kubeadm stand-in writes to
// /etc/kubernetes/admin.conf, e.g. the real local test cluster's.
func WithAdminConf(kubeconfig []byte) Option {
	return func(o *options) { o.adminConf = kubeconfig }
}

// WithSwap makes every host start with the given swap devices active (as
// the swapon stand-in shows them), as many VM images do.
func WithSwap(devices ...string) Option {
	return func(o *options) { o.swap = append(o.swap, devices...) }
}

// WithStandIns adds recording stand-ins (record the call, succeed silently)
// under the given command names.
func WithStandIns(names ...string) Option {
	return func(o *options) { o.extra = append(o.extra, names...) }
}

// New creates n hosts (1..50), each with its sshd listening, or skips the
// test when this machine cannot (see Require).
func New(t testing.TB, n int, opts ...Option) *Env {
	t.Helper()
	Require(t)
	if n < 1 || n > 50 {
		t.Fatalf("testhosts: New(%d): want 1..50 hosts", n)
	}
	o := options{adminConf: []byte(DefaultAdminConf), port: 22}
	for _, opt := range opts {
		opt(&o)
	}
	start := time.Now()
	s, err := acquireSlot()
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{t: t, slot: s, dir: s.dir()}
	t.Cleanup(e.Close) // first, so a half-built env is torn down too
	if err := e.build(n, o); err != nil {
		t.Fatal(err)
	}
	e.Elapsed = time.Since(start)
	t.Logf("testhosts: %d host(s) in slot %d ready in %s", len(e.all()), s.n, e.Elapsed.Round(time.Millisecond))
	return e
}

// all is every host including the bastion.
func (e *Env) all() []*Host {
	if e.Bastion == nil {
		return e.Hosts
	}
	return append([]*Host{e.Bastion}, e.Hosts...)
}

// Close tears the hosts down now rather than at the end of the test: kills
// every sshd by PID, then whatever else runs in the namespaces, and deletes
// namespaces, links, route and files. Later calls do nothing.
func (e *Env) Close() {
	e.closed.Do(func() {
		for _, h := range e.all() {
			h.sshd.stop()
		}
		if err := sweep(e.slot); err != nil {
			e.t.Errorf("testhosts: cleanup: %v", err)
		}
		e.slot.release()
	})
}

func (e *Env) build(n int, o options) error {
	for _, d := range []string{e.dir, filepath.Join(e.dir, "cluster", "nodes"), filepath.Join(e.dir, "cluster", "applied")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("testhosts: %w", err)
		}
		// The stand-ins write here as whichever user ran them.
		if err := os.Chmod(d, 0o777); err != nil {
			return fmt.Errorf("testhosts: %w", err)
		}
	}
	if err := os.Chmod(e.dir, 0o755); err != nil {
		return fmt.Errorf("testhosts: %w", err)
	}
	client, err := newEd25519()
	if err != nil {
		return err
	}
	e.client = client
	e.keyFile = filepath.Join(e.dir, "id_ed25519")
	if err := client.write(e.keyFile, "podlab-testhosts-client"); err != nil {
		return err
	}
	var sum [32]byte
	if _, err := rand.Read(sum[:]); err != nil {
		return fmt.Errorf("testhosts: %w", err)
	}
	e.caHash = "sha256:" + hex.EncodeToString(sum[:])

	k := e.slot.n
	pre := e.slot.prefix()
	frontBridge := pre + "br"
	if err := addBridge("", frontBridge, frontAddr(k, frontGateway)+"/24"); err != nil {
		return err
	}
	hostBridgeNS, hostBridge, hostAddr := "", frontBridge, frontAddr
	if o.bastion {
		b := &Host{Name: "bastion", Addr: frontAddr(k, bastionOctet), Port: o.port, Namespace: pre + "bastion", env: e}
		if err := addHostNetwork(b.Namespace, pre+"vb", "", frontBridge, b.Addr+"/24"); err != nil {
			return err
		}
		// The back network lives entirely inside the bastion's namespace.
		if err := addBridge(b.Namespace, "back", backAddr(k, frontGateway)+"/24"); err != nil {
			return err
		}
		if err := addUnreachableRoute(backSubnet(k)); err != nil {
			return err
		}
		e.Bastion = b
		hostBridgeNS, hostBridge, hostAddr = b.Namespace, "back", backAddr
	}
	for i := 0; i < n; i++ {
		h := &Host{Name: fmt.Sprintf("node-%d", i), Addr: hostAddr(k, firstHost+i), Port: o.port, env: e}
		h.Namespace = pre + h.Name
		if err := addHostNetwork(h.Namespace, fmt.Sprintf("%sv%d", pre, i), hostBridgeNS, hostBridge, h.Addr+"/24"); err != nil {
			return err
		}
		e.Hosts = append(e.Hosts, h)
	}
	// Files and sshd per host in parallel: key generation and waiting for
	// sshd dominate, and they are independent.
	var wg sync.WaitGroup
	errs := make([]error, len(e.all()))
	for i, h := range e.all() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.boot(h, o)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return e.writeKnownHosts()
}

// boot writes the host's files and starts its sshd.
func (e *Env) boot(h *Host, o options) error {
	h.root = filepath.Join(e.dir, h.Name)
	var err error
	if h.hostKey, err = newEd25519(); err != nil {
		return err
	}
	if o.rsa {
		if h.rsaKey, err = newRSA(); err != nil {
			return err
		}
	}
	over := overlaid
	if o.nodes {
		over = append(append([]string{}, overlaid...), nodeOverlaid...)
	}
	if err := layout(h.root, over); err != nil {
		return err
	}
	if err := writeUsers(h.root, h.Name); err != nil {
		return err
	}
	if err := writeSSHD(h.root, over, h.Port, h.hostKey, h.rsaKey, ssh.MarshalAuthorizedKey(e.client.public)); err != nil {
		return err
	}
	facts := standinFacts{
		name: h.Name, addr: h.Addr, caHash: e.caHash,
		adminConf: o.adminConf, clusterDir: filepath.Join(e.dir, "cluster"), extra: o.extra,
		realNode: o.nodes,
	}
	for _, d := range o.swap {
		facts.swaps += d + "\n"
	}
	if err := installStandins(h.root, facts); err != nil {
		return err
	}
	if h.sshd, err = startSSHD(h.Namespace, h.root, h.Name); err != nil {
		return err
	}
	if o.nodes {
		return e.setupNode(h)
	}
	return nil
}

// KeyFile is the client private key (OpenSSH format, no passphrase) that
// every user on every host accepts.
func (e *Env) KeyFile() string { return e.keyFile }

// PrivateKey is the client key itself, e.g. to load into an agent keyring.
func (e *Env) PrivateKey() crypto.PrivateKey { return e.client.private }

// Signer is the client key as an ssh.Signer.
func (e *Env) Signer() ssh.Signer { return e.client.signer }

// CACertHash is the --discovery-token-ca-cert-hash the kubeadm stand-ins
// print and insist on.
func (e *Env) CACertHash() string { return e.caHash }

// Dir is the environment's directory (keys, the shared cluster state, each
// host's Root()).
func (e *Env) Dir() string { return e.dir }

// KnownHostsFile is a known_hosts file, written by New, with the ed25519
// key of every host (the bastion too), in the form ssh-keyscan prints.
func (e *Env) KnownHostsFile() string { return filepath.Join(e.dir, "known_hosts") }

func (e *Env) writeKnownHosts() error {
	var b strings.Builder
	for _, h := range e.all() {
		b.WriteString(h.KnownHostsLine() + "\n")
	}
	if err := os.WriteFile(e.KnownHostsFile(), []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("testhosts: %w", err)
	}
	return nil
}
