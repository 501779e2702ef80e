package sshx

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// credentials are the auth methods for one hop, with words for an error
// message saying what was tried.
type credentials struct {
	methods []ssh.AuthMethod
	tried   []string
	closer  io.Closer // the agent connection, closed once logged in
}

func (c *credentials) Close() {
	if c.closer != nil {
		c.closer.Close()
	}
}

// loadCredentials reads the key file and opens the agent, as the endpoint
// asks. Problems with the key file are errors; an agent that cannot be
// reached is only an error when it was the sole way in.
func loadCredentials(e endpoint) (*credentials, error) {
	c := &credentials{}
	var signers []ssh.Signer
	var agentSigners func() ([]ssh.Signer, error)
	if e.keyFile != "" {
		s, err := readKeyFile(e.keyFile)
		if err != nil {
			return nil, err
		}
		signers = append(signers, s)
		c.tried = append(c.tried, fmt.Sprintf("key file %s (%s %s)", e.keyFile, s.PublicKey().Type(), ssh.FingerprintSHA256(s.PublicKey())))
	}
	if e.useAgent {
		sock := e.agentSocket
		if sock == "" {
			sock = os.Getenv("SSH_AUTH_SOCK")
		}
		switch {
		case sock == "" && len(signers) == 0:
			return nil, fmt.Errorf("ssh %s: no credentials: set a private key file, or run an ssh-agent holding the key (SSH_AUTH_SOCK is not set)", e)
		case sock == "":
			// A key file is given; the agent was only a bonus.
		default:
			conn, err := net.Dial("unix", sock)
			if err != nil {
				if len(signers) == 0 {
					return nil, fmt.Errorf("ssh %s: cannot reach the ssh-agent at %s: %w", e, sock, err)
				}
				c.tried = append(c.tried, fmt.Sprintf("agent at %s (unreachable: %v)", sock, err))
				break
			}
			ag := agent.NewClient(conn)
			keys, err := ag.List()
			if err != nil {
				conn.Close()
				return nil, fmt.Errorf("ssh %s: ssh-agent at %s: %w", e, sock, err)
			}
			c.closer = conn
			agentSigners = ag.Signers
			c.tried = append(c.tried, fmt.Sprintf("agent at %s (%d keys)", sock, len(keys)))
		}
	}
	// One publickey method with every key: x/crypto tries each method name
	// once, so a second publickey method (the agent's) would be skipped.
	c.methods = []ssh.AuthMethod{ssh.PublicKeysCallback(func() ([]ssh.Signer, error) {
		all := append([]ssh.Signer{}, signers...)
		if agentSigners != nil {
			more, err := agentSigners()
			if err != nil && len(all) == 0 {
				return nil, err
			}
			all = append(all, more...) // an agent failing mid-way leaves the key file

		}
		return all, nil
	})}
	return c, nil
}

// readKeyFile parses a private key, explaining the two common failures.
func readKeyFile(path string) (ssh.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &KeyFileError{File: path, Err: err}
	}
	s, err := ssh.ParsePrivateKey(b)
	if err != nil {
		var pm *ssh.PassphraseMissingError
		if errors.As(err, &pm) {
			return nil, &KeyFileError{File: path, Encrypted: true, Err: err}
		}
		return nil, &KeyFileError{File: path, Err: err}
	}
	return s, nil
}
