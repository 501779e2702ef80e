package sshx_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/podlab/podlab/internal/testhosts"
	"github.com/podlab/podlab/providers/kubeadm/sshx"
)

func TestSudo(t *testing.T) {
	env := testhosts.New(t, 1)
	h := env.Hosts[0]

	t.Run("non-root user runs as root through sudo", func(t *testing.T) {
		c := mustDial(t, configFor(t, env, h, testhosts.SudoUser))
		tests := []struct {
			opts []sshx.RunOption
			want string
		}{
			{nil, "0"},
			{[]sshx.RunOption{sshx.AsLoginUser()}, "2901"},
		}
		for _, tt := range tests {
			out, _, _, err := c.Run(t.Context(), "id -u", tt.opts...)
			if err != nil || strings.TrimSpace(out) != tt.want {
				t.Errorf("id -u = %q, %v; want %s", out, err, tt.want)
			}
		}
	})

	t.Run("sudo wanting a password is a clear error", func(t *testing.T) {
		c := mustDial(t, configFor(t, env, h, testhosts.PasswordSudoUser))
		_, _, _, err := c.Run(t.Context(), "true")
		var se *sshx.SudoPasswordError
		if !errors.As(err, &se) {
			t.Fatalf("err = %v, want *sshx.SudoPasswordError", err)
		}
		want := fmt.Sprintf("sudo wants a password on host %s: configure NOPASSWD for user %s", h.Addr, testhosts.PasswordSudoUser)
		if !strings.HasPrefix(err.Error(), want) {
			t.Errorf("message = %q, want it to start %q", err, want)
		}
	})
}

func TestRunResults(t *testing.T) {
	env := testhosts.New(t, 1)
	h := env.Hosts[0]
	c := mustDial(t, configFor(t, env, h, testhosts.SudoUser))

	t.Run("stdout, stderr and exit code", func(t *testing.T) {
		out, errOut, code, err := c.Run(t.Context(), "echo out; echo err >&2")
		if err != nil || out != "out\n" || errOut != "err\n" || code != 0 {
			t.Errorf("got %q %q %d %v", out, errOut, code, err)
		}
	})

	t.Run("stdin", func(t *testing.T) {
		out, _, _, err := c.Run(t.Context(), "tr a-z A-Z", sshx.Stdin(strings.NewReader("hello\n")))
		if err != nil || out != "HELLO\n" {
			t.Errorf("got %q, %v", out, err)
		}
	})

	t.Run("allowed exit code", func(t *testing.T) {
		_, _, code, err := c.Run(t.Context(), "test -e /no/such/file", sshx.OKExit(1))
		if err != nil || code != 1 {
			t.Errorf("got code %d, %v", code, err)
		}
	})

	t.Run("failure carries the output tail", func(t *testing.T) {
		cmd := "for i in $(seq 1 30); do echo line $i; done; echo oops >&2; exit 3"
		_, _, code, err := c.Run(t.Context(), cmd)
		var ce *sshx.CommandError
		if !errors.As(err, &ce) {
			t.Fatalf("err = %v, want *sshx.CommandError", err)
		}
		if code != 3 || ce.ExitCode != 3 || ce.Command != cmd {
			t.Errorf("code %d, error %+v", code, ce)
		}
		if len(ce.Tail) != sshx.TailLines {
			t.Errorf("tail has %d lines, want %d: %q", len(ce.Tail), sshx.TailLines, ce.Tail)
		}
		tail := strings.Join(ce.Tail, "\n")
		for _, want := range []string{"line 30", "oops"} {
			if !strings.Contains(tail, want) {
				t.Errorf("tail lacks %q: %q", want, ce.Tail)
			}
		}
		if strings.Contains(tail, "line 5\n") {
			t.Errorf("tail is not a tail: %q", ce.Tail)
		}
		for _, want := range []string{testhosts.SudoUser + "@" + h.HostPort(), "exit code 3", cmd, "oops"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("message lacks %q:\n%s", want, err)
			}
		}
	})
}

