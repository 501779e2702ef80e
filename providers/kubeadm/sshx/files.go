package sshx

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
)

// Files move as command input and output (cat through sudo) rather than over
// SFTP: SFTP runs as the login user, and the files podlab writes and reads
// (/etc/kubernetes/...) belong to root. This also keeps every transfer in
// the host log like any other command.

// notFoundExit is the exit code ReadFile's script uses for a missing file;
// cat itself only ever exits 0 or 1.
const notFoundExit = 3

// WriteFile writes data to the absolute path on the host, as root, creating
// parent directories. It writes a temporary file beside the target and
// renames it into place, so a reader never sees half a file and a failed
// upload leaves the old file intact. Data is logged unless Secret is given.
func (c *Client) WriteFile(ctx context.Context, file string, data []byte, mode fs.FileMode, opts ...RunOption) error {
	return c.writeFile(ctx, file, bytes.NewReader(data), mode, opts...)
}

// CopyFile streams r (to EOF) to the absolute path on the host, as
// WriteFile does, logging only its size: for large binary files.
func (c *Client) CopyFile(ctx context.Context, file string, r io.Reader, mode fs.FileMode) error {
	return c.writeFile(ctx, file, r, mode, Bulk())
}

func (c *Client) writeFile(ctx context.Context, file string, r io.Reader, mode fs.FileMode, opts ...RunOption) error {
	if !path.IsAbs(file) {
		return fmt.Errorf("ssh %s: write %q: path must be absolute", c, file)
	}
	q := Quote(file)
	// New parent directories get the usual 0755; mktemp makes the file 0600
	// and it only gets its mode once complete.
	script := fmt.Sprintf(`set -e
umask 022
mkdir -p -- %s
t=$(mktemp %s)
trap 'rm -f -- "$t"' EXIT
cat >"$t"
chmod %04o "$t"
mv -f -- "$t" %s`, Quote(path.Dir(file)), Quote(file+".podlab-XXXXXX"), mode.Perm(), q)
	opts = append([]RunOption{Stdin(r)}, opts...)
	if _, _, _, err := c.Run(ctx, script, opts...); err != nil {
		return fmt.Errorf("write %s: %w", file, err)
	}
	return nil
}

// ReadFile reads the absolute path on the host as root. A missing file gives
// an error matching fs.ErrNotExist. Use SecretOutput for files such as an
// admin kubeconfig, so their content stays out of the log.
func (c *Client) ReadFile(ctx context.Context, file string, opts ...RunOption) ([]byte, error) {
	if !path.IsAbs(file) {
		return nil, fmt.Errorf("ssh %s: read %q: path must be absolute", c, file)
	}
	q := Quote(file)
	script := fmt.Sprintf("if [ -e %s ]; then exec cat -- %s; fi\necho %s: no such file >&2\nexit %d", q, q, q, notFoundExit)
	opts = append(opts, OKExit(notFoundExit))
	out, _, code, err := c.Run(ctx, script, opts...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	if code == notFoundExit {
		return nil, &fs.PathError{Op: "read", Path: c.Host() + ":" + file, Err: fs.ErrNotExist}
	}
	return []byte(out), nil
}

// FileExists tells whether the path exists on the host (as root sees it).
func (c *Client) FileExists(ctx context.Context, file string) (bool, error) {
	_, _, code, err := c.Run(ctx, Command("test", "-e", file), OKExit(1))
	if err != nil {
		return false, err
	}
	return code == 0, nil
}
