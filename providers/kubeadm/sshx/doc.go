// Package sshx is how podlab drives a machine over SSH: connect (key file or
// agent, optionally through a bastion), check the host key against
// known_hosts, run commands as root (through sudo -n when the login user is
// not root), move files, and log every command with its output to a
// per-host file.
//
//	c, err := sshx.Dial(ctx, sshx.Config{
//		Host: "10.0.0.10", User: "ubuntu", PrivateKeyFile: "~/.ssh/id_ed25519",
//		LogFile: ".podlab/envs/onprem/logs/10.0.0.10.log",
//	})
//	out, _, _, err := c.Run(ctx, sshx.Command("kubeadm", "version", "-o", "short"))
//
// # Host keys
//
// Host keys are always checked; there is no way to skip the check. The
// known_hosts file (default ~/.ssh/known_hosts) is read on every Dial, plain
// and hashed entries alike, with "[host]:port" entries for ports other than
// 22. An unknown key fails with *UnknownHostKeyError, whose message gives
// the key's SHA256 fingerprint and the exact line to add. A key that differs
// from the recorded one fails with *HostKeyChangedError, naming the file and
// line of the old entry. With TrustOnFirstUse, an unknown host's key is
// appended to the file as a plain (unhashed) line, so a person can read which
// hosts were trusted and compare fingerprints; a changed key is refused
// regardless.
//
// When the file knows keys of some types for a host, only those types are
// negotiated (HostKeyAlgorithms), so a host with a recorded ed25519 key that
// also offers RSA is verified by its ed25519 key instead of being refused.
//
// # Commands
//
// Commands are shell text run by sh -c on the host; build them from argv
// with Command so every word is quoted. When the login user is not root,
// each command runs as sudo -n -- sh -c '...': sudo never prompts, and a
// sudo that wants a password fails with *SudoPasswordError. A non-zero exit
// is a *CommandError carrying the last lines of output (unless the code was
// allowed with OKExit). Cancelling the context sends SIGTERM to the remote
// command and closes the session.
//
// # Logs
//
// With Config.LogFile set, every connection, command, stdin, stdout, stderr
// and exit status is appended there with timestamps. Mark secrets: Secret
// hides stdin, SecretOutput hides stdout, Redact replaces given strings
// (tokens) everywhere in the log and in returned errors.
package sshx