func TestRunCancel(t *testing.T) {
	env := testhosts.New(t, 1)
	h := env.Hosts[0]
	c := mustDial(t, configFor(t, env, h, testhosts.SudoUser))

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// The command tells its PID (the shell execs sleep, keeping the PID)
	// through a file in the host's private /tmp.
	pidFile := filepath.Join(h.Root(), "tmp", "long.pid")
	result := make(chan error, 1)
	go func() {
		_, _, _, err := c.Run(ctx, "echo $$ > /tmp/long.pid; exec sleep 600")
		result <- err
	}()
	pid := 0
	for i := 0; i < 1000 && pid == 0; i++ {
		b, _ := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		if pid == 0 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if pid == 0 {
		t.Fatal("the long command never started")
	}
	cancel()
	err := <-result
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// The remote command is told to stop, not merely abandoned.
	gone := false
	for i := 0; i < 1000 && !gone; i++ {
		gone = errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) || zombie(pid)
		if !gone {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if !gone {
		t.Errorf("remote process %d still runs after cancel", pid)
	}
	// The connection still works.
	if _, _, _, err := c.Run(t.Context(), "true"); err != nil {
		t.Errorf("after cancel: %v", err)
	}
}

func zombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	return err == nil && strings.Contains(string(b), ") Z ")
}

func TestFiles(t *testing.T) {
	env := testhosts.New(t, 1)
	h := env.Hosts[0]
	for _, user := range []string{testhosts.RootUser, testhosts.SudoUser} {
		t.Run(user, func(t *testing.T) {
			c := mustDial(t, configFor(t, env, h, user))
			path := "/etc/podlab test/" + user + "/kubeadm.yaml"
			data := []byte("kind: InitConfiguration\n# it's got 'quotes' and $vars\n")
			if err := c.WriteFile(t.Context(), path, data, 0o640); err != nil {
				t.Fatal(err)
			}
			got, err := c.ReadFile(t.Context(), path)
			if err != nil || string(got) != string(data) {
				t.Fatalf("ReadFile = %q, %v", got, err)
			}
			out, _, _, err := c.Run(t.Context(), sshx.Command("stat", "-c", "%a %U", path, filepath.Dir(path)))
			if err != nil || out != "640 root\n755 root\n" {
				t.Errorf("mode and owner of file and new directory = %q, %v", out, err)
			}
			// The file is in this host's own layer, not the machine's /etc.
			if b, err := os.ReadFile(filepath.Join(h.Root(), path)); err != nil || string(b) != string(data) {
				t.Errorf("host layer has %q, %v", b, err)
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the machine's own %s exists: isolation broken", path)
			}
			// Replacing keeps no temporary files behind.
			if err := c.WriteFile(t.Context(), path, []byte("v2\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			out, _, _, _ = c.Run(t.Context(), sshx.Command("ls", "-A", filepath.Dir(path)))
			if strings.TrimSpace(out) != "kubeadm.yaml" {
				t.Errorf("directory holds %q", out)
			}
			if _, err := c.ReadFile(t.Context(), "/etc/podlab/none"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("missing file: err = %v, want fs.ErrNotExist", err)
			}
			for p, want := range map[string]bool{path: true, "/etc/podlab/none": false} {
				if ok, err := c.FileExists(t.Context(), p); err != nil || ok != want {
					t.Errorf("FileExists(%s) = %v, %v", p, ok, err)
				}
			}
		})
	}
}

func TestConnectionLost(t *testing.T) {
	env := testhosts.New(t, 1)
	c := mustDial(t, configFor(t, env, env.Hosts[0], testhosts.RootUser))
	env.Close() // the host goes away under the client
	_, _, code, err := c.Run(t.Context(), "true")
	var ce *sshx.CommandError
	if err == nil || errors.As(err, &ce) || code != -1 {
		t.Errorf("after the host vanished: code %d, err %v; want a transport error", code, err)
	}
}
