package testhosts

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"fmt"
	"os"

	"golang.org/x/crypto/ssh"
)

// keyPair is a private key written in OpenSSH format (what sshd's HostKey and
// ssh -i read) plus its public half.
type keyPair struct {
	private crypto.Signer
	public  ssh.PublicKey
	signer  ssh.Signer
}

func newEd25519() (*keyPair, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("testhosts: ed25519 key: %w", err)
	}
	return wrapKey(priv)
}

// newRSA exists for hosts that also offer an RSA host key, to exercise
// host key algorithm negotiation; 2048 bits keeps generation quick.
func newRSA() (*keyPair, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("testhosts: rsa key: %w", err)
	}
	return wrapKey(priv)
}

func wrapKey(priv crypto.Signer) (*keyPair, error) {
	signer, err := ssh.NewSignerFromSigner(priv)
	if err != nil {
		return nil, fmt.Errorf("testhosts: %w", err)
	}
	return &keyPair{private: priv, public: signer.PublicKey(), signer: signer}, nil
}

// write stores the private key (0600, as sshd and ssh insist) at path and the
// public key at path+".pub".
func (k *keyPair) write(path, comment string) error {
	block, err := ssh.MarshalPrivateKey(k.private, comment)
	if err != nil {
		return fmt.Errorf("testhosts: %w", err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		return fmt.Errorf("testhosts: %w", err)
	}
	pub := ssh.MarshalAuthorizedKey(k.public)
	if err := os.WriteFile(path+".pub", pub, 0o644); err != nil {
		return fmt.Errorf("testhosts: %w", err)
	}
	return nil
}
