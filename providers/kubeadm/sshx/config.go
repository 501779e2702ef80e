package sshx

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Defaults for the zero values of Config.
const (
	DefaultPort           = 22
	DefaultConnectTimeout = 15 * time.Second
	DefaultKeepAlive      = 30 * time.Second
	DefaultKnownHosts     = "~/.ssh/known_hosts"
)

// Config says how to reach and log into one host.
type Config struct {
	Host string // name or IP address
	Port int    // 0 means 22
	User string

	// PrivateKeyFile is an OpenSSH, PEM or PKCS#8 private key without a
	// passphrase; "~/" is expanded. An encrypted key is refused with a hint
	// to load it into an agent instead: podlab never prompts.
	PrivateKeyFile string
	// UseAgent offers the keys of the ssh-agent at AgentSocket (default
	// $SSH_AUTH_SOCK). Without a PrivateKeyFile, the agent is used anyway.
	UseAgent    bool
	AgentSocket string

	// Bastion, if set, is the jump host the connection goes through. It
	// shares the target's known_hosts file, trust policy and timeouts.
	Bastion *Jump

	// KnownHostsFile is checked for the host key; "" means
	// ~/.ssh/known_hosts. A missing file counts as empty.
	KnownHostsFile string
	// TrustOnFirstUse appends the key of a host that known_hosts does not
	// know yet. It never accepts a key that differs from a recorded one.
	TrustOnFirstUse bool

	// ConnectTimeout bounds TCP connect plus SSH handshake (per hop);
	// 0 means 15s.
	ConnectTimeout time.Duration
	// KeepAlive is the interval of keepalive requests that detect a dead
	// connection; 0 means 30s, negative disables them.
	KeepAlive time.Duration

	// LogFile, if set, receives every command and its output (appended,
	// created 0600 with its directory).
	LogFile string
}

// Jump is a bastion host: its own address, user and credentials.
type Jump struct {
	Host           string
	Port           int
	User           string
	PrivateKeyFile string
	UseAgent       bool
	AgentSocket    string
}

// endpoint is what both a target and a bastion need for one hop.
type endpoint struct {
	host, user  string
	port        int
	keyFile     string
	useAgent    bool
	agentSocket string
}

func (e endpoint) addr() string { return net.JoinHostPort(e.host, strconv.Itoa(e.port)) }

// String is user@host:port, the way errors name a hop.
func (e endpoint) String() string { return e.user + "@" + e.addr() }

// settings is a Config with defaults applied and paths expanded.
type settings struct {
	target         endpoint
	bastion        *endpoint
	knownHosts     string
	tofu           bool
	connectTimeout time.Duration
	keepAlive      time.Duration
	logFile        string
}

func (c Config) settings() (*settings, error) {
	s := &settings{
		tofu:           c.TrustOnFirstUse,
		connectTimeout: c.ConnectTimeout,
		keepAlive:      c.KeepAlive,
	}
	if s.connectTimeout <= 0 {
		s.connectTimeout = DefaultConnectTimeout
	}
	if s.keepAlive == 0 {
		s.keepAlive = DefaultKeepAlive
	}
	kh := c.KnownHostsFile
	if kh == "" {
		kh = DefaultKnownHosts
	}
	var err error
	if s.knownHosts, err = expandHome(kh); err != nil {
		return nil, fmt.Errorf("ssh: known_hosts file: %w", err)
	}
	if s.logFile, err = expandHome(c.LogFile); err != nil {
		return nil, fmt.Errorf("ssh: log file: %w", err)
	}
	t, err := newEndpoint("host", c.Host, c.Port, c.User, c.PrivateKeyFile, c.UseAgent, c.AgentSocket)
	if err != nil {
		return nil, err
	}
	s.target = t
	if b := c.Bastion; b != nil {
		e, err := newEndpoint("bastion", b.Host, b.Port, b.User, b.PrivateKeyFile, b.UseAgent, b.AgentSocket)
		if err != nil {
			return nil, err
		}
		s.bastion = &e
	}
	return s, nil
}

func newEndpoint(what, host string, port int, user, keyFile string, useAgent bool, agentSocket string) (endpoint, error) {
	if host == "" {
		return endpoint{}, fmt.Errorf("ssh: %s: no address given", what)
	}
	if user == "" {
		return endpoint{}, fmt.Errorf("ssh: %s %s: no user given", what, host)
	}
	if port == 0 {
		port = DefaultPort
	}
	if port < 1 || port > 65535 {
		return endpoint{}, fmt.Errorf("ssh: %s %s: port %d is out of range", what, host, port)
	}
	kf, err := expandHome(keyFile)
	if err != nil {
		return endpoint{}, fmt.Errorf("ssh: %s %s: private key file: %w", what, host, err)
	}
	// An IPv6 literal may come bracketed from a user; JoinHostPort adds the
	// brackets itself.
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return endpoint{host: host, port: port, user: user, keyFile: kf, useAgent: useAgent || kf == "", agentSocket: agentSocket}, nil
}

// expandHome turns a leading "~/" (or a lone "~") into the home directory.
// "~user/" is not supported: podlab runs as one user.
func expandHome(p string) (string, error) {
	if p == "~" || strings.HasPrefix(p, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, p[1:]), nil
	}
	if strings.HasPrefix(p, "~") {
		return "", errors.New(p + ": only ~/ (the current user's home) is expanded")
	}
	return p, nil
}
